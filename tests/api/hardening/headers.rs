//! Headers on every answer: security headers, `no-store` for credentials, CORS.

use reqwest::StatusCode;
use serde_json::json;

use super::admin_token;
use crate::helpers::TestApp;

#[tokio::test]
async fn every_answer_carries_security_headers_and_authenticated_ones_are_not_stored() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/nope", "/v1/articles?first=1"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.starts_with("default-src 'none'"), "{path}: {csp}");
    }
    let public = app.get("/v1/articles?first=1").await;
    assert!(
        public.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public"),
    );
    let token = admin_token(&app).await;
    let staff = app
        .client
        .get(app.url("/v1/articles?first=1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(staff.status(), StatusCode::OK);
    assert_eq!(staff.headers()["cache-control"], "private, no-store");
    let graphql = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ articles(first: 1) { nodes { slug } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(graphql.headers()["cache-control"], "private, no-store");
}

#[tokio::test]
async fn cors_allows_the_configured_origins_only() {
    let app = TestApp::spawn_with(|c| {
        c.hardening.cors_origins = vec!["https://lecteur.example".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let allowed = preflight("https://lecteur.example").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://lecteur.example"
    );
    let methods = allowed.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(headers.contains("authorization"), "{headers}");

    let other = preflight("https://ailleurs.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let simple = app
        .client
        .get(app.url("/healthz"))
        .header("origin", "https://lecteur.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        simple.headers()["access-control-allow-origin"],
        "https://lecteur.example"
    );
}
