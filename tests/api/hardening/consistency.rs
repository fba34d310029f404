//! Small inconsistencies of the adversarial probe round (issue 16, finding 7): every answer
//! in the door's own format, REST fields under their wire names, bulk moderation capped on
//! what was sent, single-line texts without line breaks or bidi overrides, a cap on request
//! heads, and JSON objects that name a key once.

use kiosque::auth::Role;
use kiosque::content::ids::{Kind, encode};
use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::{admin_token, read_head};
use crate::helpers::TestApp;

/// Posts `body` (raw) to `path` as JSON; returns the status, content type and JSON answer.
async fn post_raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: String,
) -> (StatusCode, String, Value) {
    let mut request = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap_or_default();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, content_type, value)
}

#[tokio::test]
async fn a_body_past_the_server_limit_is_answered_in_each_doors_format() {
    let app = TestApp::spawn().await;
    let editor = app.token(Role::Editor).await;
    let pad = "x".repeat(300 * 1024);
    let (status, content_type, body) = post_raw(
        &app,
        "/v1/tags",
        Some(&editor),
        format!("{{\"name\":\"{pad}\"}}"),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(content_type, "application/problem+json", "{body}");
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE", "{body}");
    assert_eq!(body["status"], 413);
    let (status, content_type, body) = post_raw(
        &app,
        "/graphql",
        None,
        format!("{{\"query\":\"{{ __typename }}\",\"pad\":\"{pad}\"}}"),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(content_type.contains("json"), "{content_type}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE",
        "{body}"
    );
}

#[tokio::test]
async fn rest_problems_name_fields_as_rest_clients_spell_them() {
    let app = TestApp::spawn().await;
    let editor = app.token(Role::Editor).await;
    // The field and the sentence that explains it spell it the same way.
    let response = app.get("/v1/home?per_rubric=-1").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["field"], "per_rubric", "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("per_rubric") && !detail.contains("perRubric"),
        "{body}"
    );
    let (status, _, body) = post_raw(
        &app,
        "/v1/auth/logout",
        None,
        json!({ "refresh_token": "" }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "refresh_token", "{body}");
    assert!(
        !body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("refreshToken"),
        "{body}"
    );
    let (status, _, body) = post_raw(
        &app,
        "/v1/authors",
        Some(&editor),
        json!({ "name": "Une autrice", "avatar_url": "ftp://images.example/a.png" }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "avatar_url", "{body}");
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("avatar_url") && !detail.contains("avatarUrl"),
        "{body}"
    );
    // GraphQL keeps its own spelling.
    let answer = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&editor)
        .json(&json!({ "query": "mutation { createAuthor(input: { name: \"Une autrice\", avatarUrl: \"ftp://x.example/a\" }) { slug } }" }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        answer["errors"][0]["extensions"]["field"], "avatarUrl",
        "{answer}"
    );
}

#[tokio::test]
async fn bulk_moderation_counts_copies_of_an_id_against_its_cap() {
    let app = TestApp::spawn().await;
    let admin = admin_token(&app).await;
    let id = encode(Kind::Comment, 1);
    let (status, _, body) = post_raw(
        &app,
        "/v1/moderation/actions",
        Some(&admin),
        json!({ "ids": vec![id.clone(); 101], "action": "approve" }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "ids", "{body}");
}

#[tokio::test]
async fn single_line_texts_refuse_line_breaks_control_characters_and_bidi_overrides() {
    let app = TestApp::spawn().await;
    let editor = app.token(Role::Editor).await;
    let hostile = [
        "Nom\r\nX-Injected: 1",
        "Nom\u{0}nul",
        "Nom\u{1b}[31m",
        "Nom\u{202e}gnp.exe",
    ];
    for bad in hostile {
        for (path, body, field) in [
            ("/v1/tags", json!({ "name": bad }), "name"),
            ("/v1/rubrics", json!({ "name": bad }), "name"),
            ("/v1/authors", json!({ "name": bad }), "name"),
            (
                "/v1/articles",
                json!({ "title": bad, "rubric": fx::RUBRIC_SLUG, "authors": [fx::AUTHOR_SLUG] }),
                "title",
            ),
            (
                "/v1/articles",
                json!({
                    "title": "Un titre",
                    "rubric": fx::RUBRIC_SLUG,
                    "authors": [fx::AUTHOR_SLUG],
                    "sources": [{ "name": bad, "url": null }]
                }),
                "sources[0].name",
            ),
        ] {
            let (status, _, answer) = post_raw(&app, path, Some(&editor), body.to_string()).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{path} {bad:?}: {answer}"
            );
            assert_eq!(answer["field"], field, "{path} {bad:?}");
        }
        let comments = format!("/v1/articles/{}/comments", fx::COMMENTED_SLUG);
        let (status, _, answer) = post_raw(
            &app,
            &comments,
            None,
            json!({ "author_name": bad, "author_email": "a@example.org", "body": "Un commentaire." })
                .to_string(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {answer}"
        );
        assert_eq!(answer["field"], "author_name");
        let share = format!("/v1/articles/{}/share", fx::COMMENTED_SLUG);
        let (status, _, answer) = post_raw(
            &app,
            &share,
            None,
            json!({ "recipient_email": "b@example.org", "sender_name": bad }).to_string(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}: {answer}"
        );
        assert_eq!(answer["field"], "sender_name");
    }
    // Prose keeps its line breaks, not the rest.
    let (status, _, answer) = post_raw(
        &app,
        "/v1/authors",
        Some(&editor),
        json!({ "name": "Zoé", "bio": "Ligne un\nLigne deux\u{0}" }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "bio");
    let (status, _, answer) = post_raw(
        &app,
        "/v1/authors",
        Some(&editor),
        json!({ "name": "Zoé ‏עברית", "bio": "Ligne un\r\nLigne deux" }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    // GraphQL refuses the same, with the field.
    let answer = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&editor)
        .json(&json!({ "query": "mutation($n: String!) { createTag(input: { name: $n }) { slug } }", "variables": { "n": "a\nb" } }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
    assert_eq!(
        answer["errors"][0]["extensions"]["field"], "name",
        "{answer}"
    );
}

#[tokio::test]
async fn a_request_head_past_its_cap_is_refused_with_431() {
    let app = TestApp::spawn().await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let big = "a".repeat(200 * 1024);
    let request = format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n");
    // The server may stop reading once it has seen enough: a failed write is fine.
    let _ = stream.write_all(request.as_bytes()).await;
    let head = read_head(&mut stream).await;
    assert!(head.starts_with("HTTP/1.1 431"), "{head}");
    // An ordinary request with a long cookie still passes.
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("cookie", "c".repeat(8 * 1024))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn json_objects_that_name_a_key_twice_are_refused_by_both_doors() {
    let app = TestApp::spawn().await;
    let editor = app.token(Role::Editor).await;
    let (status, content_type, body) = post_raw(
        &app,
        "/v1/tags",
        Some(&editor),
        r#"{"name": "Économie", "slug": "economie-bis", "name": "Autre"}"#.into(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("duplicate key `name`"),
        "{body}"
    );
    for raw in [
        r#"{"query": "{ __typename }", "query": "{ articles(first: 1) { nodes { slug } } }"}"#,
        r#"{"query": "query($n: Int) { __typename }", "variables": {"n": 1, "n": 2}}"#,
    ] {
        let (_, _, body) = post_raw(&app, "/graphql", None, raw.into()).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("duplicate key"), "{message}");
    }
}

/// A text is bounded as sent, as the contract's `maxLength` says (finding 8: a name padded
/// with spaces past its maximum was accepted, trimmed, although the contract refused it);
/// the trimmed text must still hold something.
#[tokio::test]
async fn texts_are_bounded_as_sent_and_trimmed_when_kept() {
    let app = TestApp::spawn().await;
    let editor = app.token(Role::Editor).await;
    let padded = format!("Nom{}", " ".repeat(120));
    let (status, _, answer) = post_raw(
        &app,
        "/v1/tags",
        Some(&editor),
        json!({ "name": padded }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "name");
    let share = format!("/v1/articles/{}/share", fx::COMMENTED_SLUG);
    let (status, _, answer) = post_raw(
        &app,
        &share,
        None,
        json!({ "recipient_email": "b@example.org", "sender_name": format!("Zoé{}", " ".repeat(80)) })
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["field"], "sender_name");
    // Within the bound, the stored text is trimmed.
    let (status, _, answer) = post_raw(
        &app,
        "/v1/tags",
        Some(&editor),
        json!({ "name": "  Météo\u{a0} " }).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["data"]["name"], "Météo");
}
