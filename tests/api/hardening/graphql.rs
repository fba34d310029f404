//! The GraphQL door: request-level failures and their statuses, the limits (each at the
//! limit and one above, with no SQL run), batches, introspection, media types, methods, the
//! body limit, and the trusted-document allow-list of restricted partner keys.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{admin_token, read_head};
use crate::helpers::{TestApp, error_code};
use kiosque::auth::Role;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Posts a GraphQL body as-is, with this `Accept`, and returns the status and the body.
async fn post_graphql(app: &TestApp, accept: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.expect("JSON body"))
}

/// A request-level failure: the status for each kind of client, the code, and that no SQL
/// statement ran for it.
async fn refused(app: &TestApp, query: &str) -> (StatusCode, StatusCode, String) {
    let before = app.statements();
    let (strict, body) = post_graphql(app, GRAPHQL_RESPONSE, json!({ "query": query })).await;
    let (plain, plain_body) =
        post_graphql(app, "application/json", json!({ "query": query })).await;
    assert_eq!(app.statements(), before, "no statement runs for {query}");
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(error_code(&body), error_code(&plain_body));
    (strict, plain, error_code(&body).to_owned())
}

async fn accepted(app: &TestApp, query: &str) {
    let (status, body) = post_graphql(app, GRAPHQL_RESPONSE, json!({ "query": query })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{query}: {body}");
}

#[tokio::test]
async fn request_level_failures_carry_a_code_and_the_graphql_over_http_status() {
    let app = TestApp::spawn().await;
    let (strict, plain, code) = refused(&app, "{ articles(first: 1) { nodes { slug }").await;
    assert_eq!((strict, plain), (StatusCode::BAD_REQUEST, StatusCode::OK));
    assert_eq!(code, "GRAPHQL_PARSE_FAILED");
    let (strict, plain, code) = refused(&app, "{ nothingHere }").await;
    assert_eq!((strict, plain), (StatusCode::BAD_REQUEST, StatusCode::OK));
    assert_eq!(code, "GRAPHQL_VALIDATION_FAILED");

    // A resolver error keeps its own code, and the request is not a request-level failure.
    let (status, body) = post_graphql(
        &app,
        GRAPHQL_RESPONSE,
        json!({ "query": "{ articles(first: 1000) { nodes { slug } } }" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn depth_is_accepted_at_the_limit_and_refused_one_above() {
    let app = TestApp::spawn_with(|c| c.graphql_max_depth = 3).await;
    accepted(&app, "{ articles(first: 1) { nodes { slug } } }").await;
    let (strict, _, code) =
        refused(&app, "{ articles(first: 1) { nodes { rubric { slug } } } }").await;
    assert_eq!(strict, StatusCode::BAD_REQUEST);
    assert_eq!(code, "QUERY_TOO_DEEP");
}

#[tokio::test]
async fn complexity_counts_first_times_child_and_bounds_aliases() {
    // `articles(first: n) { nodes { slug } }` costs n × 2 + 1.
    let app = TestApp::spawn_with(|c| c.graphql_max_complexity = 21).await;
    accepted(&app, "{ articles(first: 10) { nodes { slug } } }").await;
    let (_, _, code) = refused(&app, "{ articles(first: 11) { nodes { slug } } }").await;
    assert_eq!(code, "QUERY_TOO_COMPLEX");
    let (_, _, code) = refused(
        &app,
        "{ a: articles(first: 6) { nodes { slug } } b: articles(first: 6) { nodes { slug } } }",
    )
    .await;
    assert_eq!(code, "QUERY_TOO_COMPLEX");
}

#[tokio::test]
async fn a_proven_query_with_a_larger_page_variable_meets_the_limits_again() {
    let app = TestApp::spawn_with(|c| c.graphql_max_complexity = 21).await;
    let query = "query Latest($n: Int) { articles(first: $n) { nodes { slug } } }";
    let send = |n: i64| {
        post_graphql(
            &app,
            GRAPHQL_RESPONSE,
            json!({ "query": query, "variables": { "n": n } }),
        )
    };
    for n in [10, 10, 5] {
        let (status, body) = send(n).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"]["articles"]["nodes"].as_array().unwrap().len() as i64,
            n.min(10)
        );
    }
    // Proven at 10, the document is still checked at 11 (the fast path plans literal page
    // sizes only, so a variable one always meets the limits again).
    let hits = app.state.documents.fast_path_hits();
    let before = app.statements();
    let (status, body) = send(11).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(error_code(&body), "QUERY_TOO_COMPLEX");
    assert_eq!(app.state.documents.fast_path_hits(), hits);
    assert_eq!(app.statements(), before);
}

fn nested_fragments(levels: usize) -> String {
    format!(
        "{{ {} __typename {} }}",
        "... on Query { ".repeat(levels),
        "}".repeat(levels)
    )
}

#[tokio::test]
async fn recursion_and_directives_are_limited() {
    let app = TestApp::spawn_with(|c| {
        c.hardening.graphql_max_recursion = 5;
        c.hardening.graphql_max_directives = 1;
    })
    .await;
    accepted(&app, &nested_fragments(5)).await;
    let (_, _, code) = refused(&app, &nested_fragments(6)).await;
    assert_eq!(code, "QUERY_TOO_NESTED");

    accepted(
        &app,
        "{ articles(first: 1) { nodes { slug @include(if: true) } } }",
    )
    .await;
    let (_, _, code) = refused(
        &app,
        "{ articles(first: 1) { nodes { slug @include(if: true) @skip(if: false) } } }",
    )
    .await;
    assert_eq!(code, "TOO_MANY_DIRECTIVES");
}

#[tokio::test]
async fn batched_requests_are_refused() {
    let app = TestApp::spawn().await;
    let before = app.statements();
    let (status, body) = post_graphql(
        &app,
        GRAPHQL_RESPONSE,
        json!([{ "query": "{ articles(first: 1) { nodes { slug } } }" }, { "query": "{ __typename }" }]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), "BATCH_NOT_SUPPORTED");
    assert_eq!(app.statements(), before);
}

#[tokio::test]
async fn introspection_suggestions_and_graphiql_are_off_outside_demo_mode() {
    let app = TestApp::spawn().await;
    // Refused with a code, not answered as if the schema were empty.
    for query in [
        "{ __schema { queryType { name } } } ",
        "{ __type(name: \"Article\") { fields { name } } }",
        "query { ...F } fragment F on Query { __schema { types { name } } }",
        "{ articles(first: 1) { nodes { slug } } ... on Query { __type(name: \"Tag\") { name } } }",
    ] {
        let (status, body) = post_graphql(&app, GRAPHQL_RESPONSE, json!({ "query": query })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "INTROSPECTION_DISABLED",
            "{query}: {body}"
        );
        assert!(
            body.get("data").is_none() || body["data"].is_null(),
            "{body}"
        );
    }
    let (_, body) = post_graphql(
        &app,
        GRAPHQL_RESPONSE,
        json!({ "query": "{ article { slugg } }" }),
    )
    .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("Did you mean"), "{message}");
    assert_eq!(app.get("/graphql").await.status(), StatusCode::NOT_FOUND);
    accepted(&app, "{ __typename }").await;

    let dev = TestApp::spawn_with(|c| c.hardening.graphql_introspection = true).await;
    accepted(&dev, "{ __schema { queryType { name } } }").await;
    let (_, body) = post_graphql(
        &dev,
        GRAPHQL_RESPONSE,
        json!({ "query": "{ article { slugg } }" }),
    )
    .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("Did you mean"), "{message}");

    let demo = TestApp::spawn_with(|c| c.demo = true).await;
    let page = demo
        .client
        .get(demo.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("unpkg.com") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    accepted(&demo, "{ __schema { queryType { name } } }").await;
    // The full introspection query of GraphiQL and code generators (nine nested `ofType`)
    // passes where introspection is on, whatever the depth limit of ordinary queries.
    let type_ref = (0..9).fold(String::from("kind name"), |inner, _| {
        format!("kind name ofType {{ {inner} }}")
    });
    let full = format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} types {{ kind name \
         fields(includeDeprecated: true) {{ name args {{ name type {{ {type_ref} }} }} \
         type {{ {type_ref} }} }} inputFields {{ name type {{ {type_ref} }} }} }} \
         directives {{ name locations args {{ name type {{ {type_ref} }} }} }} }} }}"
    );
    let (_, body) = post_graphql(&demo, GRAPHQL_RESPONSE, json!({ "query": full })).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(body["data"]["__schema"]["types"].as_array().unwrap().len() > 20);
}

