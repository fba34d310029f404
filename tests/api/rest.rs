//! The REST door under `/v1`: envelopes, cursor links, problems, caching, visibility.

use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY};
use serde_json::{Value, json};

use kiosque::auth::Role;

use crate::helpers::{TestApp, slugs};

/// GETs a URL (absolute) and returns its status and JSON body.
async fn fetch(app: &TestApp, url: &str) -> (StatusCode, Value) {
    let response = app.client.get(url).send().await.expect("request");
    let status = response.status();
    (status, response.json().await.expect("a JSON body"))
}

/// GETs a path that must answer 200 and returns its body.
async fn ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = fetch(app, &app.url(path)).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body:#}");
    body
}

/// GETs a path that must answer a problem with this status, and returns the problem.
async fn problem(app: &TestApp, path: &str, status: u16) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), status, "{path}");
    let content_type = response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/problem+json", "{path}");
    let body: Value = response.json().await.expect("a problem body");
    assert_eq!(body["status"], status, "{path}: {body}");
    body
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|a| a["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn listing_articles_pages_with_cursors_and_links() {
    let app = TestApp::spawn().await;
    let all = ok(&app, "/v1/articles?first=100&include_total=true").await;
    let total = all["page"]["total"].as_i64().expect("a total when asked");
    assert_eq!(all["data"].as_array().unwrap().len() as i64, total);
    assert!(total > 6);

    let first = ok(&app, "/v1/articles?first=3&include_total=true").await;
    assert_eq!(slugs(&first["data"]), slugs(&all["data"])[..3].to_vec());
    assert_eq!(first["page"]["has_next"], true);
    assert_eq!(first["page"]["has_prev"], false);
    assert_eq!(first["page"]["total"], total);
    assert_eq!(
        first["links"]["self"],
        app.url("/v1/articles?first=3&include_total=true")
    );
    assert!(first["links"]["prev"].is_null());
    let next = first["links"]["next"].as_str().expect("a next link");
    assert!(
        next.starts_with(&app.url("/v1/articles?")),
        "links are absolute: {next}"
    );
    assert!(
        next.contains("include_total=true"),
        "other parameters are kept: {next}"
    );

    let (status, second) = fetch(&app, next).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(slugs(&second["data"]), slugs(&all["data"])[3..6].to_vec());
    assert_eq!(second["page"]["has_prev"], true);
    let (_, back) = fetch(&app, second["links"]["prev"].as_str().expect("a prev link")).await;
    assert_eq!(slugs(&back["data"]), slugs(&first["data"]));

    let without_total = ok(&app, "/v1/articles?first=3").await;
    assert!(
        without_total["page"]["total"].is_null(),
        "the total is only counted when asked"
    );
}

#[tokio::test]
async fn the_last_page_read_backward_is_the_end_of_the_list() {
    let app = TestApp::spawn().await;
    let all = slugs(&ok(&app, "/v1/articles?first=100").await["data"]);
    let last = ok(&app, "/v1/articles?last=4").await;
    assert_eq!(slugs(&last["data"]), all[all.len() - 4..].to_vec());
    assert_eq!(last["page"]["has_prev"], true);
    assert!(
        last["links"]["prev"]
            .as_str()
            .unwrap()
            .contains("last=4&before=")
    );
}

