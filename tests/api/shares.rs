//! "Send to a friend": checked, rate-limited, queued in the outbox (202), then delivered by
//! the worker through the log transport (or retried with backoff when the transport fails).

use std::time::Duration;

use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::comments_write::{count, post_json};
use crate::helpers::{TestApp, error_code};

fn share_path(slug: &str) -> String {
    format!("/v1/articles/{slug}/share")
}

fn share_body() -> serde_json::Value {
    json!({ "recipient_email": "ami.proche@example.fr", "sender_name": "Claire", "message": "Lis ça !" })
}

/// Runs delivery rounds (alongside the app's own worker) until `sql` counts one share.
async fn deliver_until(app: &TestApp, sql: &str) {
    for _ in 0..100 {
        app.state
            .mailer
            .deliver_due(&app.state.content)
            .await
            .unwrap();
        if count(app, sql).await == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no share matches {sql}");
}

#[tokio::test]
async fn a_share_is_queued_then_delivered_through_the_log_transport() {
    // A worker that does not wake again on its own: the test delivers too.
    let app = TestApp::spawn_with(|c| c.mail_poll = Duration::from_secs(3600)).await;
    let (status, _, accepted) = post_json(
        &app,
        &share_path(fx::FOREIGN_POLICY_SLUG),
        share_body(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted:#}");
    assert_eq!(accepted["data"]["status"], "queued");
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM shares WHERE recipient_email = 'ami.proche@example.fr'"
        )
        .await,
        1
    );
    deliver_until(
        &app,
        "SELECT count(*) AS n FROM shares WHERE status = 'sent' AND sent_at IS NOT NULL AND attempts = 0",
    )
    .await;
    let logged = app.state.mailer.logged();
    assert_eq!(logged.len(), 1, "sent once");
    let email = &logged[0];
    assert_eq!(email.to, "a***@example.fr", "the recipient is masked");
    assert!(email.subject.contains("Claire"));
    assert!(email.body.contains("Lis ça !"));
    assert!(
        email.body.contains(&format!(
            "{}/articles/{}",
            app.state.config.public_url,
            fx::FOREIGN_POLICY_SLUG
        )),
        "{}",
        email.body
    );
    assert!(!format!("{email:?}").contains("ami.proche"));
    let again = app
        .state
        .mailer
        .deliver_due(&app.state.content)
        .await
        .unwrap();
    assert_eq!(again, 0, "sent once");
}

#[tokio::test]
async fn the_worker_started_by_serve_delivers_shares() {
    let app = TestApp::spawn_with(|c| c.mail_poll = Duration::from_millis(50)).await;
    let data = app
        .query(
            "mutation($s: String!) { shareArticle(slug: $s, recipientEmail: \"ami@example.fr\", senderName: \"Paul\") { status } }",
            json!({ "s": fx::COMMENTED_SLUG }),
        )
        .await;
    assert_eq!(data["shareArticle"]["status"], "queued");
    for _ in 0..100 {
        if count(
            &app,
            "SELECT count(*) AS n FROM shares WHERE status = 'sent'",
        )
        .await
            == 1
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the share was not delivered by the worker");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_later_with_its_error() {
    // Nothing listens on port 1: every SMTP attempt fails.
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some("smtp://127.0.0.1:1".into());
        c.mail_poll = Duration::from_secs(3600);
    })
    .await;
    post_json(
        &app,
        &share_path(fx::FOREIGN_POLICY_SLUG),
        share_body(),
        None,
    )
    .await;
    deliver_until(
        &app,
        "SELECT count(*) AS n FROM shares WHERE status = 'queued' AND attempts = 1 AND last_error IS NOT NULL",
    )
    .await;
    let again = app
        .state
        .mailer
        .deliver_due(&app.state.content)
        .await
        .unwrap();
    assert_eq!(again, 0, "not retried before its backoff");
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM shares WHERE attempts = 1").await,
        1
    );
    assert!(app.state.mailer.logged().is_empty());
}

#[tokio::test]
async fn every_invalid_share_is_refused_naming_its_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({ "recipient_email": "nope", "sender_name": "Claire" }),
            "recipient_email",
        ),
        (json!({ "sender_name": "Claire" }), "recipient_email"),
        (
            json!({ "recipient_email": "a@example.fr", "sender_name": "" }),
            "sender_name",
        ),
        (
            json!({ "recipient_email": "a@example.fr", "sender_name": "c".repeat(81) }),
            "sender_name",
        ),
        (
            json!({ "recipient_email": "a@example.fr", "sender_name": "Claire", "message": "m".repeat(1001) }),
            "message",
        ),
    ];
    for (body, field) in cases {
        let (status, _, problem) = post_json(
            &app,
            &share_path(fx::FOREIGN_POLICY_SLUG),
            body.clone(),
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem:#}"
        );
        assert_eq!(problem["field"], field, "{body}");
    }
    let (status, _, _) = post_json(&app, &share_path(fx::DRAFT_SLUG), share_body(), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body = app
        .graphql(
            "mutation { shareArticle(slug: \"x\", recipientEmail: \"bad\", senderName: \"P\") { status } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "recipientEmail");
    assert_eq!(count(&app, "SELECT count(*) AS n FROM shares").await, 0);
}

#[tokio::test]
async fn too_many_shares_from_one_client_are_refused() {
    let app = TestApp::spawn_with(|c| c.shares_per_client = 1).await;
    let (status, _, _) = post_json(
        &app,
        &share_path(fx::FOREIGN_POLICY_SLUG),
        share_body(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, headers, problem) = post_json(
        &app,
        &share_path(fx::FOREIGN_POLICY_SLUG),
        share_body(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(problem["code"], "RATE_LIMITED");
    assert!(headers.contains_key("retry-after"));
}

#[tokio::test]
async fn shares_left_undelivered_go_out_after_a_restart() {
    // The first instance cannot send (nothing listens on its SMTP port), then stops.
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some("smtp://127.0.0.1:1".into());
        c.mail_poll = Duration::from_secs(3600);
    })
    .await;
    let (status, _, _) = post_json(
        &app,
        &share_path(fx::FOREIGN_POLICY_SLUG),
        share_body(),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let db = app.state.db().clone();
    let mut config = (*app.state.config).clone();
    drop(app);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Whatever its worker did, the share is due again (its backoff has passed).
    let past = kiosque::content::now() - chrono::Duration::minutes(1);
    db.conn
        .execute_raw(Statement::from_sql_and_values(
            db.backend(),
            "UPDATE shares SET next_attempt_at = $1",
            [past.into()],
        ))
        .await
        .unwrap();
    // A new instance over the same database, with the log transport: its worker starts
    // with the outbox.
    config.smtp_url = None;
    config.mail_poll = Duration::from_millis(50);
    let restarted = kiosque::app::AppState::new(config, db.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kiosque::app::serve(
        listener,
        restarted.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    let mut delivered = false;
    for _ in 0..100 {
        if restarted.mailer.logged().len() == 1 {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(delivered, "the restarted instance delivered the share");
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    let row = db
        .conn
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT status FROM shares",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<String>("", "status").unwrap(), "sent");
}