#[tokio::test]
async fn a_post_that_is_not_json_is_415_even_for_a_proven_query() {
    let app = TestApp::spawn().await;
    let query = "{ articles(first: 2) { nodes { slug title } } }";
    accepted(&app, query).await;
    accepted(&app, query).await;
    let hits = app.state.documents.fast_path_hits();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header("content-type", content_type)
            .body(json!({ "query": query }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "UNSUPPORTED_MEDIA_TYPE");
    }
    assert_eq!(app.state.documents.fast_path_hits(), hits);
}

#[tokio::test]
async fn a_mutation_over_get_is_405_with_allow_post() {
    let app = TestApp::spawn().await;
    let before = app.statements();
    let response = app
        .get("/graphql?query=mutation%20%7B%20logout(refreshToken%3A%20%22x%22)%20%7D")
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "METHOD_NOT_ALLOWED");
    assert_eq!(app.statements(), before);
    // Queries over GET still work.
    let response = app
        .get("/graphql?query=%7B%20articles(first%3A%201)%20%7B%20nodes%20%7B%20slug%20%7D%20%7D%20%7D")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_graphql_body_limit_is_its_own_and_stops_reading_a_stream() {
    let app = TestApp::spawn_with(|c| c.hardening.graphql_body_limit = 1024).await;
    let pad = "x".repeat(2_000);
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"query\":\"{{ __typename }}\",\"pad\":\"{pad}\"}}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE");

    // Chunked, without a length: the server answers 413 once 1 KiB has arrived, without
    // waiting for (or buffering) the rest, which is never sent.
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = "POST /graphql HTTP/1.1\r\nhost: kiosque\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = "y".repeat(1_500);
    stream
        .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
        .await
        .unwrap();
    let answer = read_head(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // A GET is held to the same size.
    let long = app
        .get(&format!(
            "/graphql?query=%7B__typename%7D&pad={}",
            "z".repeat(1_100)
        ))
        .await;
    assert_eq!(long.status(), StatusCode::URI_TOO_LONG);

    // Under the limit, the same endpoint answers.
    let small = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(small["data"]["__typename"], "Query");
}

