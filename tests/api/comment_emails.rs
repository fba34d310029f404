//! Known guest commenters: an email alone proves nothing (anyone can type it), so a guest's
//! comment is published at once only with the guest key got by confirming the email through
//! the link emailed to it, and only once that email has an approved comment. Confirmation
//! emails go through the mail outbox and are read back from the log transport.

use std::time::Duration;

use kiosque::auth::Role;
use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::comments_write::{comments_path, count, editor, post_guest, post_json};
use crate::helpers::{TestApp, error_code};

const FAITHFUL: &str = "fidele@example.fr";

/// A server whose mail worker never wakes on its own: tests deliver when they choose.
async fn spawn() -> TestApp {
    TestApp::spawn_with(|c| {
        c.mail_poll = Duration::from_secs(3600);
        c.comments_per_client = 0;
        c.comments_per_article = 0;
    })
    .await
}

/// Approves a comment as an editor.
async fn approve(app: &TestApp, id: &Value) {
    let token = editor(app).await;
    let (status, _, body) = post_json(
        app,
        &format!(
            "/v1/moderation/comments/{}/actions",
            id.as_str().expect("an id")
        ),
        json!({ "action": "approve" }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Posts a guest comment with a guest key; returns its status.
async fn post_with_key(app: &TestApp, email: &str, key: &str, body: &str) -> String {
    let (status, _, posted) = post_json(
        app,
        &comments_path(fx::COMMENTED_SLUG),
        json!({ "author_name": "Ana", "author_email": email, "body": body, "guest_key": key }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{posted:#}");
    posted["data"]["status"]
        .as_str()
        .expect("status")
        .to_owned()
}

/// Delivers the queued confirmation emails (the app's own worker may send some first) and
/// returns the tokens of every confirmation link emailed so far, oldest first.
async fn sent_tokens(app: &TestApp) -> Vec<String> {
    for _ in 0..100 {
        app.state
            .mailer
            .deliver_due(&app.state.content)
            .await
            .expect("delivery round");
        let queued = count(
            app,
            "SELECT count(*) AS n FROM comment_emails WHERE status = 'queued'",
        )
        .await;
        if queued == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let prefix = format!(
        "{}/comment-emails/confirm?token=",
        app.state.config.public_url
    );
    app.state
        .mailer
        .logged()
        .iter()
        .filter_map(|email| {
            let start = email.body.find(&prefix)? + prefix.len();
            let token: String = email.body[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            Some(token)
        })
        .collect()
}

/// The token of the last confirmation link emailed.
async fn last_token(app: &TestApp) -> String {
    sent_tokens(app).await.pop().expect("a confirmation email")
}

async fn confirm_rest(app: &TestApp, token: &str) -> (StatusCode, Value) {
    let (status, _, body) = post_json(
        app,
        "/v1/comment-emails/confirm",
        json!({ "token": token }),
        None,
    )
    .await;
    (status, body)
}

const CONFIRM: &str =
    "mutation($token: String!) { confirmCommentEmail(token: $token) { guestKey } }";

/// A guest posts, is approved by a moderator, and confirms their email: returns the key.
async fn known_guest(app: &TestApp) -> String {
    let first = post_guest(app, FAITHFUL, "Un premier avis.").await;
    assert_eq!(first["status"], "pending");
    approve(app, &first["id"]).await;
    let tokens = sent_tokens(app).await;
    assert_eq!(tokens.len(), 1, "one confirmation email");
    let (status, body) = confirm_rest(app, &tokens[0]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"]["guest_key"]
        .as_str()
        .expect("a guest key")
        .to_owned()
}

#[tokio::test]
async fn a_guest_typing_an_approved_commenters_email_is_held_pending() {
    let app = spawn().await;
    let first = post_guest(&app, FAITHFUL, "Un premier avis.").await;
    approve(&app, &first["id"]).await;
    // Someone else, under another name, with a link: held for moderation.
    let (status, _, posted) = post_json(
        &app,
        &comments_path(fx::COMMENTED_SLUG),
        json!({ "author_name": "Promo", "author_email": "Fidele@Example.fr",
                "body": "Achetez ici https://spam.example/offre" }),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{posted:#}");
    assert_eq!(posted["data"]["status"], "pending");
    // Through GraphQL too.
    let data = app
        .query(
            "mutation($input: PostCommentInput!) { postComment(input: $input) { status } }",
            json!({ "input": { "articleSlug": fx::COMMENTED_SLUG, "authorName": "Promo",
                               "authorEmail": FAITHFUL, "body": "Encore moi." } }),
        )
        .await;
    assert_eq!(data["postComment"]["status"], "PENDING");
    // And with a made-up key.
    assert_eq!(
        post_with_key(&app, FAITHFUL, "not-the-key", "Toujours moi.").await,
        "pending"
    );
}

#[tokio::test]
async fn a_confirmed_guest_with_its_key_is_approved_and_an_impersonator_still_waits() {
    let app = spawn().await;
    let key = known_guest(&app).await;
    assert_eq!(
        post_with_key(&app, "FIDELE@example.fr", &key, "Un second avis.").await,
        "approved",
        "the email is known however it is typed"
    );
    // The same email without the key, after the confirmation: still held.
    let other = post_guest(&app, FAITHFUL, "Je me fais passer pour elle.").await;
    assert_eq!(other["status"], "pending");
    // The key is bound to its email.
    let first = post_guest(&app, "autre@example.fr", "Une autre personne.").await;
    approve(&app, &first["id"]).await;
    assert_eq!(
        post_with_key(&app, "autre@example.fr", &key, "Avec la clé d'une autre.").await,
        "pending"
    );
    // A confirmed email without an approved comment waits for its first approval.
    let fresh = spawn().await;
    post_guest(&fresh, "nouvelle@example.fr", "Bonjour.").await;
    let token = last_token(&fresh).await;
    let (_, body) = confirm_rest(&fresh, &token).await;
    let key = body["data"]["guest_key"].as_str().expect("a key");
    assert_eq!(
        post_with_key(&fresh, "nouvelle@example.fr", key, "Encore.").await,
        "pending"
    );
}

#[tokio::test]
async fn one_confirmation_email_per_address_per_window_with_the_address_masked() {
    let app = spawn().await;
    for body in ["Un.", "Deux.", "Trois."] {
        post_guest(&app, FAITHFUL, body).await;
    }
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM comment_emails WHERE email = 'fidele@example.fr'"
        )
        .await,
        1
    );
    let tokens = sent_tokens(&app).await;
    assert_eq!(tokens.len(), 1, "one email for three comments");
    assert_eq!(sent_tokens(&app).await.len(), 1, "sent once");
    let logged = app.state.mailer.logged();
    let email = logged.last().expect("an email");
    assert_eq!(email.to, "f***@example.fr", "the recipient is masked");
    assert!(!format!("{:?}", email.to).contains("fidele"));
    // Only the token's hash is stored.
    let stored = count(
        &app,
        &format!(
            "SELECT count(*) AS n FROM comment_emails WHERE token_hash = '{}'",
            kiosque::content::accounts::sha256_hex(&tokens[0])
        ),
    )
    .await;
    assert_eq!(stored, 1);
    // Past the window, the next comment asks again.
    let db = &app.state.db().conn;
    let past = kiosque::content::now() - chrono::Duration::hours(2);
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE comment_emails SET requested_at = $1",
        [past.into()],
    ))
    .await
    .expect("move the request back");
    post_guest(&app, FAITHFUL, "Quatre.").await;
    assert_eq!(sent_tokens(&app).await.len(), 2);
}

#[tokio::test]
async fn a_used_or_expired_confirmation_link_is_refused_with_a_clear_error() {
    let app = spawn().await;
    post_guest(&app, FAITHFUL, "Un premier avis.").await;
    let tokens = sent_tokens(&app).await;
    let (status, _) = confirm_rest(&app, &tokens[0]).await;
    assert_eq!(status, StatusCode::OK);
    // Used: refused, through both doors.
    let (status, body) = confirm_rest(&app, &tokens[0]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "CONFLICT");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("already used"),
        "{body}"
    );
    let data = app.graphql(CONFIRM, json!({ "token": tokens[0] })).await;
    assert_eq!(error_code(&data), "CONFLICT", "{data}");

    // Expired: a second address, its link past its lifetime.
    post_guest(&app, "autre@example.fr", "Bonjour.").await;
    let expired = last_token(&app).await;
    let db = &app.state.db().conn;
    let past = kiosque::content::now() - chrono::Duration::minutes(1);
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE comment_emails SET token_expires_at = $1 WHERE email = 'autre@example.fr'",
        [past.into()],
    ))
    .await
    .expect("expire the link");
    let (status, body) = confirm_rest(&app, &expired).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expired"),
        "{body}"
    );
    // Unknown and empty tokens.
    let (status, body) = confirm_rest(&app, "made-up").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "NOT_FOUND");
    let (status, _) = confirm_rest(&app, " ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn graphql_confirms_an_email_and_posts_with_the_key() {
    let app = spawn().await;
    let first = post_guest(&app, FAITHFUL, "Un premier avis.").await;
    approve(&app, &first["id"]).await;
    let token = last_token(&app).await;
    let data = app.query(CONFIRM, json!({ "token": token })).await;
    let key = data["confirmCommentEmail"]["guestKey"]
        .as_str()
        .expect("a key");
    let data = app
        .query(
            "mutation($input: PostCommentInput!) { postComment(input: $input) { status } }",
            json!({ "input": { "articleSlug": fx::COMMENTED_SLUG, "authorName": "Ana",
                               "authorEmail": FAITHFUL, "body": "Par GraphQL.", "guestKey": key } }),
        )
        .await;
    assert_eq!(data["postComment"]["status"], "APPROVED");
}

#[tokio::test]
async fn a_signed_in_reader_with_an_approved_comment_is_still_approved_at_once() {
    let app = spawn().await;
    let reader = app.user(Role::Reader, "Lectrice", None).await;
    let path = comments_path(fx::COMMENTED_SLUG);
    let post =
        |body: &'static str| post_json(&app, &path, json!({ "body": body }), Some(&reader.token));
    let (_, _, first) = post("Mon premier avis.").await;
    assert_eq!(first["data"]["status"], "pending");
    approve(&app, &first["data"]["id"]).await;
    let (_, _, second) = post("Mon second avis.").await;
    assert_eq!(second["data"]["status"], "approved");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM comment_emails").await,
        0,
        "readers are never asked to confirm"
    );
}