#[tokio::test]
async fn rest_and_graphql_give_the_same_ids_and_cursors() {
    let app = TestApp::spawn().await;
    let rest = ok(&app, "/v1/articles?first=5&sort=title_asc").await;
    let graphql = app
        .query(
            "{ articles(first: 5, orderBy: TITLE_ASC) { pageInfo { endCursor } nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(ids(&rest["data"]), ids(&graphql["articles"]["nodes"]));
    assert_eq!(
        rest["page"]["end_cursor"],
        graphql["articles"]["pageInfo"]["endCursor"]
    );
}

#[tokio::test]
async fn filters_narrow_the_list() {
    let app = TestApp::spawn().await;
    let total = |body: &Value| body["page"]["total"].as_i64().unwrap();
    let rubric = ok(
        &app,
        &format!(
            "/v1/articles?rubric={}&include_total=true&first=100",
            fx::RUBRIC_SLUG
        ),
    )
    .await;
    assert_eq!(total(&rubric), 10);
    assert!(
        rubric["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["rubric"]["slug"] == fx::RUBRIC_SLUG)
    );
    let author = ok(
        &app,
        &format!("/v1/articles?author={}&include_total=true", fx::AUTHOR_SLUG),
    )
    .await;
    assert_eq!(total(&author), 8);
    let tag = ok(
        &app,
        &format!("/v1/articles?tag={}&include_total=true", fx::TAG_SLUG),
    )
    .await;
    assert_eq!(total(&tag), 10);
    let english = ok(
        &app,
        &format!(
            "/v1/articles?rubric={}&language=en&include_total=true",
            fx::RUBRIC_SLUG
        ),
    )
    .await;
    assert_eq!(total(&english), 3);
    assert!(slugs(&english["data"]).contains(&fx::ENGLISH_SLUG.to_owned()));
    let future = ok(
        &app,
        "/v1/articles?published_after=2999-01-01T00:00:00Z&include_total=true",
    )
    .await;
    assert_eq!(total(&future), 0);
    assert!(future["page"]["end_cursor"].is_null());
}

#[tokio::test]
async fn sorting_by_title_reads_both_ways() {
    let app = TestApp::spawn().await;
    let asc = slugs(&ok(&app, "/v1/articles?first=100&sort=title_asc").await["data"]);
    let mut desc = slugs(&ok(&app, "/v1/articles?first=100&sort=title_desc").await["data"]);
    desc.reverse();
    assert_eq!(asc, desc);
    let oldest = slugs(&ok(&app, "/v1/articles?first=100&sort=published_at_asc").await["data"]);
    let mut newest = slugs(&ok(&app, "/v1/articles?first=100").await["data"]);
    newest.reverse();
    assert_eq!(oldest, newest);
}

#[tokio::test]
async fn first_above_the_cap_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let body = problem(&app, "/v1/articles?first=101", 422).await;
    assert_eq!(body["code"], "BAD_USER_INPUT");
    assert_eq!(body["field"], "first");
    assert_eq!(
        problem(&app, "/v1/articles?first=ten", 422).await["field"],
        "first"
    );
    assert_eq!(
        problem(&app, "/v1/authors?last=1000", 422).await["field"],
        "last"
    );
    assert_eq!(
        problem(&app, "/v1/articles?after=not-a-cursor", 422).await["field"],
        "after"
    );
}

#[tokio::test]
async fn invalid_parameters_are_422s_naming_their_field() {
    let app = TestApp::spawn().await;
    for (path, field) in [
        ("/v1/articles?sort=popularity", "sort"),
        ("/v1/articles?include_total=yes", "include_total"),
        ("/v1/articles?published_after=yesterday", "published_after"),
        (
            "/v1/articles?published_after=2025-02-01&published_before=2025-01-01",
            "published_after",
        ),
        ("/v1/articles?language=french", "language"),
        ("/v1/search?q=", "q"),
        ("/v1/search?q=politique&last=2", "last"),
        ("/v1/home?per_rubric=1000", "per_rubric"),
        ("/v1/home?latest=-1", "latest"),
    ] {
        let body = problem(&app, path, 422).await;
        assert_eq!(body["field"], field, "{path}: {body}");
        assert_eq!(body["code"], "BAD_USER_INPUT");
    }
    let comments = format!("/v1/articles/{}/comments?view=tree", fx::COMMENTED_SLUG);
    assert_eq!(problem(&app, &comments, 422).await["field"], "view");
    let related = format!("/v1/articles/{}/related?limit=500", fx::FOREIGN_POLICY_SLUG);
    assert_eq!(problem(&app, &related, 422).await["field"], "limit");
}

#[tokio::test]
async fn a_query_string_that_cannot_be_read_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let body = problem(&app, "/v1/articles?first=1&first=2", 400).await;
    assert_eq!(body["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn an_article_has_its_body_byline_tags_sources_and_neighbours() {
    let app = TestApp::spawn().await;
    let article =
        ok(&app, &format!("/v1/articles/{}", fx::FOREIGN_POLICY_SLUG)).await["data"].clone();
    assert_eq!(article["slug"], fx::FOREIGN_POLICY_SLUG);
    assert_eq!(article["rubric"]["slug"], fx::RUBRIC_SLUG);
    assert!(
        article["body"]["markdown"]
            .as_str()
            .unwrap()
            .contains("étrangère")
    );
    assert!(article["body"]["html"].as_str().unwrap().contains("<p>"));
    assert!(!article["body"]["text"].as_str().unwrap().is_empty());
    assert!(
        article["authors"][0]["bio"].is_string(),
        "the article page shows bios"
    );
    assert!(
        article["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["slug"] == fx::TAG_SLUG)
    );
    assert!(article["sources"].is_array());
    assert!(article["comment_count"].is_i64());
    assert!(
        article["previous"].is_object() || article["next"].is_object(),
        "a rubric of ten has neighbours"
    );
    for side in ["previous", "next"] {
        if article[side].is_object() {
            assert_eq!(article[side]["rubric"]["slug"], fx::RUBRIC_SLUG);
            assert!(
                article[side].get("body").is_none(),
                "neighbours are summaries"
            );
        }
    }
    let graphql = app
        .query(
            "query($s: String!) { article(slug: $s) { id } }",
            json!({ "s": fx::FOREIGN_POLICY_SLUG }),
        )
        .await;
    assert_eq!(
        article["id"], graphql["article"]["id"],
        "one global id for both doors"
    );

    let listed = ok(&app, "/v1/articles?first=1").await;
    assert!(
        listed["data"][0].get("body").is_none(),
        "lists carry no bodies"
    );
    assert!(
        listed["data"][0]["authors"][0].get("bio").is_none(),
        "nor bios"
    );
}

#[tokio::test]
async fn an_unknown_article_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let body = problem(&app, "/v1/articles/no-such-article", 404).await;
    assert_eq!(body["code"], "NOT_FOUND");
    for path in [
        "/v1/rubrics/no-such-rubric",
        "/v1/authors/nobody",
        "/v1/tags/no-such-tag",
        "/v1/articles/nope/comments",
    ] {
        assert_eq!(
            problem(&app, path, 404).await["code"],
            "NOT_FOUND",
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_draft_is_a_404_to_the_public() {
    let app = TestApp::spawn().await;
    for slug in [fx::DRAFT_SLUG, fx::SCHEDULED_SLUG] {
        for suffix in ["", "/related", "/comments"] {
            problem(&app, &format!("/v1/articles/{slug}{suffix}"), 404).await;
        }
    }
}

#[tokio::test]
async fn drafts_and_scheduled_articles_stay_out_of_every_list() {
    let app = TestApp::spawn().await;
    let mut seen = String::new();
    for path in [
        "/v1/articles?first=100".to_owned(),
        format!("/v1/articles?rubric={}&first=100", fx::RUBRIC_SLUG),
        format!("/v1/articles?author={}&first=100", fx::AUTHOR_SLUG),
        format!("/v1/articles?tag={}&first=100", fx::TAG_SLUG),
        "/v1/search?q=zeppelin".to_owned(),
        "/v1/home?latest=100&per_rubric=100".to_owned(),
    ] {
        seen.push_str(&ok(&app, &path).await.to_string());
    }
    assert!(!seen.contains(fx::DRAFT_SLUG), "a draft leaked");
    assert!(
        !seen.contains(fx::SCHEDULED_SLUG),
        "a scheduled article leaked"
    );
}

#[tokio::test]
async fn related_never_includes_drafts_or_scheduled() {
    let app = TestApp::spawn().await;
    let rubric = ok(
        &app,
        &format!("/v1/articles?rubric={}&first=100", fx::RUBRIC_SLUG),
    )
    .await;
    for slug in slugs(&rubric["data"]) {
        let related = ok(&app, &format!("/v1/articles/{slug}/related?limit=20")).await;
        let found = slugs(&related["data"]);
        assert!(!found.is_empty(), "{slug} has related articles");
        assert!(!found.contains(&slug), "{slug} is not related to itself");
        for hidden in [fx::DRAFT_SLUG, fx::SCHEDULED_SLUG] {
            assert!(
                !found.contains(&hidden.to_owned()),
                "{hidden} is related to {slug}"
            );
        }
        let page = ok(&app, &format!("/v1/articles/{slug}")).await;
        for side in ["previous", "next"] {
            assert_ne!(
                page["data"][side]["slug"],
                fx::SCHEDULED_SLUG,
                "{slug} {side}"
            );
        }
    }
    let five = ok(
        &app,
        &format!("/v1/articles/{}/related", fx::FOREIGN_POLICY_SLUG),
    )
    .await;
    assert_eq!(five["data"].as_array().unwrap().len(), 5, "five by default");
}

#[tokio::test]
async fn comments_show_only_approved_ones() {
    let app = TestApp::spawn().await;
    let flat = ok(
        &app,
        &format!(
            "/v1/articles/{}/comments?first=100&include_total=true",
            fx::COMMENTED_SLUG
        ),
    )
    .await;
    let comments = flat["data"].as_array().unwrap();
    assert_eq!(comments.len(), fx::COMMENTED_APPROVED);
    assert_eq!(flat["page"]["total"], fx::COMMENTED_APPROVED as i64);
    assert!(!flat.to_string().contains(fx::PENDING_MARKER));
    assert!(
        comments
            .iter()
            .all(|c| c.as_object().unwrap().keys().all(|k| !k.contains("email"))),
        "no email is exposed"
    );
    let times: Vec<&str> = comments
        .iter()
        .map(|c| c["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    let listed: Vec<&Value> = comments.iter().map(|c| &c["id"]).collect();
    let replies: Vec<&Value> = comments
        .iter()
        .filter(|c| !c["parent_id"].is_null())
        .collect();
    assert_eq!(
        replies.len(),
        fx::COMMENTED_APPROVED - fx::COMMENTED_APPROVED_TOP_LEVEL
    );
    assert!(
        replies.iter().all(|r| listed.contains(&&r["parent_id"])),
        "every parent is a listed comment"
    );

    let article = ok(&app, &format!("/v1/articles/{}", fx::COMMENTED_SLUG)).await;
    assert_eq!(
        article["data"]["comment_count"],
        fx::COMMENTED_APPROVED as i64
    );
}

#[tokio::test]
async fn comment_threads_nest_their_replies() {
    let app = TestApp::spawn().await;
    let threads = ok(
        &app,
        &format!(
            "/v1/articles/{}/comments?view=threads&include_total=true",
            fx::COMMENTED_SLUG
        ),
    )
    .await;
    let starters = threads["data"].as_array().unwrap();
    assert_eq!(starters.len(), fx::COMMENTED_APPROVED_TOP_LEVEL);
    assert_eq!(
        threads["page"]["total"],
        fx::COMMENTED_APPROVED_TOP_LEVEL as i64
    );
    fn count(comments: &Value, parent: &Value) -> usize {
        comments
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                assert_eq!(&c["parent_id"], parent);
                assert_eq!(c["has_more_replies"], false);
                1 + count(&c["replies"], &c["id"])
            })
            .sum()
    }
    assert_eq!(
        count(&threads["data"], &Value::Null),
        fx::COMMENTED_APPROVED,
        "every approved comment, once"
    );
    assert_eq!(
        threads["data"][0]["replies"][0]["replies"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "two levels deep"
    );
    assert!(!threads.to_string().contains(fx::PENDING_MARKER));
}

#[tokio::test]
async fn comments_page_with_cursors() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/articles/{}/comments", fx::COMMENTED_SLUG);
    let all = ids(&ok(&app, &format!("{path}?first=100")).await["data"]);
    let first = ok(&app, &format!("{path}?first=4")).await;
    assert_eq!(ids(&first["data"]), all[..4].to_vec());
    let (_, rest) = fetch(&app, first["links"]["next"].as_str().unwrap()).await;
    assert_eq!(ids(&rest["data"]), all[4..].to_vec());
    assert_eq!(rest["page"]["has_next"], false);
    assert!(rest["links"]["next"].is_null());
}

#[tokio::test]
async fn search_folds_accents() {
    let app = TestApp::spawn().await;
    let found = ok(&app, "/v1/search?q=etrangere&include_total=true").await;
    assert_eq!(
        slugs(&found["data"]),
        vec![fx::FOREIGN_POLICY_SLUG.to_owned()]
    );
    assert_eq!(found["page"]["total"], 1);
    let hidden = ok(&app, "/v1/search?q=zeppelin&include_total=true").await;
    assert_eq!(
        hidden["page"]["total"], 0,
        "drafts and scheduled articles are not found"
    );
    let filtered = ok(&app, "/v1/search?q=etrangere&language=en").await;
    assert!(filtered["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn search_pages_forward_with_next_links() {
    let app = TestApp::spawn().await;
    let all = slugs(&ok(&app, "/v1/search?q=politique&first=100").await["data"]);
    let first = ok(&app, "/v1/search?q=politique&first=2").await;
    assert_eq!(slugs(&first["data"]), all[..2.min(all.len())].to_vec());
    if all.len() > 2 {
        let (_, second) = fetch(&app, first["links"]["next"].as_str().unwrap()).await;
        assert_eq!(slugs(&second["data"]), all[2..4.min(all.len())].to_vec());
        assert!(
            second["links"]["prev"].is_null(),
            "search pages forward only"
        );
    }
}

#[tokio::test]
async fn rubrics_authors_and_tags_are_listed_and_found() {
    let app = TestApp::spawn().await;
    let rubrics = ok(&app, "/v1/rubrics").await;
    let child = rubrics["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == fx::CHILD_RUBRIC_SLUG)
        .expect("the child rubric");
    assert_eq!(child["parent"]["slug"], fx::RUBRIC_SLUG);
    assert_eq!(rubrics["page"]["has_next"], false);
    let one = ok(&app, &format!("/v1/rubrics/{}", fx::CHILD_RUBRIC_SLUG)).await;
    assert_eq!(one["data"]["parent"]["slug"], fx::RUBRIC_SLUG);
    assert!(
        ok(&app, &format!("/v1/rubrics/{}", fx::RUBRIC_SLUG)).await["data"]["parent"].is_null()
    );

    let authors = ok(&app, "/v1/authors?first=3").await;
    assert_eq!(authors["data"].as_array().unwrap().len(), 3);
    let (_, more) = fetch(&app, authors["links"]["next"].as_str().unwrap()).await;
    assert!(
        !ids(&authors["data"]).contains(&ids(&more["data"])[0]),
        "the next page starts after this one"
    );
    let author = ok(&app, &format!("/v1/authors/{}", fx::AUTHOR_SLUG)).await;
    assert!(!author["data"]["bio"].as_str().unwrap().is_empty());
    assert!(author["data"]["avatar_url"].is_string());

    let tags = ok(&app, "/v1/tags").await;
    assert!(slugs(&tags["data"]).contains(&fx::TAG_SLUG.to_owned()));
    assert_eq!(
        ok(&app, &format!("/v1/tags/{}", fx::TAG_SLUG)).await["data"]["slug"],
        fx::TAG_SLUG
    );
}

#[tokio::test]
async fn the_home_page_has_the_latest_and_each_rubric() {
    let app = TestApp::spawn().await;
    let home = ok(&app, "/v1/home?latest=5&per_rubric=2").await["data"].clone();
    let latest = slugs(&home["latest"]);
    assert_eq!(
        latest,
        slugs(&ok(&app, "/v1/articles?first=5").await["data"])
    );
    let sections = home["rubrics"].as_array().unwrap();
    assert_eq!(
        sections.len(),
        ok(&app, "/v1/rubrics").await["data"]
            .as_array()
            .unwrap()
            .len()
    );
    assert!(
        sections
            .iter()
            .all(|s| s["articles"].as_array().unwrap().len() <= 2)
    );
    let defaults = ok(&app, "/v1/home").await;
    assert_eq!(defaults["data"]["latest"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn a_matching_if_none_match_gets_304() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/articles/{}", fx::FOREIGN_POLICY_SLUG);
    let response = app.get(&path).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let etag = headers[ETAG].to_str().unwrap().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34,
        "a strong xxh3-128 tag: {etag}"
    );
    assert_eq!(
        headers[CACHE_CONTROL],
        "public, max-age=30, stale-while-revalidate=60"
    );
    assert_eq!(headers[VARY], "Accept-Encoding, Authorization");

    for candidate in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".to_owned(),
    ] {
        let response = app
            .client
            .get(app.url(&path))
            .header(IF_NONE_MATCH, &candidate)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "{candidate}");
        assert_eq!(response.headers()[ETAG].to_str().unwrap(), etag);
        assert!(response.headers().contains_key(CACHE_CONTROL));
        assert!(response.bytes().await.unwrap().is_empty(), "no body");
    }
    let stale = app
        .client
        .get(app.url(&path))
        .header(IF_NONE_MATCH, "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(
        stale.headers()[ETAG].to_str().unwrap(),
        etag,
        "the same body has the same tag"
    );

    let head = app.client.head(app.url(&path)).send().await.unwrap();
    assert_eq!(
        head.headers()[ETAG].to_str().unwrap(),
        etag,
        "HEAD tags the body GET would send"
    );
}

#[tokio::test]
async fn problems_and_credentials_are_kept_out_of_shared_caches() {
    let app = TestApp::spawn().await;
    let missing = app.get("/v1/articles/no-such-article").await;
    assert!(missing.headers().get(ETAG).is_none());
    assert_eq!(missing.headers()[CACHE_CONTROL], "no-store");
    let signed = app
        .client
        .get(app.url("/v1/rubrics"))
        .bearer_auth(app.token(Role::Reader).await)
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 200);
    assert_eq!(signed.headers()[CACHE_CONTROL], "private, no-store");
    let forged = app
        .client
        .get(app.url("/v1/rubrics"))
        .bearer_auth("some-token")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(
        forged.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
}

#[tokio::test]
async fn staff_tokens_see_drafts_and_the_public_does_not() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/articles/{}", fx::DRAFT_SLUG);
    assert_eq!(app.get(&path).await.status(), 404);
    let editor = app
        .client
        .get(app.url(&path))
        .bearer_auth(app.token(Role::Editor).await)
        .send()
        .await
        .unwrap();
    assert_eq!(editor.status(), 200);
    assert_eq!(editor.headers()[CACHE_CONTROL], "private, no-store");
    let reader = app
        .client
        .get(app.url(&path))
        .bearer_auth(app.token(Role::Reader).await)
        .send()
        .await
        .unwrap();
    assert_eq!(reader.status(), 404, "readers see what the public sees");
}

#[tokio::test]
async fn rest_pages_cost_the_same_statements_at_any_size() {
    let app = TestApp::spawn().await;
    let mut costs = Vec::new();
    for path in [
        "/v1/articles?first=2&include_total=true".to_owned(),
        "/v1/articles?first=60&include_total=true".to_owned(),
        format!(
            "/v1/articles/{}/comments?view=threads&first=1",
            fx::COMMENTED_SLUG
        ),
        format!(
            "/v1/articles/{}/comments?view=threads&first=50",
            fx::COMMENTED_SLUG
        ),
    ] {
        let before = app.statements();
        ok(&app, &path).await;
        costs.push(app.statements() - before);
    }
    assert_eq!(costs[0], costs[1], "article lists: {costs:?}");
    assert!(
        costs[0] <= 2,
        "an article list costs {} statements",
        costs[0]
    );
    assert!(
        costs[3] <= 6,
        "comment threads cost {} statements",
        costs[3]
    );
    let before = app.statements();
    ok(&app, &format!("/v1/articles/{}", fx::FOREIGN_POLICY_SLUG)).await;
    let article = app.statements() - before;
    assert!(article <= 5, "an article page costs {article} statements");
    let before = app.statements();
    ok(
        &app,
        &format!(
            "/v1/articles/{}?include=more_in_rubric,comments&comments_limit=50",
            fx::COMMENTED_SLUG
        ),
    )
    .await;
    assert_eq!(
        app.statements() - before,
        1,
        "the bare article page is one statement"
    );
}

#[tokio::test]
async fn an_article_includes_only_the_parts_asked_for() {
    let app = TestApp::spawn().await;
    let path = format!(
        "/v1/articles/{}?include=more_in_rubric,comments&more_in_rubric_limit=3&comments_limit=100",
        fx::COMMENTED_SLUG
    );
    let article = &ok(&app, &path).await["data"];
    assert!(article.get("tags").is_none(), "tags were not asked for");
    assert!(
        article.get("previous").is_none(),
        "neighbours were not asked for"
    );
    let more = article["more_in_rubric"].as_array().unwrap();
    assert!(!more.is_empty() && more.len() <= 3);
    assert!(more.iter().all(
        |m| m["slug"] != fx::COMMENTED_SLUG && m["rubric"]["slug"] == article["rubric"]["slug"]
    ));
    let comments = article["comments"].as_array().unwrap();
    assert_eq!(comments.len(), fx::COMMENTED_APPROVED);
    assert!(
        !serde_json::to_string(comments)
            .unwrap()
            .contains(fx::PENDING_MARKER)
    );
    let times: Vec<&str> = comments
        .iter()
        .map(|c| c["created_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "oldest first");
    let bad = problem(
        &app,
        &format!("/v1/articles/{}?include=everything", fx::COMMENTED_SLUG),
        422,
    )
    .await;
    assert_eq!(bad["field"], "include");
    let bad = problem(
        &app,
        &format!(
            "/v1/articles/{}?include=comments&comments_limit=500",
            fx::COMMENTED_SLUG
        ),
        422,
    )
    .await;
    assert_eq!(bad["field"], "comments_limit");
}

/// `formats=` gives the body in the renderings named (all three by default), the same text
/// as the full answer's, and refuses an unknown rendering with a 422 naming the parameter.
#[tokio::test]
async fn an_article_gives_the_body_renderings_asked_for() {
    let app = TestApp::spawn().await;
    let slug = fx::FOREIGN_POLICY_SLUG;
    let article = ok(&app, &format!("/v1/articles/{slug}")).await["data"].clone();
    let full = &article["body"];
    assert_eq!(
        full.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["html", "markdown", "text"]
    );
    let html = ok(&app, &format!("/v1/articles/{slug}?formats=html")).await["data"].clone();
    assert_eq!(html["body"], json!({ "html": full["html"] }));
    assert_eq!(
        html["title"], article["title"],
        "the rest of the page is unchanged"
    );
    let two = ok(&app, &format!("/v1/articles/{slug}?formats=text,markdown")).await;
    assert_eq!(
        two["data"]["body"],
        json!({ "markdown": full["markdown"], "text": full["text"] })
    );
    for bad in ["pdf", "html,rtf", ","] {
        let problem = problem(&app, &format!("/v1/articles/{slug}?formats={bad}"), 422).await;
        assert_eq!(problem["field"], "formats", "{bad}");
    }
    // The article page with comments names them in Surrogate-Key, as it names the rest.
    let response = app
        .get(&format!(
            "/v1/articles/{}?include=comments,tags&formats=text",
            fx::COMMENTED_SLUG
        ))
        .await;
    let keys = response.headers()["surrogate-key"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    let comments = body["data"]["comments"].as_array().unwrap();
    assert!(!comments.is_empty());
    for comment in comments {
        let (_, n) = kiosque::content::ids::decode("id", comment["id"].as_str().unwrap()).unwrap();
        assert!(
            keys.split(' ').any(|k| k == format!("comment-{n}")),
            "{keys}"
        );
    }
}

#[tokio::test]
async fn a_list_reads_the_featured_image_when_it_shows_it() {
    let app = TestApp::spawn().await;
    let images = |body: &Value| {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["featured_image"]["url"].is_string())
            .count()
    };
    let all = ok(&app, "/v1/articles?first=12").await;
    assert!(images(&all) > 0, "{all}");
    let asked = ok(&app, "/v1/articles?first=12&fields=slug,featured_image").await;
    assert_eq!(images(&asked), images(&all));
    let lean = ok(&app, "/v1/articles?first=12&fields=slug,title").await;
    for article in lean["data"].as_array().unwrap() {
        assert_eq!(
            article.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["slug", "title"]
        );
    }
    // The article page after a lean list still has its image and SEO fields.
    let slug = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["featured_image"]["url"].is_string())
        .unwrap()["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = ok(&app, &format!("/v1/articles/{slug}")).await;
    assert!(page["data"]["featured_image"]["url"].is_string(), "{page}");
}

#[test]
fn the_openapi_document_lists_every_route() {
    let doc = kiosque::rest::openapi::openapi();
    let paths: Vec<&String> = doc.paths.paths.keys().collect();
    for path in [
        "/v1/articles",
        "/v1/articles/{slug}",
        "/v1/articles/{slug}/related",
        "/v1/articles/{slug}/comments",
        "/v1/search",
        "/v1/home",
        "/v1/rubrics",
        "/v1/rubrics/{slug}",
        "/v1/authors",
        "/v1/authors/{slug}",
        "/v1/tags",
        "/v1/tags/{slug}",
    ] {
        assert!(
            paths.iter().any(|p| p.as_str() == path),
            "{path} is missing from the OpenAPI document"
        );
    }
}

/// Public answers name what they contain for a CDN to purge precisely: the article, its
/// rubric and authors on the article; every item and the list key on lists; nothing on an
/// answer to a signed-in caller (which no shared cache keeps).
#[tokio::test]
async fn public_reads_carry_surrogate_keys_of_what_they_contain() {
    use kiosque::content::ids;
    let app = TestApp::spawn().await;
    let response = app
        .get(&format!("/v1/articles/{}", fx::FOREIGN_POLICY_SLUG))
        .await;
    let keys = response.headers()["surrogate-key"]
        .to_str()
        .unwrap()
        .to_owned();
    let tags = response.headers()["cache-tag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let key_of = |id: &Value| {
        let (kind, n) = ids::decode("id", id.as_str().unwrap()).unwrap();
        format!("{}-{n}", kind.name().to_ascii_lowercase())
    };
    let keys: Vec<&str> = keys.split(' ').collect();
    assert_eq!(keys[0], key_of(&body["data"]["id"]), "{keys:?}");
    assert!(keys.contains(&key_of(&body["data"]["rubric"]["id"]).as_str()));
    for author in body["data"]["authors"].as_array().unwrap() {
        assert!(keys.contains(&key_of(&author["id"]).as_str()));
    }
    assert_eq!(tags, keys.join(","));

    let list = app.get("/v1/articles?first=3").await;
    let keys = list.headers()["surrogate-key"].to_str().unwrap().to_owned();
    let body: Value = list.json().await.unwrap();
    let keys: Vec<&str> = keys.split(' ').collect();
    assert_eq!(keys[0], "articles-list");
    for item in body["data"].as_array().unwrap() {
        assert!(keys.contains(&key_of(&item["id"]).as_str()), "{keys:?}");
        assert!(keys.contains(&key_of(&item["rubric"]["id"]).as_str()));
    }
    // A sparse list names the same resources: a change to an article purges every list that
    // shows it, whichever of its fields the list shows.
    let sparse = app.get("/v1/articles?first=3&fields=title").await;
    let sparse_keys = sparse.headers()["surrogate-key"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(sparse_keys, keys.join(" "));

    let signed_in = app
        .client
        .get(app.url("/v1/articles?first=3"))
        .bearer_auth(app.token(kiosque::auth::Role::Reader).await)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    assert!(signed_in.headers().get("surrogate-key").is_none());
}

/// `fields=` gives each list item only the fields named (a sparse fieldset), keeps them across the page links, and refuses an unknown name with a 422
/// that names the parameter.
#[tokio::test]
async fn a_list_gives_only_the_fields_asked_for() {
    let app = TestApp::spawn().await;
    let full = ok(&app, "/v1/articles?first=2").await;
    let sparse = ok(&app, "/v1/articles?first=2&fields=rubric,title,slug").await;
    let items = sparse["data"].as_array().expect("data");
    assert_eq!(items.len(), 2);
    for (item, whole) in items.iter().zip(full["data"].as_array().expect("data")) {
        let mut keys: Vec<&String> = item.as_object().expect("item").keys().collect();
        keys.sort();
        assert_eq!(keys, ["rubric", "slug", "title"], "only those");
        assert_eq!(item["slug"], whole["slug"]);
        assert_eq!(item["rubric"], whole["rubric"]);
    }
    let next = sparse["links"]["next"].as_str().expect("a next page");
    assert!(next.contains("fields=rubric"), "{next}");
    let (status, next_page) = fetch(&app, next).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        next_page["data"][0].as_object().expect("item").len(),
        3,
        "the next page keeps the fieldset"
    );
    let refused = problem(&app, "/v1/articles?fields=title,body", 422).await;
    assert!(
        refused.to_string().contains("fields"),
        "the problem names the parameter: {refused:#}"
    );
}

/// An anonymous write is refused as such before its input is read: a body that does not
/// parse, or does not fit, still gets 401 (not 400 or 422), as the contract orders it.
#[tokio::test]
async fn anonymous_writes_get_401_before_their_body_is_read() {
    let app = TestApp::spawn().await;
    let cases = [
        (reqwest::Method::POST, "/v1/articles", "{\"title\": 12"),
        (reqwest::Method::PATCH, "/v1/articles/x", "[]"),
        (reqwest::Method::POST, "/v1/rubrics", "not json"),
        (
            reqwest::Method::POST,
            "/v1/articles/x/publish",
            "{\"version\": \"nope\"}",
        ),
        (reqwest::Method::POST, "/v1/webhooks", "{}"),
        (
            reqwest::Method::POST,
            "/v1/moderation/actions",
            "{\"ids\": 3}",
        ),
        (reqwest::Method::POST, "/v1/api-keys", "{}"),
    ];
    for (method, path, body) in cases {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{method} {path}"
        );
    }
}

/// Two credentials in one request (a bearer token and an API key) are refused, whatever
/// either is worth: a bad one never passes because a good one came with it.
#[tokio::test]
async fn a_request_with_two_credentials_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.token(Role::Admin).await;
    let alone = app
        .client
        .get(app.url("/v1/sync/articles?since=2000-01-01T00:00:00Z"))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("request");
    assert_eq!(alone.status(), StatusCode::OK);
    let both = app
        .client
        .get(app.url("/v1/sync/articles?since=2000-01-01T00:00:00Z"))
        .bearer_auth(&admin)
        .header("x-api-key", "kq_not-a-key")
        .send()
        .await
        .expect("request");
    assert_eq!(both.status(), StatusCode::UNAUTHORIZED);
    assert!(both.headers().contains_key("www-authenticate"));
    let graphql = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&admin)
        .header("x-api-key", "kq_not-a-key")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("request");
    let status = graphql.status();
    let body: Value = graphql.json().await.expect("json");
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body:#}");
    assert_eq!(crate::helpers::error_code(&body), "UNAUTHENTICATED");
}
