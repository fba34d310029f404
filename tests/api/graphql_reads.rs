//! The pages a frontend builds, each in one GraphQL round trip.

use kiosque::seed::demo::fixtures as fx;
use serde_json::json;

use crate::helpers::{TestApp, error_code, slugs};

const ARTICLE_PAGE: &str = r#"
query Page($slug: String!) {
  article(slug: $slug) {
    id slug title standfirst language publishedAt readingTimeMinutes wordCount
    markdown: body html: body(format: HTML) text: body(format: TEXT)
    rubric { slug name description }
    authors { slug name bio avatarUrl }
    tags { slug name }
    sources { name url }
    commentCount
    commentThreads(first: 10) { totalCount edges { cursor node { id authorName body replyCount replies { authorName body replies { body } } } } pageInfo { hasNextPage endCursor } }
    related(first: 4) { slug }
    moreInRubric(first: 3) { slug publishedAt }
    previous { slug publishedAt }
    next { slug publishedAt }
    seo { title description }
  }
}"#;

#[tokio::test]
async fn the_article_page_comes_in_one_round_trip() {
    let app = TestApp::spawn().await;
    let data = app
        .query(ARTICLE_PAGE, json!({ "slug": fx::COMMENTED_SLUG }))
        .await;
    let a = &data["article"];
    assert_eq!(a["slug"], fx::COMMENTED_SLUG);
    assert!(
        a["markdown"].as_str().unwrap().contains("## "),
        "markdown keeps subheadings"
    );
    assert!(
        a["html"].as_str().unwrap().contains("<h2>"),
        "html renders them"
    );
    assert!(
        !a["text"].as_str().unwrap().contains('#'),
        "text has no markup"
    );
    assert!(a["readingTimeMinutes"].as_i64().unwrap() >= 1);
    assert!(!a["authors"].as_array().unwrap().is_empty());
    assert!(a["authors"][0]["bio"].is_string());
    assert_eq!(a["commentCount"], fx::COMMENTED_APPROVED as i64);
    let threads = &a["commentThreads"];
    assert_eq!(
        threads["totalCount"],
        fx::COMMENTED_APPROVED_TOP_LEVEL as i64
    );
    let edges = threads["edges"].as_array().unwrap();
    assert_eq!(edges.len(), fx::COMMENTED_APPROVED_TOP_LEVEL);
    let first = &edges[0]["node"];
    assert_eq!(first["replyCount"], 1);
    assert_eq!(
        first["replies"][0]["replies"].as_array().unwrap().len(),
        1,
        "two levels of replies"
    );
    let all_text = serde_json::to_string(a).unwrap();
    assert!(
        !all_text.contains(fx::PENDING_MARKER),
        "pending comments stay hidden"
    );
    assert!(!all_text.contains('@'), "no email is ever exposed");
    let more = a["moreInRubric"].as_array().unwrap();
    assert!(more.iter().all(|m| m["slug"] != fx::COMMENTED_SLUG));
    let related = slugs(&a["related"]);
    assert!(!related.contains(&fx::COMMENTED_SLUG.to_owned()));
    if let Some(prev) = a["previous"]["publishedAt"].as_str() {
        assert!(prev <= a["publishedAt"].as_str().unwrap());
    }
    if let Some(next) = a["next"]["publishedAt"].as_str() {
        assert!(next >= a["publishedAt"].as_str().unwrap());
    }
}

#[tokio::test]
async fn the_home_page_has_the_latest_and_each_rubric() {
    let app = TestApp::spawn().await;
    let data = app
        .query(
            "{ home(latest: 5, perRubric: 2) { latest { slug publishedAt rubric { slug } authors { name } }
                rubrics { rubric { slug name position } articles { slug rubric { slug } } } } }",
            json!({}),
        )
        .await;
    let latest = data["home"]["latest"].as_array().unwrap();
    assert_eq!(latest.len(), 5);
    let dates: Vec<&str> = latest
        .iter()
        .map(|a| a["publishedAt"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    let rubrics = data["home"]["rubrics"].as_array().unwrap();
    assert!(rubrics.len() >= 6);
    for section in rubrics {
        let articles = section["articles"].as_array().unwrap();
        assert!(articles.len() <= 2);
        for a in articles {
            assert_eq!(a["rubric"]["slug"], section["rubric"]["slug"]);
        }
    }
}

#[tokio::test]
async fn rubric_and_author_pages_paginate_their_articles() {
    let app = TestApp::spawn().await;
    let q = "query($slug: String!, $after: String) { rubric(slug: $slug) { name articles(first: 4, after: $after) {
               totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { slug rubric { slug } } } } }";
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app
            .query(q, json!({ "slug": fx::RUBRIC_SLUG, "after": after }))
            .await;
        let conn = &data["rubric"]["articles"];
        assert_eq!(conn["totalCount"], 10);
        seen.extend(slugs(&conn["nodes"]));
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 10);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10, "no article twice across pages");

    let data = app
        .query(
            "query($slug: String!) { author(slug: $slug) { name bio articles(first: 100) { totalCount nodes { authors { slug } } } } }",
            json!({ "slug": fx::AUTHOR_SLUG }),
        )
        .await;
    let conn = &data["author"]["articles"];
    assert_eq!(conn["totalCount"], 8);
    for a in conn["nodes"].as_array().unwrap() {
        assert!(
            a["authors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|au| au["slug"] == fx::AUTHOR_SLUG)
        );
    }
}

