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