async fn admin_call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn partner_graphql(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("x-api-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_restricted_partner_key_runs_trusted_documents_only() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let document = "query PartnerLatest { articles(first: 2) { nodes { slug } } }";
    let (status, registered) = admin_call(
        &app,
        &admin,
        reqwest::Method::POST,
        "/v1/trusted-documents",
        json!({ "name": "partner-latest", "document": document }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let hash = registered["data"]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(hash.len(), 64);

    let (status, created) = admin_call(
        &app,
        &admin,
        reqwest::Method::POST,
        "/v1/api-keys",
        json!({ "name": "Partenaire", "scopes": ["articles:read"] }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let key = created["data"]["key"].as_str().unwrap().to_owned();
    let id = created["data"]["api_key"]["id"].as_i64().unwrap();

    // Not restricted yet: raw text runs.
    let (status, body) = partner_graphql(&app, &key, json!({ "query": "{ __typename }" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["__typename"], "Query");

    let (status, restricted) = admin_call(
        &app,
        &admin,
        reqwest::Method::PUT,
        &format!("/v1/api-keys/{id}/trusted-documents-only"),
        json!({ "enabled": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{restricted}");
    assert_eq!(restricted["data"]["trusted_documents_only"], true);

    let persisted = |hash: &str| json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
    for _ in 0..2 {
        let (status, body) = partner_graphql(&app, &key, persisted(&hash)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["data"]["articles"]["nodes"].as_array().unwrap().len(),
            2
        );
    }
    let (_, body) = partner_graphql(&app, &key, persisted(&"0".repeat(64))).await;
    assert_eq!(error_code(&body), "PERSISTED_QUERY_NOT_FOUND");
    let (status, body) = partner_graphql(&app, &key, json!({ "query": document })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), "FORBIDDEN");
    let (status, body) = partner_graphql(
        &app,
        &key,
        json!({ "query": "{ __typename }", "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another text under a trusted hash: {body}"
    );

    // Only admins manage the list.
    let (status, _) = admin_call(
        &app,
        &app.token(Role::Editor).await,
        reqwest::Method::POST,
        "/v1/trusted-documents",
        json!({ "name": "x", "document": "{ __typename }" }),
    )
    .await;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED),
        "{status}"
    );
}
