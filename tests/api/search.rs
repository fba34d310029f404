//! Full-text search, language-aware on both engines.

use kiosque::seed::demo::fixtures as fx;
use serde_json::json;

use crate::helpers::{TestApp, error_code, slugs};

const SEARCH: &str = "query($q: String!, $first: Int, $after: String) { search(query: $q, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { slug } } }";

#[tokio::test]
async fn a_search_without_accents_finds_the_accented_word() {
    let app = TestApp::spawn().await;
    let data = app.query(SEARCH, json!({ "q": "etrangere" })).await;
    assert_eq!(
        slugs(&data["search"]["nodes"]),
        vec![fx::FOREIGN_POLICY_SLUG.to_owned()]
    );
    assert_eq!(data["search"]["totalCount"], 1);
}

#[tokio::test]
async fn a_plural_finds_the_singular_through_stemming() {
    let app = TestApp::spawn().await;
    let data = app.query(SEARCH, json!({ "q": "missiles" })).await;
    assert!(slugs(&data["search"]["nodes"]).contains(&fx::MISSILE_SLUG.to_owned()));
}

#[tokio::test]
async fn search_pages_forward_and_ignores_operators() {
    let app = TestApp::spawn().await;
    let all = app
        .query(SEARCH, json!({ "q": "politique", "first": 100 }))
        .await;
    let total = all["search"]["totalCount"].as_i64().unwrap();
    let first = app
        .query(SEARCH, json!({ "q": "politique", "first": 2 }))
        .await;
    if total > 2 {
        let next = app.query(SEARCH, json!({ "q": "politique", "first": 2, "after": first["search"]["pageInfo"]["endCursor"] })).await;
        let all_slugs = slugs(&all["search"]["nodes"]);
        assert_eq!(
            slugs(&next["search"]["nodes"]),
            all_slugs[2..4.min(all_slugs.len())].to_vec()
        );
    }
    for hostile in [
        "\"unbalanced",
        "title:zeppelin OR *",
        "NEAR(a b)",
        "'); DROP TABLE articles; --",
    ] {
        let body = app.graphql(SEARCH, json!({ "q": hostile })).await;
        assert!(body.get("errors").is_none(), "{hostile}: {body}");
    }
    let body = app.graphql(SEARCH, json!({ "q": "   " })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

/// `n` drafts and one published article about zeppelins (none in the demo content): every
/// draft says "zeppelin" in its title, standfirst and text, and so outranks the published
/// article, which says it once in a long text.
async fn zeppelin_drafts(app: &TestApp, n: u32) -> String {
    use sea_orm::{ConnectionTrait, Statement, Value as V};
    let db = app.state.db();
    let clone = "SELECT $1, $2, $3, $4, $5, 'en', $6, a.published_at, a.rubric_id, a.created_at, a.updated_at FROM articles a WHERE a.slug = $7";
    let insert = "INSERT INTO articles (slug, title, standfirst, body, body_text, language, status, published_at, rubric_id, created_at, updated_at) ";
    let text = |s: &str| V::String(Some(s.to_owned()));
    let published = "the-zeppelin-at-the-end";
    let long = format!(
        "{} zeppelin.",
        "A long story about airships and the weather over the sea, told slowly.".repeat(20)
    );
    db.conn
        .execute_raw(Statement::from_sql_and_values(
            db.backend(),
            format!("{insert}{clone}"),
            vec![
                text(published),
                text("Airships"),
                text("A long story"),
                text(&long),
                text(&long),
                text("published"),
                text(fx::FOREIGN_POLICY_SLUG),
            ],
        ))
        .await
        .expect("insert the published article");
    let drafts = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) {insert}\
         SELECT 'zeppelin-draft-' || n.i, 'Zeppelin zeppelin', 'Zeppelin zeppelin zeppelin', 'zeppelin', \
         'zeppelin zeppelin zeppelin', 'en', 'draft', NULL, a.rubric_id, a.created_at, a.updated_at \
         FROM n, articles a WHERE a.slug = $1"
    );
    db.conn
        .execute_raw(Statement::from_sql_and_values(
            db.backend(),
            drafts,
            vec![text(fx::FOREIGN_POLICY_SLUG)],
        ))
        .await
        .expect("insert the drafts");
    published.to_owned()
}

/// A search reads a bounded set of its best matches first: when more drafts than that
/// outrank the only published match, the published one is still found, on page 1, and
/// the total is exact; the staff, who see the drafts, get a total capped at 1,000.
#[tokio::test]
async fn a_match_outranked_by_more_drafts_than_the_candidate_set_is_still_found() {
    let app = TestApp::spawn().await;
    let published = zeppelin_drafts(&app, 2_500).await;
    let body: serde_json::Value = app
        .get("/v1/search?q=zeppelin&first=5&include_total=true")
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(slugs(&body["data"]), vec![published.clone()], "{body}");
    assert_eq!(body["page"]["total"], 1);
    let data = app
        .query(SEARCH, json!({ "q": "zeppelin", "first": 3 }))
        .await;
    assert_eq!(slugs(&data["search"]["nodes"]), vec![published]);
    assert_eq!(data["search"]["totalCount"], 1);

    let staff: serde_json::Value = app
        .client
        .get(app.url("/v1/search?q=zeppelin&first=2&include_total=true"))
        .bearer_auth(app.token(kiosque::auth::Role::Editor).await)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert_eq!(staff["page"]["total"], 1_000, "{staff}");
    let first = slugs(&staff["data"]);
    assert!(
        first.iter().all(|s| s.starts_with("zeppelin-draft-")),
        "{first:?}"
    );
    // The next pages follow on from the first, deep into the drafts.
    let mut seen = first.clone();
    let mut next = staff["links"]["next"].as_str().map(str::to_owned);
    for _ in 0..3 {
        let url = next.expect("a next page");
        let page: serde_json::Value = app
            .client
            .get(&url)
            .bearer_auth(app.token(kiosque::auth::Role::Editor).await)
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON");
        let slugs = slugs(&page["data"]);
        assert_eq!(slugs.len(), 2, "{page}");
        assert!(
            slugs.iter().all(|s| !seen.contains(s)),
            "{slugs:?} repeats {seen:?}"
        );
        seen.extend(slugs);
        next = page["links"]["next"].as_str().map(str::to_owned);
    }
}
