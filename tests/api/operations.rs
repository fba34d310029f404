//! Operations endpoints and the protections that are on by default.

use serde_json::json;

use crate::helpers::{TestApp, error_code};

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let response = app.get("/nope").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "NOT_FOUND");
}

#[tokio::test]
async fn too_deep_or_too_complex_queries_are_refused() {
    let app = TestApp::spawn_with(|c| {
        c.graphql_max_depth = 6;
        c.graphql_max_complexity = 500;
    })
    .await;
    let deep = "{ articles(first: 1) { nodes { related(first: 1) { related(first: 1) { related(first: 1) { related(first: 1) { slug } } } } } } }";
    let body = app.graphql(deep, json!({})).await;
    assert!(
        body["data"].is_null() || body.get("data").is_none(),
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("deep"),
        "{body}"
    );
    let costly = "{ articles(first: 100) { nodes { comments(first: 100) { nodes { body } } } } }";
    let body = app.graphql(costly, json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("complex"),
        "{body}"
    );
    let fine = app
        .graphql("{ articles(first: 5) { nodes { slug } } }", json!({}))
        .await;
    assert!(fine.get("errors").is_none(), "{fine}");
    let _ = error_code(&fine);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::spawn_with(|c| c.body_limit = 4096).await;
    let big = "x".repeat(10_000);
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"query\":\"{{ __typename }}\",\"pad\":\"{big}\"}}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn graphql_reads_work_over_get() {
    let app = TestApp::spawn().await;
    let response = app.get("/graphql?query=%7B__typename%7D").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
}