#[tokio::test]
async fn lists_filter_sort_and_page_both_ways() {
    let app = TestApp::spawn().await;
    let q = "query($f: ArticleFilter, $first: Int, $after: String, $last: Int, $before: String, $o: ArticleOrder) {
               articles(filter: $f, first: $first, after: $after, last: $last, before: $before, orderBy: $o) {
                 totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { slug title language } } }";
    let english = app
        .query(q, json!({ "f": { "language": "en" }, "first": 100 }))
        .await;
    assert!(
        english["articles"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["language"] == "en")
    );
    let tagged = app
        .query(q, json!({ "f": { "tag": fx::TAG_SLUG }, "first": 100 }))
        .await;
    assert_eq!(tagged["articles"]["totalCount"], 10);
    let combined = app
        .query(q, json!({ "f": { "rubric": fx::RUBRIC_SLUG, "author": fx::AUTHOR_SLUG, "language": "fr" }, "first": 100 }))
        .await;
    assert!(combined["articles"]["totalCount"].as_i64().unwrap() >= 1);
    let far_future = app
        .query(
            q,
            json!({ "f": { "publishedAfter": "2999-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(far_future["articles"]["totalCount"], 0);

    let by_title = app
        .query(q, json!({ "o": "TITLE_ASC", "first": 100 }))
        .await;
    let titles: Vec<String> = by_title["articles"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect();
    assert!(titles.len() >= 50);

    // Forward pages of 7, then walk back with last/before: the same articles.
    let all = app.query(q, json!({ "first": 100 })).await;
    let all = slugs(&all["articles"]["nodes"]);
    let page1 = app.query(q, json!({ "first": 7 })).await;
    let page2 = app
        .query(
            q,
            json!({ "first": 7, "after": page1["articles"]["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(slugs(&page2["articles"]["nodes"]), all[7..14].to_vec());
    assert!(
        page2["articles"]["pageInfo"]["hasPreviousPage"]
            .as_bool()
            .unwrap()
    );
    let back = app
        .query(
            q,
            json!({ "last": 7, "before": page2["articles"]["pageInfo"]["startCursor"] }),
        )
        .await;
    assert_eq!(slugs(&back["articles"]["nodes"]), all[0..7].to_vec());
    assert!(
        !back["articles"]["pageInfo"]["hasPreviousPage"]
            .as_bool()
            .unwrap()
    );
    let tail = app.query(q, json!({ "last": 3 })).await;
    assert_eq!(
        slugs(&tail["articles"]["nodes"]),
        all[all.len() - 3..].to_vec()
    );
}

#[tokio::test]
async fn page_sizes_above_the_cap_are_refused_with_a_clear_code() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql("{ articles(first: 101) { nodes { slug } } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");
    let body = app
        .graphql(
            "{ articles(after: \"garbage\") { nodes { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app
        .graphql(
            "{ articles(first: 2, last: 2) { nodes { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn every_type_is_reachable_by_node_id() {
    let app = TestApp::spawn().await;
    let data = app
        .query(
            "query($slug: String!) { article(slug: $slug) { id rubric { id } authors { id } tags { id }
               comments(first: 1) { nodes { id } } } }",
            json!({ "slug": fx::COMMENTED_SLUG }),
        )
        .await;
    let a = &data["article"];
    let ids = [
        (a["id"].clone(), "Article"),
        (a["rubric"]["id"].clone(), "Rubric"),
        (a["authors"][0]["id"].clone(), "Author"),
        (a["tags"][0]["id"].clone(), "Tag"),
        (a["comments"]["nodes"][0]["id"].clone(), "Comment"),
    ];
    for (id, typename) in ids {
        let data = app
            .query(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data["node"]["__typename"], typename);
        assert_eq!(data["node"]["id"], id);
    }
    let body = app
        .graphql("{ node(id: \"bm9wZQ==\") { id } }", json!({}))
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

/// A public read over GET is cacheable like a REST read: strong ETag, 304 on If-None-Match,
/// `Cache-Control: public` and the Surrogate-Keys of the ids it selects. POSTs, signed-in
/// callers and answers with errors are not shared.
#[tokio::test]
async fn graphql_reads_over_get_carry_etags_cache_control_and_surrogate_keys() {
    let app = TestApp::spawn().await;
    let url = app.url(
        "/graphql?query=%7B%20articles(first%3A%202)%20%7B%20nodes%20%7B%20id%20slug%20rubric%20%7B%20id%20%7D%20%7D%20%7D%20%7D",
    );
    let first = app.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let headers = first.headers().clone();
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public"),
        "{headers:?}"
    );
    let keys = headers["surrogate-key"].to_str().unwrap().to_owned();
    let body: serde_json::Value = first.json().await.unwrap();
    for node in body["data"]["articles"]["nodes"].as_array().unwrap() {
        let (kind, n) = kiosque::content::ids::decode("id", node["id"].as_str().unwrap()).unwrap();
        assert!(
            keys.split(' ')
                .any(|k| k == format!("{}-{n}", kind.name().to_ascii_lowercase()))
        );
    }
    let again = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let signed_in = app
        .client
        .get(&url)
        .bearer_auth(app.token(kiosque::auth::Role::Editor).await)
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    assert!(
        signed_in.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    assert!(signed_in.headers().get("surrogate-key").is_none());

    let with_errors = app
        .client
        .get(app.url("/graphql?query=%7B%20articles(first%3A%20-1)%20%7B%20nodes%20%7B%20id%20%7D%20%7D%20%7D"))
        .send()
        .await
        .unwrap();
    let cache = with_errors.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = with_errors.json().await.unwrap();
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(cache.starts_with("private"), "{cache}");

    let posted = app
        .client
        .post(app.url("/graphql"))
        .json(&serde_json::json!({ "query": "{ articles(first: 2) { nodes { id } } }" }))
        .send()
        .await
        .unwrap();
    assert!(posted.headers().get("etag").is_none());
}

/// Automatic persisted queries: an unknown hash is `PERSISTED_QUERY_NOT_FOUND`, hash and text
/// register the text (checked against the hash), then the hash alone runs it — over GET too,
/// with the caching headers of a public read.
#[tokio::test]
async fn automatic_persisted_queries_register_once_then_run_by_hash() {
    use sha2::{Digest, Sha256};
    let app = TestApp::spawn().await;
    let query = "query Une { articles(first: 1) { nodes { slug } } }";
    let hash: String = Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let by_hash = || {
        app.client
            .get(app.url("/graphql"))
            .query(&[("extensions", extensions.to_string())])
            .send()
    };
    let unknown: serde_json::Value = by_hash().await.unwrap().json().await.unwrap();
    assert_eq!(
        error_code(&unknown),
        "PERSISTED_QUERY_NOT_FOUND",
        "{unknown}"
    );

    let wrong = app
        .graphql_with_extensions("{ __typename }", &extensions)
        .await;
    assert_eq!(error_code(&wrong), "BAD_REQUEST", "{wrong}");

    let registered = app.graphql_with_extensions(query, &extensions).await;
    assert!(registered.get("errors").is_none(), "{registered}");
    let expected = registered["data"].clone();

    let answer = by_hash().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().contains_key("etag"));
    assert!(
        answer.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["data"], expected);
}

/// Every GraphQL error carries `extensions.code`: an argument the executor cannot coerce (an
/// `Int` past 32 bits) is the caller's input, `BAD_USER_INPUT`.
#[tokio::test]
async fn an_argument_that_does_not_fit_its_type_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "mutation { publishArticle(id: \"QXJ0aWNsZTox\", version: 36688238077903) { id } }",
            json!({}),
        )
        .await;
    let errors = body["errors"].as_array().expect("errors");
    assert!(!errors.is_empty(), "{body:#}");
    for error in errors {
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body:#}");
    }
}
