//! `GET /metrics`: Prometheus text with requests by route template, latency histograms,
//! the database pool and the outbox backlog; optionally behind a bearer token.

use std::collections::HashMap;
use std::time::Duration;

use kiosque::seed::demo::fixtures as fx;
use serde_json::json;

use crate::helpers::TestApp;

/// The samples of an exposition, `name{labels}` → value (labels as written by the server).
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (key, value) = line.rsplit_once(' ')?;
            Some((key.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The value of the one sample whose name is `name` and whose labels contain every `label`.
fn sample(all: &HashMap<String, f64>, name: &str, labels: &[&str]) -> Option<f64> {
    let found: Vec<f64> = all
        .iter()
        .filter(|(key, _)| {
            key.split('{').next() == Some(name) && labels.iter().all(|l| key.contains(l))
        })
        .map(|(_, v)| *v)
        .collect();
    assert!(found.len() <= 1, "several samples of {name} {labels:?}");
    found.first().copied()
}

async fn scrape(app: &TestApp) -> HashMap<String, f64> {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    assert!(text.trim_end().ends_with("# EOF"), "a complete exposition");
    samples(&text)
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_time_them() {
    let app = TestApp::spawn_with(|c| c.mail_poll = Duration::from_secs(3600)).await;
    for slug in [fx::FOREIGN_POLICY_SLUG, fx::MISSILE_SLUG, "no-such-article"] {
        app.get(&format!("/v1/articles/{slug}")).await;
    }
    app.get("/nowhere/at/all").await;
    app.query("{ articles(first: 2) { nodes { slug } } }", json!({}))
        .await;
    let shared = app
        .client
        .post(app.url(&format!("/v1/articles/{}/share", fx::FOREIGN_POLICY_SLUG)))
        .json(&json!({ "recipient_email": "ami@example.fr", "sender_name": "Léa" }))
        .send()
        .await
        .unwrap();
    assert_eq!(shared.status(), 202);

    let all = scrape(&app).await;
    let route = "route=\"/v1/articles/{slug}\"";
    assert_eq!(
        sample(
            &all,
            "kiosque_http_requests_total",
            &[route, "status=\"200\""]
        ),
        Some(2.0),
        "the slug is not a label: one series for the template"
    );
    assert_eq!(
        sample(
            &all,
            "kiosque_http_requests_total",
            &[route, "status=\"404\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &all,
            "kiosque_http_requests_total",
            &["route=\"unmatched\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &all,
            "kiosque_http_requests_total",
            &["route=\"/graphql\"", "method=\"POST\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &all,
            "kiosque_http_request_duration_seconds_count",
            &[route]
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            &all,
            "kiosque_http_request_duration_seconds_bucket",
            &[route, "le=\"+Inf\""]
        ),
        Some(3.0)
    );
    assert!(sample(&all, "kiosque_http_request_duration_seconds_sum", &[route]).unwrap() > 0.0);
    assert!(sample(&all, "kiosque_db_statements_total", &[]).unwrap() >= 3.0);
    assert_eq!(
        sample(&all, "kiosque_db_pool_max_connections", &[]),
        Some(4.0)
    );
    assert!(sample(&all, "kiosque_db_pool_connections", &[]).unwrap() >= 1.0);
    assert_eq!(
        sample(&all, "kiosque_outbox_backlog", &["outbox=\"emails\""]),
        Some(1.0),
        "the queued share waits in the email outbox"
    );
    assert_eq!(
        sample(&all, "kiosque_outbox_backlog", &["outbox=\"webhooks\""]),
        Some(0.0)
    );
}

#[tokio::test]
async fn metrics_want_the_token_when_one_is_configured() {
    let app = TestApp::spawn_with(|c| c.metrics_token = Some("s3cret-scraper".into())).await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    let wrong = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("s3cret-scraper")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

#[tokio::test]
async fn graphql_requests_are_timed_by_operation_name() {
    let app = TestApp::spawn().await;
    for _ in 0..2 {
        app.query(
            "query Accueil { articles(first: 2) { nodes { slug } } }",
            json!({}),
        )
        .await;
    }
    app.query("{ __typename }", json!({})).await;
    let all = scrape(&app).await;
    assert_eq!(
        sample(
            &all,
            "kiosque_graphql_operation_duration_seconds_count",
            &["operation=\"Accueil\""]
        ),
        Some(2.0)
    );
    assert_eq!(
        sample(
            &all,
            "kiosque_graphql_operation_duration_seconds_count",
            &["operation=\"anonymous\""]
        ),
        Some(1.0)
    );
}
