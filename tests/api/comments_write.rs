//! Posting comments, through both doors: who may, what a comment may hold, the honeypot,
//! rate limits (in process and in Redis), pending first comments and known writers,
//! idempotent retries.

use kiosque::auth::{Role, UserActor};
use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

/// A token signed for user `id` with `role`, whether or not such an account exists.
pub fn token_for(app: &TestApp, id: i64, role: Role) -> String {
    app.state
        .keys
        .issue(&UserActor {
            id,
            role,
            author_id: None,
        })
        .expect("token")
}

/// One number from SQL (`SELECT count(*) AS n …`).
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = &app.state.db().conn;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("n")
}

/// POSTs JSON, optionally signed in; returns the status, headers and body.
pub async fn post_json(
    app: &TestApp,
    path: &str,
    body: Value,
    token: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = app.client.post(app.url(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

/// GETs JSON, optionally signed in.
pub async fn get_json(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A guest comment on the commented fixture article.
pub fn guest(email: &str, body: &str) -> Value {
    json!({ "author_name": "Ana", "author_email": email, "body": body })
}

pub fn comments_path(slug: &str) -> String {
    format!("/v1/articles/{slug}/comments")
}

/// Posts a guest comment that must be accepted; returns its data.
pub async fn post_guest(app: &TestApp, email: &str, body: &str) -> Value {
    let (status, _, posted) = post_json(
        app,
        &comments_path(fx::COMMENTED_SLUG),
        guest(email, body),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{posted:#}");
    posted["data"].clone()
}

/// An editor's account and its token.
pub async fn editor(app: &TestApp) -> String {
    app.user(Role::Editor, "Edith Rédac", None).await.token
}

/// The public (approved) comment bodies of an article.
pub async fn public_bodies(app: &TestApp, slug: &str) -> Vec<String> {
    let (_, list) = get_json(app, &format!("{}?first=100", comments_path(slug)), None).await;
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_guest_first_comment_is_held_pending_and_hidden() {
    let app = TestApp::spawn().await;
    let posted = post_guest(&app, "new@example.fr", "Premier commentaire, bravo.").await;
    assert_eq!(posted["status"], "pending");
    assert_eq!(posted["author_name"], "Ana");
    assert!(posted["id"].as_str().is_some());
    assert!(
        !posted.to_string().contains("new@example.fr"),
        "the email is never exposed"
    );
    assert!(
        !public_bodies(&app, fx::COMMENTED_SLUG)
            .await
            .contains(&"Premier commentaire, bravo.".to_owned())
    );
    let stored = count(
        &app,
        "SELECT count(*) AS n FROM comments WHERE status = 'pending' AND body = 'Premier commentaire, bravo.' \
         AND client_hash IS NOT NULL AND client_hash <> '127.0.0.1'",
    )
    .await;
    assert_eq!(stored, 1, "stored pending with a hashed client");
}

#[tokio::test]
async fn known_emails_wait_too_when_auto_approval_is_off() {
    let app = TestApp::spawn_with(|c| c.auto_approve_known = false).await;
    let token = editor(&app).await;
    let first = post_guest(&app, "fidele@example.fr", "Un premier avis.").await;
    post_json(
        &app,
        "/v1/moderation/actions",
        json!({ "ids": [first["id"]], "action": "approve" }),
        Some(&token),
    )
    .await;
    let second = post_guest(&app, "fidele@example.fr", "Un second avis.").await;
    assert_eq!(second["status"], "pending");
}

#[tokio::test]
async fn a_signed_in_reader_writes_under_their_account_name() {
    let app = TestApp::spawn().await;
    let token = app.user(Role::Reader, "Lectrice Assidue", None).await.token;
    let (status, _, posted) = post_json(
        &app,
        &comments_path(fx::COMMENTED_SLUG),
        json!({ "author_name": "Quelqu'un d'autre", "body": "Mon avis de lectrice." }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{posted:#}");
    assert_eq!(posted["data"]["author_name"], "Lectrice Assidue");
    assert_eq!(posted["data"]["status"], "pending");
    let editor_token = editor(&app).await;
    post_json(
        &app,
        &format!(
            "/v1/moderation/comments/{}/actions",
            posted["data"]["id"].as_str().unwrap()
        ),
        json!({ "action": "approve" }),
        Some(&editor_token),
    )
    .await;
    let (_, _, again) = post_json(
        &app,
        &comments_path(fx::COMMENTED_SLUG),
        json!({ "body": "Et un deuxième." }),
        Some(&token),
    )
    .await;
    assert_eq!(again["data"]["status"], "approved");
    // A token for an account that does not exist cannot comment under it.
    let ghost = token_for(&app, 999, Role::Reader);
    let (status, _, _) = post_json(
        &app,
        &comments_path(fx::COMMENTED_SLUG),
        json!({ "body": "Fantôme." }),
        Some(&ghost),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn markup_is_stripped_and_the_text_stored_plain() {
    let app = TestApp::spawn().await;
    let posted = post_guest(
        &app,
        "html@example.fr",
        "<p>Bonjour <b>à tous</b> &amp; merci</p><script>alert(1)</script> 3 &lt; 4",
    )
    .await;
    assert_eq!(posted["body"], "Bonjour à tous & merci 3 < 4");
}

#[tokio::test]
async fn every_invalid_comment_is_refused_naming_its_field() {
    let app = TestApp::spawn().await;
    // A published comment of another article cannot be answered here, nor a pending one.
    let (_, list) = get_json(&app, &comments_path(fx::COMMENTED_SLUG), None).await;
    let approved_elsewhere = list["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, _, pending) = post_json(
        &app,
        &comments_path(fx::FOREIGN_POLICY_SLUG),
        guest("x@example.fr", "En attente."),
        None,
    )
    .await;
    let pending_here = pending["data"]["id"].as_str().unwrap().to_owned();
    let long = "a".repeat(5001);
    let links = "voir https://a.fr https://b.fr www.c.fr http://d.fr";
    let cases = [
        (
            json!({ "author_name": "Ana", "author_email": "a@example.fr", "body": "a" }),
            "body",
        ),
        (
            json!({ "author_name": "Ana", "author_email": "a@example.fr", "body": long }),
            "body",
        ),
        (
            json!({ "author_name": "Ana", "author_email": "a@example.fr", "body": "<p> </p><script>du texte</script>" }),
            "body",
        ),
        (
            json!({ "author_name": "Ana", "author_email": "a@example.fr", "body": links }),
            "body",
        ),
        (
            json!({ "author_name": "Ana", "author_email": "a@example.fr" }),
            "body",
        ),
        (
            json!({ "author_email": "a@example.fr", "body": "Bonjour." }),
            "author_name",
        ),
        (
            json!({ "author_name": " ", "author_email": "a@example.fr", "body": "Bonjour." }),
            "author_name",
        ),
        (
            json!({ "author_name": "n".repeat(81), "author_email": "a@example.fr", "body": "Bonjour." }),
            "author_name",
        ),
        (
            json!({ "author_name": "Ana", "body": "Bonjour." }),
            "author_email",
        ),
        (
            json!({ "author_name": "Ana", "author_email": "pas une adresse", "body": "Bonjour." }),
            "author_email",
        ),
        (
            json!({ "author_name": "Ana", "author_email": "a@example.fr", "body": "Bonjour.", "parent_id": "nimportequoi" }),
            "parent_id",
        ),
        (
            json!({ "author_name": "Ana", "author_email": "a@example.fr", "body": "Bonjour.", "parent_id": approved_elsewhere }),
            "parent_id",
        ),
        (
            json!({ "author_name": "Ana", "author_email": "a@example.fr", "body": "Bonjour.", "parent_id": pending_here }),
            "parent_id",
        ),
    ];
    for (body, field) in cases {
        let (status, _, problem) = post_json(
            &app,
            &comments_path(fx::FOREIGN_POLICY_SLUG),
            body.clone(),
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} -> {problem:#}"
        );
        assert_eq!(problem["field"], field, "{body}");
        assert_eq!(problem["code"], "BAD_USER_INPUT");
    }
    let (status, _, _) = post_json(
        &app,
        &comments_path("no-such-article"),
        guest("a@example.fr", "Bonjour."),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = post_json(
        &app,
        &comments_path(fx::DRAFT_SLUG),
        guest("a@example.fr", "Bonjour."),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "drafts take no comments");
    // GraphQL names the argument the GraphQL way.
    let body = app
        .graphql(
            "mutation($i: PostCommentInput!) { postComment(input: $i) { id } }",
            json!({ "i": { "articleSlug": fx::COMMENTED_SLUG, "authorName": "Ana", "authorEmail": "nope", "body": "Bonjour." } }),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "authorEmail");
}

#[tokio::test]
async fn graphql_posts_comments_and_replies() {
    let app = TestApp::spawn().await;
    let (_, list) = get_json(&app, &comments_path(fx::COMMENTED_SLUG), None).await;
    let parent = list["data"][0]["id"].as_str().unwrap().to_owned();
    let data = app
        .query(
            "mutation($i: PostCommentInput!) { postComment(input: $i) { id status parentId authorName body } }",
            json!({ "i": { "articleSlug": fx::COMMENTED_SLUG, "parentId": parent, "authorName": "Bob",
                           "authorEmail": "bob@example.fr", "body": "Je réponds <i>poliment</i>." } }),
        )
        .await;
    let posted = &data["postComment"];
    assert_eq!(posted["status"], "PENDING");
    assert_eq!(posted["parentId"], parent.as_str());
    assert_eq!(posted["body"], "Je réponds poliment.");
}

#[tokio::test]
async fn the_honeypot_answers_like_a_success_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let before = count(&app, "SELECT count(*) AS n FROM comments").await;
    let mut body = guest("bot@example.fr", "Achetez des montres.");
    body["website"] = json!("http://spam.example");
    let (status, _, posted) = post_json(&app, &comments_path(fx::COMMENTED_SLUG), body, None).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(posted["data"]["status"], "pending");
    assert_eq!(posted["data"]["body"], "Achetez des montres.");
    assert!(posted["data"]["id"].as_str().is_some());
    let data = app
        .query(
            "mutation($i: PostCommentInput!) { postComment(input: $i) { id status } }",
            json!({ "i": { "articleSlug": fx::COMMENTED_SLUG, "authorName": "Bot", "authorEmail": "bot@example.fr",
                           "body": "Achetez des montres.", "website": "x" } }),
        )
        .await;
    assert_eq!(data["postComment"]["status"], "PENDING");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM comments").await,
        before
    );
}

#[tokio::test]
async fn too_many_comments_from_one_client_are_refused_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.comments_per_client = 2).await;
    for i in 0..2 {
        post_guest(&app, "a@example.fr", &format!("Commentaire {i}.")).await;
    }
    let (status, headers, problem) = post_json(
        &app,
        &comments_path(fx::COMMENTED_SLUG),
        guest("a@example.fr", "Encore un."),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(problem["code"], "RATE_LIMITED");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    let body = app
        .graphql(
            "mutation($i: PostCommentInput!) { postComment(input: $i) { id } }",
            json!({ "i": { "articleSlug": fx::COMMENTED_SLUG, "authorName": "Ana", "authorEmail": "a@example.fr", "body": "Et par GraphQL ?" } }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .is_some()
    );
}

#[tokio::test]
async fn too_many_comments_on_one_article_are_refused() {
    let app = TestApp::spawn_with(|c| {
        c.comments_per_client = 100;
        c.comments_per_article = 2;
    })
    .await;
    for i in 0..2 {
        post_guest(&app, "a@example.fr", &format!("Commentaire {i}.")).await;
    }
    let (status, _, _) = post_json(
        &app,
        &comments_path(fx::COMMENTED_SLUG),
        guest("a@example.fr", "Un de trop."),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _, _) = post_json(
        &app,
        &comments_path(fx::FOREIGN_POLICY_SLUG),
        guest("a@example.fr", "Ailleurs, ça passe."),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_retried_post_with_the_same_idempotency_key_returns_the_first_comment() {
    let app = TestApp::spawn().await;
    let send = |key: &'static str, body: &'static str| {
        let request = app
            .client
            .post(app.url(&comments_path(fx::COMMENTED_SLUG)))
            .header("Idempotency-Key", key)
            .json(&guest("retry@example.fr", body));
        async move {
            let response = request.send().await.expect("request");
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let (s1, first) = send("k-123", "Une seule fois.").await;
    let (s2, second) = send("k-123", "Une seule fois.").await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first["data"]["id"], second["data"]["id"]);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM comments WHERE body = 'Une seule fois.'"
        )
        .await,
        1
    );
    let (status, problem) = send("k-123", "Un autre texte.").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "Idempotency-Key");
    // Keys belong to their writer: someone else's "k-123" is another post.
    let response = app
        .client
        .post(app.url(&comments_path(fx::COMMENTED_SLUG)))
        .header("Idempotency-Key", "k-123")
        .json(&guest("someone.else@example.fr", "Un autre texte."))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn graphql_posts_take_an_idempotency_key_too() {
    let app = TestApp::spawn().await;
    let post = |key: &str, body: &str| {
        app.graphql(
            "mutation($i: PostCommentInput!) { postComment(input: $i) { id body } }",
            json!({ "i": { "articleSlug": fx::COMMENTED_SLUG, "authorName": "Reprise",
                           "authorEmail": "reprise@example.fr", "body": body,
                           "idempotencyKey": key } }),
        )
    };
    let first = post("gql-1", "Posté par la porte GraphQL.").await;
    let again = post("gql-1", "Posté par la porte GraphQL.").await;
    let id = first["data"]["postComment"]["id"].as_str().expect("an id");
    assert_eq!(again["data"]["postComment"]["id"], id, "{again:#}");
    let n = "SELECT count(*) AS n FROM comments WHERE body = 'Posté par la porte GraphQL.'";
    assert_eq!(count(&app, n).await, 1);
    let other = post("gql-1", "Un autre texte sous la même clé.").await;
    assert_eq!(error_code(&other), "BAD_USER_INPUT");
    assert_eq!(other["errors"][0]["extensions"]["field"], "idempotencyKey");
    let bad = post("", "Une clé vide.").await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    // The same key through REST, by the same writer, is the same post.
    let response = app
        .client
        .post(app.url(&comments_path(fx::COMMENTED_SLUG)))
        .header("Idempotency-Key", "gql-1")
        .json(
            &json!({ "author_name": "Reprise", "author_email": "reprise@example.fr",
                       "body": "Posté par la porte GraphQL." }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let rest: Value = response.json().await.unwrap();
    assert_eq!(rest["data"]["id"], id);
}

/// Whether the Redis of the test machine answers; when it does not, Redis tests are
/// skipped (with a note) unless `CI` is set, where they must run.
async fn redis_available() -> bool {
    let reachable = async {
        let client = redis::Client::open("redis://127.0.0.1:6379/").ok()?;
        let mut conn = tokio::time::timeout(
            std::time::Duration::from_secs(1),
            client.get_multiplexed_async_connection(),
        )
        .await
        .ok()?
        .ok()?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .ok()
    }
    .await
    .is_some();
    if !reachable {
        assert!(
            std::env::var("CI").is_err(),
            "Redis at 127.0.0.1:6379 is required in CI"
        );
        eprintln!("note: Redis is unreachable at 127.0.0.1:6379: skipping a Redis test");
    }
    reachable
}

#[tokio::test]
async fn redis_rate_limits_hold_across_instances() {
    if !redis_available().await {
        return;
    }
    let prefix = format!("kiosque-test:{}:{}:", std::process::id(), fastrand::u64(..));
    let configure = |c: &mut kiosque::config::Config| {
        c.redis_url = Some("redis://127.0.0.1:6379/".into());
        c.redis_prefix = prefix.clone();
        c.jwt_secret = Some("a shared secret for both instances".into());
        c.comments_per_client = 2;
    };
    let one = TestApp::spawn_with(configure).await;
    let two = TestApp::spawn_with(configure).await;
    post_guest(&one, "a@example.fr", "Sur la première instance.").await;
    post_guest(&two, "a@example.fr", "Sur la seconde instance.").await;
    let (status, headers, _) = post_json(
        &one,
        &comments_path(fx::COMMENTED_SLUG),
        guest("a@example.fr", "Un de trop."),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn an_unreachable_redis_lets_comments_through() {
    let app = TestApp::spawn_with(|c| {
        c.redis_url = Some("redis://127.0.0.1:1/".into());
        c.comments_per_client = 1;
    })
    .await;
    post_guest(&app, "a@example.fr", "Redis est en panne.").await;
    post_guest(&app, "a@example.fr", "Toujours en panne.").await;
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    for trusted in [true, false] {
        let app = TestApp::spawn_with(|c| {
            c.trust_forwarded_for = trusted;
            c.comments_per_client = 1;
        })
        .await;
        let mut statuses = Vec::new();
        for (i, forwarded) in ["10.0.0.1", "192.0.2.9, 10.0.0.2", "10.0.0.1"]
            .iter()
            .enumerate()
        {
            let response = app
                .client
                .post(app.url(&comments_path(fx::COMMENTED_SLUG)))
                .header("X-Forwarded-For", *forwarded)
                .json(&guest("a@example.fr", &format!("Message {i}.")))
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        let expected = if trusted {
            [201, 201, 429]
        } else {
            [201, 429, 429]
        };
        assert_eq!(statuses, expected, "trusted: {trusted}");
    }
}
