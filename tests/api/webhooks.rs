//! Webhooks and partner sync: a receiver inside the test hears editorial changes, signed
//! with the endpoint's secret; failures are retried and recorded; the delivery log and
//! replay; admins only; nothing lost when no worker runs; sync with tombstones, in order,
//! page by page.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use kiosque::app::{AppState, serve};
use kiosque::auth::Role;
use kiosque::config::Config;
use kiosque::content::webhooks::targets::AllowedNetworks;
use kiosque::db::{Db, PoolSettings};
use kiosque::seed::demo::fixtures as fx;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::comments_write::{get_json, post_guest, post_json};
use crate::helpers::TestApp;

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 200 once they run out.
    script: Arc<Mutex<VecDeque<u16>>>,
    /// Answered when the script is empty (200 unless set).
    otherwise: Arc<Mutex<Option<u16>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.got.lock().unwrap().push(Received {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let scripted = r.script.lock().unwrap().pop_front();
    let status = scripted.or(*r.otherwise.lock().unwrap()).unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

impl Receiver {
    /// A receiver on 127.0.0.1; returns it and its URL.
    async fn start() -> (Self, String) {
        let receiver = Self::default();
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        (receiver, url)
    }

    /// The same receiver behind TLS on `localhost`, with a new self-signed certificate; returns
    /// it, its URL and the certificate (PEM), which no public root vouches for.
    async fn start_tls() -> (Self, String, String) {
        use hyper_util::rt::TokioIo;
        use hyper_util::service::TowerToHyperService;
        use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let key =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.key_pair.serialize_der()));
        let tls = tokio_rustls::rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![certified.cert.der().clone()], key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let receiver = Self::default();
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "https://localhost:{}/hook",
            listener.local_addr().unwrap().port()
        );
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, app) = (acceptor.clone(), app.clone());
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to serve.
                    let Ok(stream) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = TowerToHyperService::new(app);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        (receiver, url, certified.cert.pem())
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (at most 20 s) until `n` requests arrived.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..1000 {
            if self.got.lock().unwrap().len() >= n {
                return self.got();
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("expected {n} deliveries, got {:#?}", self.got());
    }
}

/// Checks `Kiosque-Signature: t=…,v1=…` as a receiver would, with the `hmac` crate.
fn signature_is_valid(secret: &str, r: &Received) -> bool {
    let header = r.header("kiosque-signature");
    let (Some(t), Some(v1)) = (
        header.split(',').find_map(|p| p.strip_prefix("t=")),
        header.split(',').find_map(|p| p.strip_prefix("v1=")),
    ) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", r.body).as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    expected == v1
}

/// Quick worker settings for tests.
/// The test receivers listen on 127.0.0.1: a network deliveries may reach only when the
/// configuration allows it (`KIOSQUE_WEBHOOK_ALLOW_NETWORKS`).
fn receivers_allowed(config: &mut Config) {
    config.webhook_networks = AllowedNetworks::parse("127.0.0.1/32").expect("a network");
}

fn quick(config: &mut Config) {
    receivers_allowed(config);
    config.webhook_poll = Duration::from_millis(20);
    config.webhook_retry_base = Duration::from_millis(50);
    config.webhook_max_attempts = 3;
}

async fn admin(app: &TestApp) -> String {
    app.user(Role::Admin, "Adèle Admin", None).await.token
}

async fn register(app: &TestApp, token: &str, url: &str, events: &[&str]) -> (i64, String) {
    let (status, _, body) = post_json(
        app,
        "/v1/webhooks",
        json!({ "url": url, "events": events }),
        Some(token),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let secret = body["data"]["secret"].as_str().unwrap().to_owned();
    (body["data"]["webhook"]["id"].as_i64().unwrap(), secret)
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Value,
) -> Value {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body:#}");
    body
}

/// Publishes the article `key` (global id or slug) now.
async fn publish(app: &TestApp, token: &str, key: &str) -> Value {
    let path = format!("/v1/articles/{key}/publish");
    send(app, reqwest::Method::POST, &path, token, json!({})).await
}

/// The delivery log of an endpoint, newest first, without the announcements of the demo's
/// scheduled articles (due in two days or more, written for every endpoint that hears
/// `article.published` when it is registered; see [`all_deliveries`]). The tests schedule
/// theirs less than a day ahead.
async fn deliveries(app: &TestApp, token: &str, webhook: i64) -> Vec<Value> {
    let mut log = all_deliveries(app, token, webhook).await;
    log.retain(|d| !demo_announcement(d));
    log
}

fn demo_announcement(delivery: &Value) -> bool {
    let due: chrono::DateTime<chrono::Utc> = delivery["next_attempt_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    delivery["payload"]["data"]["status"] == "scheduled"
        && due > chrono::Utc::now() + chrono::Duration::days(1)
}

async fn all_deliveries(app: &TestApp, token: &str, webhook: i64) -> Vec<Value> {
    let (status, log) = get_json(
        app,
        &format!("/v1/webhooks/{webhook}/deliveries?first=50"),
        Some(token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{log:#}");
    log["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn editorial_changes_reach_the_endpoint_signed_with_its_secret() {
    let app = TestApp::spawn_with(quick).await;
    let token = admin(&app).await;
    let (receiver, url) = Receiver::start().await;
    let all = [
        "article.published",
        "article.updated",
        "article.unpublished",
        "comment.approved",
    ];
    let (hook, secret) = register(&app, &token, &url, &all).await;
    assert!(secret.starts_with("whsec_"));
    // A second endpoint hears only approvals.
    let (other_receiver, other_url) = Receiver::start().await;
    register(&app, &token, &other_url, &["comment.approved"]).await;

    let created = send(
        &app,
        reqwest::Method::POST,
        "/v1/articles",
        &token,
        json!({ "title": "Le port du Havre se réinvente", "rubric": fx::RUBRIC_SLUG,
                "authors": [fx::AUTHOR_SLUG], "body": "Un premier état." }),
    )
    .await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let slug = created["data"]["slug"].as_str().unwrap().to_owned();
    // A draft's edits concern nobody outside.
    send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v1/articles/{id}"),
        &token,
        json!({ "version": 1, "standfirst": "Brouillon." }),
    )
    .await;
    publish(&app, &token, &id).await;
    send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v1/articles/{id}"),
        &token,
        json!({ "version": 3, "title": "Le port du Havre se réinvente encore" }),
    )
    .await;
    send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/articles/{id}/unpublish"),
        &token,
        json!({}),
    )
    .await;
    let comment = post_guest(&app, "lectrice@example.fr", "Très instructif, merci.").await;
    let comment_id = comment["id"].as_str().unwrap().to_owned();
    send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/moderation/comments/{comment_id}/actions"),
        &token,
        json!({ "action": "approve" }),
    )
    .await;

    let got = receiver.wait_for(4).await;
    let events: Vec<String> = got
        .iter()
        .map(|r| r.json()["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        events,
        [
            "article.published",
            "article.updated",
            "article.unpublished",
            "comment.approved"
        ]
    );
    for r in &got {
        assert!(signature_is_valid(&secret, r), "a bad signature: {r:#?}");
        assert!(!signature_is_valid("whsec_another_secret", r));
        let body = r.json();
        assert_eq!(r.header("kiosque-event"), body["event"]);
        assert_eq!(r.header("content-type"), "application/json");
        assert!(r.header("kiosque-delivery").parse::<i64>().is_ok());
        assert!(body["id"].as_str().unwrap().starts_with("evt_"));
        assert!(body["occurred_at"].as_str().is_some());
    }
    for r in &got[..3] {
        let data = r.json()["data"].clone();
        assert_eq!(data["id"], id.as_str());
        assert_eq!(data["slug"], slug.as_str());
    }
    assert_eq!(
        got[1].json()["data"]["title"],
        "Le port du Havre se réinvente encore"
    );
    assert_eq!(got[2].json()["data"]["status"], "draft");
    let approved = got[3].json()["data"].clone();
    assert_eq!(approved["id"], comment_id.as_str());
    assert_eq!(approved["article"]["slug"], fx::COMMENTED_SLUG);
    assert!(
        !got[3].body.contains("lectrice@example.fr"),
        "emails never leave"
    );

    let other = other_receiver.wait_for(1).await;
    assert_eq!(other[0].json()["event"], "comment.approved");
    // The same event is the same event id for every endpoint.
    assert_eq!(other[0].json()["id"], got[3].json()["id"]);

    let log = deliveries(&app, &token, hook).await;
    assert_eq!(log.len(), 4, "{log:#?}");
    for d in &log {
        assert_eq!(d["status"], "delivered", "{d:#}");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["response_status"], 200);
        assert!(d["delivered_at"].as_str().is_some());
    }
    // Newest first.
    assert_eq!(log[0]["event"], "comment.approved");
    assert_eq!(other_receiver.got().len(), 1);
}

#[tokio::test]
async fn https_endpoints_get_their_deliveries_once_their_certificate_is_trusted() {
    let (receiver, url, pem) = Receiver::start_tls().await;
    let ca_file = std::env::temp_dir().join(format!(
        "kiosque-webhook-ca-{}-{}.pem",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&ca_file, &pem).unwrap();
    let ca_path = ca_file.display().to_string();
    // KIOSQUE_WEBHOOK_CA_FILE is read and checked like every setting.
    let roots =
        Config::from_lookup(|name| (name == "KIOSQUE_WEBHOOK_CA_FILE").then(|| ca_path.clone()))
            .unwrap()
            .webhook_roots;
    assert_eq!(roots.len(), 1);
    let refused = Config::from_lookup(|name| {
        (name == "KIOSQUE_WEBHOOK_CA_FILE").then(|| "/nonexistent/ca.pem".to_owned())
    });
    assert!(refused.is_err());

    // Without the root, the self-signed endpoint is refused: the certificate is checked.
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.webhook_max_attempts = 1;
    })
    .await;
    let token = admin(&app).await;
    let (hook, _) = register(&app, &token, &url, &["article.published"]).await;
    publish(&app, &token, fx::DRAFT_SLUG).await;
    let log = wait_until_settled(&app, &token, hook).await;
    assert_eq!(log[0]["status"], "failed", "{log:#?}");
    assert!(log[0]["response_status"].is_null(), "{log:#?}");
    assert!(receiver.got().is_empty());

    // With it (as the server reads it from KIOSQUE_WEBHOOK_CA_FILE), the event goes through TLS.
    let app = TestApp::spawn_with(move |c| {
        quick(c);
        c.webhook_roots = roots.clone();
    })
    .await;
    let token = admin(&app).await;
    register(&app, &token, &url, &["article.published"]).await;
    publish(&app, &token, fx::DRAFT_SLUG).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].json()["event"], "article.published");
    let _ = std::fs::remove_file(&ca_file);
}

/// Creates a draft by the fixtures' author in the fixtures' rubric: its global id and slug.
async fn draft(app: &TestApp, token: &str, title: &str) -> (String, String) {
    let created = send(
        app,
        reqwest::Method::POST,
        "/v1/articles",
        token,
        json!({ "title": title, "rubric": fx::RUBRIC_SLUG, "authors": [fx::AUTHOR_SLUG],
                "body": "Un texte prêt à paraître." }),
    )
    .await;
    let data = &created["data"];
    (
        data["id"].as_str().unwrap().to_owned(),
        data["slug"].as_str().unwrap().to_owned(),
    )
}

async fn schedule(app: &TestApp, token: &str, id: &str, at: chrono::DateTime<chrono::Utc>) {
    send(
        app,
        reqwest::Method::POST,
        &format!("/v1/articles/{id}/schedule"),
        token,
        json!({ "publish_at": at.to_rfc3339() }),
    )
    .await;
}

#[tokio::test]
async fn a_scheduled_publication_is_announced_at_its_time_and_withdrawn_if_the_schedule_changes() {
    let app = TestApp::spawn_with(quick).await;
    let token = admin(&app).await;
    let (receiver, url) = Receiver::start().await;
    let events = ["article.published", "article.unpublished"];
    let (hook, _) = register(&app, &token, &url, &events).await;
    let (first, first_slug) = draft(&app, &token, "La marée des équinoxes").await;
    let (second, _) = draft(&app, &token, "Les phares automatiques").await;

    // Both scheduled an hour ahead: two announcements wait for their time, none is sent.
    let in_an_hour = chrono::Utc::now() + chrono::Duration::hours(1);
    schedule(&app, &token, &first, in_an_hour).await;
    schedule(&app, &token, &second, in_an_hour).await;
    let log = deliveries(&app, &token, hook).await;
    assert_eq!(log.len(), 2, "{log:#?}");
    for d in &log {
        assert_eq!(d["event"], "article.published");
        assert_eq!(d["status"], "pending");
        assert_eq!(d["attempts"], 0);
        let due: chrono::DateTime<chrono::Utc> =
            d["next_attempt_at"].as_str().unwrap().parse().unwrap();
        assert!((due - in_an_hour).num_milliseconds().abs() < 5, "{d:#}");
    }

    // The second goes back to draft: its announcement is withdrawn (it was never public, so
    // nothing is unpublished either). The first is moved to two seconds from now.
    send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/articles/{second}/unpublish"),
        &token,
        json!({}),
    )
    .await;
    let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
    schedule(&app, &token, &first, soon).await;
    let log = deliveries(&app, &token, hook).await;
    assert_eq!(log.len(), 1, "one announcement left: {log:#?}");
    assert!(receiver.got().is_empty(), "nothing before its time");

    let got = receiver.wait_for(1).await;
    let arrived = chrono::Utc::now();
    let body = got[0].json();
    assert_eq!(body["event"], "article.published");
    assert_eq!(body["data"]["id"], first.as_str());
    assert_eq!(body["data"]["slug"], first_slug.as_str());
    let occurred: chrono::DateTime<chrono::Utc> =
        body["occurred_at"].as_str().unwrap().parse().unwrap();
    assert!((occurred - soon).num_milliseconds().abs() < 5);
    assert!(arrived >= soon, "sent at its time, not before");
    let (status, _) = get_json(&app, &format!("/v1/articles/{first_slug}"), None).await;
    assert_eq!(status, StatusCode::OK, "public once announced");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.got().len(), 1, "{:#?}", receiver.got());
}

/// The `article.published` announcements waiting in an endpoint's log (pending, never
/// attempted), as (article id, due time, body), in article order.
async fn announcements(app: &TestApp, token: &str, hook: i64) -> Vec<(String, String, Value)> {
    let mut waiting: Vec<_> = deliveries(app, token, hook)
        .await
        .into_iter()
        .inspect(|d| {
            assert_eq!(d["event"], "article.published", "{d:#}");
            assert_eq!(d["status"], "pending", "{d:#}");
            assert_eq!(d["attempts"], 0, "{d:#}");
        })
        .map(|d| {
            let article = d["payload"]["data"]["id"].as_str().unwrap().to_owned();
            let due = d["next_attempt_at"].as_str().unwrap().to_owned();
            (article, due, d["payload"].clone())
        })
        .collect();
    waiting.sort_by(|a, b| a.0.cmp(&b.0));
    waiting
}

#[tokio::test]
async fn an_endpoint_that_comes_to_hear_publications_gets_those_already_scheduled() {
    let app = TestApp::spawn_with(quick).await;
    let token = admin(&app).await;
    let (_, url) = Receiver::start().await;
    let patch = |hook: i64, body: Value| {
        let (app, token) = (&app, &token);
        async move {
            send(
                app,
                reqwest::Method::PATCH,
                &format!("/v1/webhooks/{hook}"),
                token,
                body,
            )
            .await
        }
    };
    let in_an_hour = chrono::Utc::now() + chrono::Duration::hours(1);

    let (early, _) = register(&app, &token, &url, &["article.published"]).await;
    // The demo's scheduled articles, announced on registration, each due at its time.
    let demo = all_deliveries(&app, &token, early).await;
    assert!(demo.iter().all(demo_announcement), "{demo:#?}");
    assert!(
        demo.iter()
            .any(|d| d["payload"]["data"]["slug"] == fx::SCHEDULED_SLUG && d["status"] == "pending"),
        "{demo:#?}"
    );
    let (first, _) = draft(&app, &token, "Les moulins à marée").await;
    schedule(&app, &token, &first, in_an_hour).await;
    let announced = announcements(&app, &token, early).await;
    assert_eq!(announced.len(), 1, "{announced:#?}");

    // Registered after the schedule: the same announcement (same body, same event id), due
    // at the same time. One that does not hear the event gets nothing.
    let (late, _) = register(
        &app,
        &token,
        &url,
        &["article.published", "article.unpublished"],
    )
    .await;
    assert_eq!(announcements(&app, &token, late).await, announced);
    let (deaf, _) = register(&app, &token, &url, &["article.unpublished"]).await;
    assert!(deliveries(&app, &token, deaf).await.is_empty());

    // Subscribed by a change: it gets it too; changing it again writes nothing twice.
    patch(deaf, json!({ "events": ["article.published"] })).await;
    assert_eq!(announcements(&app, &token, deaf).await, announced);
    patch(deaf, json!({ "url": format!("{url}?v=2") })).await;
    assert_eq!(announcements(&app, &token, deaf).await, announced);

    // Inactive while a second article is scheduled: it gets that one once active again.
    patch(deaf, json!({ "active": false })).await;
    let (second, _) = draft(&app, &token, "Le sel des salines").await;
    schedule(&app, &token, &second, in_an_hour).await;
    assert_eq!(announcements(&app, &token, deaf).await, announced);
    patch(deaf, json!({ "active": true })).await;
    let both = announcements(&app, &token, early).await;
    assert_eq!(both.len(), 2, "{both:#?}");
    assert_eq!(announcements(&app, &token, deaf).await, both);

    // No longer hearing publications: what had not come due is withdrawn.
    patch(late, json!({ "events": ["article.unpublished"] })).await;
    assert!(deliveries(&app, &token, late).await.is_empty());

    // Back to draft: the announcement is withdrawn from every endpoint that had it.
    send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/articles/{first}/unpublish"),
        &token,
        json!({}),
    )
    .await;
    for hook in [early, deaf] {
        let left = announcements(&app, &token, hook).await;
        assert_eq!(left.len(), 1, "{left:#?}");
        assert_eq!(left[0].0, second);
    }
}

#[tokio::test]
async fn endpoints_registered_while_articles_are_scheduled_miss_no_announcement() {
    const ROUNDS: usize = 20;
    let app = TestApp::spawn_with(quick).await;
    let token = admin(&app).await;
    let (_, url) = Receiver::start().await;
    let mut articles = Vec::new();
    for n in 1..=ROUNDS {
        let (id, _) = draft(&app, &token, &format!("Chronique des marées n° {n}")).await;
        articles.push(id);
    }
    let publish_at = chrono::Utc::now() + chrono::Duration::hours(1);
    // Each round registers an endpoint and schedules an article at the same time: neither
    // transaction may miss the other's row.
    let mut hooks = Vec::new();
    for id in &articles {
        let ((hook, _), _) = tokio::join!(
            register(&app, &token, &url, &["article.published"]),
            schedule(&app, &token, id, publish_at),
        );
        hooks.push(hook);
    }
    let mut expected = articles.clone();
    expected.sort();
    let first = announcements(&app, &token, hooks[0]).await;
    for hook in hooks {
        let got = announcements(&app, &token, hook).await;
        let ids: Vec<&String> = got.iter().map(|(article, _, _)| article).collect();
        assert_eq!(ids, expected.iter().collect::<Vec<_>>(), "endpoint {hook}");
        // One event per article: the same body (and event id) at every endpoint.
        assert_eq!(got, first, "endpoint {hook}");
    }
}

#[tokio::test]
async fn failed_deliveries_are_retried_then_given_up_and_can_be_replayed() {
    let app = TestApp::spawn_with(quick).await;
    let token = admin(&app).await;
    let (flaky, flaky_url) = Receiver::start().await;
    flaky.script.lock().unwrap().push_back(500);
    let (down, down_url) = Receiver::start().await;
    *down.otherwise.lock().unwrap() = Some(503);
    let (flaky_hook, secret) = register(&app, &token, &flaky_url, &["article.published"]).await;
    let (down_hook, _) = register(&app, &token, &down_url, &["article.published"]).await;

    publish(&app, &token, fx::DRAFT_SLUG).await;

    // 500, then 200: delivered at the second attempt, with the same body and delivery id.
    let got = flaky.wait_for(2).await;
    assert_eq!(got[0].body, got[1].body);
    assert_eq!(
        got[0].header("kiosque-delivery"),
        got[1].header("kiosque-delivery")
    );
    assert!(signature_is_valid(&secret, &got[1]));
    let log = wait_until_settled(&app, &token, flaky_hook).await;
    assert_eq!(log[0]["status"], "delivered", "{log:#?}");
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["response_status"], 200);

    // Always 503: given up after the configured 3 attempts, the last answer recorded.
    down.wait_for(3).await;
    let log = wait_until_settled(&app, &token, down_hook).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "failed", "{log:#?}");
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["response_status"], 503);
    assert!(log[0]["last_error"].as_str().unwrap().contains("503"));
    assert_eq!(down.got().len(), 3);

    // The endpoint is back: a replay is a new delivery of the same event.
    *down.otherwise.lock().unwrap() = None;
    let failed_id = log[0]["id"].as_i64().unwrap();
    let (status, _, replay) = post_json(
        &app,
        &format!("/v1/webhooks/{down_hook}/deliveries/{failed_id}/replay"),
        json!({}),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{replay:#}");
    assert_eq!(replay["data"]["status"], "pending");
    assert_ne!(replay["data"]["id"], failed_id);
    let got = down.wait_for(4).await;
    assert_eq!(got[3].json()["id"], got[0].json()["id"]);
    let log = wait_until_settled(&app, &token, down_hook).await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["status"], "delivered");
    assert_eq!(log[1]["status"], "failed");

    // The log pages with cursors.
    let (_, page) = get_json(
        &app,
        &format!("/v1/webhooks/{down_hook}/deliveries?first=1"),
        Some(&token),
    )
    .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let next = page["links"]["next"].as_str().expect("a next link");
    let path = next.split_once(&app.addr.to_string()).unwrap().1;
    let (_, second) = get_json(&app, path, Some(&token)).await;
    assert_eq!(second["data"][0]["id"], failed_id);
    // Replaying what does not exist, or another endpoint's delivery, is a 404.
    let (status, _, _) = post_json(
        &app,
        &format!("/v1/webhooks/{flaky_hook}/deliveries/{failed_id}/replay"),
        json!({}),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The log once no delivery is pending.
async fn wait_until_settled(app: &TestApp, token: &str, webhook: i64) -> Vec<Value> {
    for _ in 0..1000 {
        let log = deliveries(app, token, webhook).await;
        if log.iter().all(|d| d["status"] != "pending") {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("deliveries of webhook {webhook} stayed pending");
}

#[tokio::test]
async fn webhooks_are_managed_by_admins_with_checked_inputs() {
    let app = TestApp::spawn_with(quick).await;
    let token = admin(&app).await;
    let body =
        json!({ "url": "https://partenaire.example/hooks", "events": ["article.published"] });
    let (status, _, _) = post_json(&app, "/v1/webhooks", body.clone(), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = get_json(&app, "/v1/webhooks", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for role in [Role::Editor, Role::Author, Role::Reader] {
        let other = app.token(role).await;
        let (status, _, _) = post_json(&app, "/v1/webhooks", body.clone(), Some(&other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
        let (status, _) = get_json(&app, "/v1/webhooks", Some(&other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role:?}");
    }
    let (_, _, key) = post_json(
        &app,
        "/v1/api-keys",
        json!({ "name": "Partenaire", "scopes": ["webhooks:read"] }),
        Some(&token),
    )
    .await;
    let key = key["data"]["key"].as_str().unwrap().to_owned();
    let status = app
        .client
        .get(app.url("/v1/webhooks"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);

    for (bad, field) in [
        (
            json!({ "url": "ftp://partenaire.example/", "events": ["article.published"] }),
            "url",
        ),
        (
            json!({ "url": "/hooks", "events": ["article.published"] }),
            "url",
        ),
        (
            json!({ "url": "https://user:pw@partenaire.example/", "events": ["article.published"] }),
            "url",
        ),
        (
            json!({ "url": "https://partenaire.example/", "events": [] }),
            "events",
        ),
        (
            json!({ "url": "https://partenaire.example/", "events": ["article.deleted"] }),
            "events",
        ),
        (
            json!({ "url": "https://partenaire.example/", "events": ["article.published"], "secret": "court" }),
            "secret",
        ),
        (
            json!({ "url": "https://partenaire.example/", "events": ["article.published"], "colour": "blue" }),
            "colour",
        ),
    ] {
        let (status, _, problem) = post_json(&app, "/v1/webhooks", bad.clone(), Some(&token)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {problem:#}"
        );
        assert_eq!(problem["field"], field, "{bad}: {problem:#}");
    }

    let given = "un-secret-assez-long-0123";
    let (status, _, created) = post_json(
        &app,
        "/v1/webhooks",
        json!({ "url": "https://partenaire.example/hooks", "events": ["comment.approved", "article.published"], "secret": given }),
        Some(&token),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created:#}");
    assert_eq!(created["data"]["secret"], given);
    let hook = created["data"]["webhook"].clone();
    assert_eq!(
        hook["events"],
        json!(["article.published", "comment.approved"])
    );
    assert_eq!(hook["active"], true);
    let id = hook["id"].as_i64().unwrap();

    // The secret is shown once: never in reads.
    let (_, list) = get_json(&app, "/v1/webhooks", Some(&token)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(given));
    let (_, one) = get_json(&app, &format!("/v1/webhooks/{id}"), Some(&token)).await;
    assert!(!one.to_string().contains(given));
    assert_eq!(one["data"]["url"], "https://partenaire.example/hooks");

    let changed = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v1/webhooks/{id}"),
        &token,
        json!({ "active": false, "events": ["article.updated"] }),
    )
    .await;
    assert_eq!(changed["data"]["active"], false);
    assert_eq!(changed["data"]["events"], json!(["article.updated"]));
    let response = app
        .client
        .patch(app.url(&format!("/v1/webhooks/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "url": "gopher://x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = app
        .client
        .delete(app.url(&format!("/v1/webhooks/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (status, _) = get_json(&app, &format!("/v1/webhooks/{id}"), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get_json(&app, &format!("/v1/webhooks/{id}/deliveries"), Some(&token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A server over an existing database (no new database, no seed).
async fn serve_on(
    database_url: &str,
    adjust: impl FnOnce(&mut Config),
) -> (
    AppState,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let mut config = Config::from_lookup(|_| None).unwrap();
    config.database_url = database_url.to_owned();
    config.pool = PoolSettings {
        max_connections: 4,
        ..PoolSettings::default()
    };
    adjust(&mut config);
    let db = Db::connect(&config.database_url, &config.pool)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let state = AppState::new(config, db);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, state.clone(), async move {
        let _ = rx.await;
    }));
    (state, tx, server)
}

#[tokio::test]
async fn deliveries_written_while_no_worker_runs_go_out_when_a_server_starts() {
    // The first server's worker looks once at start, then not for an hour: it stands for a
    // process that stopped right after the changes committed.
    let app = TestApp::spawn_with(|c| {
        receivers_allowed(c);
        c.webhook_poll = Duration::from_secs(3600);
    })
    .await;
    // Let that one look happen before any delivery exists (on a loaded machine the worker's
    // task may start late and would otherwise race the claims below).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let token = admin(&app).await;
    let (receiver, url) = Receiver::start().await;
    let (hook, secret) = register(
        &app,
        &token,
        &url,
        &["article.published", "article.unpublished"],
    )
    .await;
    publish(&app, &token, fx::DRAFT_SLUG).await;
    send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/articles/{}/unpublish", fx::FOREIGN_POLICY_SLUG),
        &token,
        json!({}),
    )
    .await;
    // A worker that claimed a delivery and died: its lease runs out, another worker takes it.
    let claimed = app
        .state
        .content
        .webhooks()
        .claim_due(1, Duration::from_millis(1))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let log = deliveries(&app, &token, hook).await;
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|d| d["status"] == "pending" && d["attempts"] == 0),
        "{log:#?}"
    );
    assert!(receiver.got().is_empty());
    let database_url = app.state.config.database_url.clone();
    drop(app);

    let (state, stop, server) = serve_on(&database_url, quick).await;
    let got = receiver.wait_for(2).await;
    let mut events: Vec<String> = got
        .iter()
        .map(|r| r.json()["event"].as_str().unwrap().to_owned())
        .collect();
    events.sort();
    assert_eq!(events, ["article.published", "article.unpublished"]);
    assert!(got.iter().all(|r| signature_is_valid(&secret, r)));
    // The worker stops with the server.
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    let page = state
        .content
        .webhooks()
        .deliveries(
            &admin_actor(),
            hook,
            &kiosque::content::pagination::PageRequest::first(10),
        )
        .await
        .unwrap();
    let demo = chrono::Utc::now() + chrono::Duration::days(1);
    let sent: Vec<_> = page
        .items
        .iter()
        .filter(|(_, d)| d.next_attempt_at < demo)
        .collect();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert!(
        sent.iter()
            .all(|(_, d)| d.status == "delivered" && d.attempts == 1),
        "{sent:#?}"
    );
    assert_eq!(receiver.got().len(), 2, "each delivery went out once");
}

fn admin_actor() -> kiosque::auth::Actor {
    kiosque::auth::Actor::User(kiosque::auth::UserActor {
        id: 1,
        role: Role::Admin,
        author_id: None,
    })
}

/// GET with an API key.
async fn get_with_key(app: &TestApp, path: &str, key: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .get(app.url(path))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn api_key(app: &TestApp, token: &str, scopes: &[&str]) -> String {
    let (status, _, body) = post_json(
        app,
        "/v1/api-keys",
        json!({ "name": "Partenaire", "scopes": scopes }),
        Some(token),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    body["data"]["key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn partner_sync_lists_changes_in_order_with_tombstones() {
    let app = TestApp::spawn().await;
    let token = admin(&app).await;
    let key = api_key(&app, &token, &["articles:read"]).await;

    let (status, _) = get_json(&app, "/v1/sync/articles", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = get_json(
        &app,
        "/v1/sync/articles",
        Some(&app.token(Role::Reader).await),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let feeds_only = api_key(&app, &token, &["feeds:read"]).await;
    let (status, _) = get_with_key(&app, "/v1/sync/articles", &feeds_only).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = get_with_key(&app, "/v1/sync/articles?since=hier", &key).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["field"], "since");

    // A first full sync: every article, the public ones whole.
    let (status, full) = get_with_key(&app, "/v1/sync/articles?first=100", &key).await;
    assert_eq!(status, StatusCode::OK, "{full:#}");
    let items = full["data"].as_array().unwrap();
    let published = items
        .iter()
        .find(|c| c["slug"] == fx::FOREIGN_POLICY_SLUG)
        .unwrap();
    assert_eq!(published["status"], "published");
    assert_eq!(published["deleted"], false);
    assert_eq!(published["article"]["slug"], fx::FOREIGN_POLICY_SLUG);
    assert!(published["article"]["body"]["html"].as_str().is_some());
    for never_public in [fx::DRAFT_SLUG, fx::SCHEDULED_SLUG] {
        assert!(
            items.iter().all(|c| c["slug"] != never_public),
            "{never_public} was never public: not listed"
        );
    }
    let keys: Vec<(String, String)> = items
        .iter()
        .map(|c| {
            (
                c["updated_at"].as_str().unwrap().to_owned(),
                c["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let times: Vec<chrono::DateTime<chrono::Utc>> =
        keys.iter().map(|(t, _)| t.parse().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "oldest change first"
    );
    let end = full["page"]["end_cursor"].as_str().unwrap().to_owned();
    let since = chrono::Utc::now();

    // Three changes: a publication, an unpublication, a deletion.
    publish(&app, &token, fx::DRAFT_SLUG).await;
    send(
        &app,
        reqwest::Method::POST,
        &format!("/v1/articles/{}/unpublish", fx::FOREIGN_POLICY_SLUG),
        &token,
        json!({}),
    )
    .await;
    let missile = items
        .iter()
        .find(|c| c["slug"] == fx::MISSILE_SLUG)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = app
        .client
        .delete(app.url(&format!("/v1/articles/{}", fx::MISSILE_SLUG)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let expect = |page: &Value| {
        let data = page["data"].as_array().unwrap();
        let seen: Vec<(String, String)> = data
            .iter()
            .map(|c| {
                (
                    c["slug"].as_str().unwrap().to_owned(),
                    c["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (fx::DRAFT_SLUG.to_owned(), "published".to_owned()),
                (fx::FOREIGN_POLICY_SLUG.to_owned(), "unpublished".to_owned()),
                (fx::MISSILE_SLUG.to_owned(), "deleted".to_owned()),
            ],
            "{page:#}"
        );
        assert_eq!(data[0]["article"]["slug"], fx::DRAFT_SLUG);
        assert!(data[1]["article"].is_null());
        assert_eq!(data[2]["deleted"], true);
        assert_eq!(data[2]["id"], missile.as_str());
        assert!(data[2]["article"].is_null());
    };
    let since_param = since.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (_, changes) = get_with_key(
        &app,
        &format!("/v1/sync/articles?since={since_param}"),
        &key,
    )
    .await;
    expect(&changes);
    // The same answer under the list's own route, as partners of other CMSes ask for it.
    let (status, aliased) = get_with_key(
        &app,
        &format!("/v1/articles?updated_since={since_param}"),
        &key,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{aliased:#}");
    expect(&aliased);
    assert_eq!(aliased["data"], changes["data"]);
    // Continuing from the first sync's cursor gives the same changes.
    let (_, continued) = get_with_key(&app, &format!("/v1/sync/articles?after={end}"), &key).await;
    expect(&continued);
    // Staff may sync too, and page by page the list is the same.
    let mut paged = Vec::new();
    let mut path = format!("/v1/sync/articles?since={since_param}&first=1");
    loop {
        let (status, page) = get_json(&app, &path, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{page:#}");
        paged.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["slug"].clone()),
        );
        match page["links"]["next"].as_str() {
            Some(next) => path = next.split_once(&app.addr.to_string()).unwrap().1.to_owned(),
            None => break,
        }
    }
    assert_eq!(
        paged,
        [
            json!(fx::DRAFT_SLUG),
            json!(fx::FOREIGN_POLICY_SLUG),
            json!(fx::MISSILE_SLUG)
        ]
    );
}

/// GraphQL with a bearer token.
async fn graphql_as(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn graphql_manages_webhooks_with_the_same_rules() {
    let app = TestApp::spawn_with(quick).await;
    let token = admin(&app).await;
    let create = "mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id url events active } } }";
    let input = json!({ "input": { "url": "https://partenaire.example/graphql-hooks", "events": ["article.updated"] } });
    let anonymous = graphql_as(&app, None, create, input.clone()).await;
    assert_eq!(crate::helpers::error_code(&anonymous), "UNAUTHENTICATED");
    let editor = graphql_as(
        &app,
        Some(&app.token(Role::Editor).await),
        create,
        input.clone(),
    )
    .await;
    assert_eq!(crate::helpers::error_code(&editor), "FORBIDDEN");
    let bad = graphql_as(
        &app,
        Some(&token),
        create,
        json!({ "input": { "url": "https://a:b@partenaire.example/", "events": ["article.updated"] } }),
    )
    .await;
    assert_eq!(crate::helpers::error_code(&bad), "BAD_USER_INPUT");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "url");

    let created = graphql_as(&app, Some(&token), create, input).await;
    assert!(created.get("errors").is_none(), "{created:#}");
    let hook = created["data"]["createWebhook"]["webhook"].clone();
    assert!(
        created["data"]["createWebhook"]["secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    assert_eq!(hook["events"], json!(["article.updated"]));
    let id = hook["id"].as_str().unwrap().to_owned();

    let updated = graphql_as(
        &app,
        Some(&token),
        "mutation($id: ID!) { updateWebhook(id: $id, input: { active: false }) { id active } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        updated["data"]["updateWebhook"]["active"], false,
        "{updated:#}"
    );
    // The same endpoint through the other door.
    let (_, rest) = get_json(&app, &format!("/v1/webhooks/{id}"), Some(&token)).await;
    assert_eq!(rest["data"]["active"], false);
    let listed = graphql_as(&app, Some(&token), "{ webhooks { id url } }", json!({})).await;
    assert_eq!(
        listed["data"]["webhooks"][0]["url"],
        "https://partenaire.example/graphql-hooks"
    );
    let deleted = graphql_as(
        &app,
        Some(&token),
        "mutation($id: ID!) { deleteWebhook(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(deleted["data"]["deleteWebhook"], id.as_str(), "{deleted:#}");
    let listed = graphql_as(&app, Some(&token), "{ webhooks { id } }", json!({})).await;
    assert_eq!(listed["data"]["webhooks"], json!([]));
}

/// A TCP listener on 127.0.0.1 that only counts the connections it accepts.
async fn connection_counter() -> (Arc<std::sync::atomic::AtomicUsize>, u16) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    (count, port)
}

#[tokio::test]
async fn webhook_endpoints_on_internal_addresses_are_refused_at_registration() {
    let app = TestApp::spawn().await;
    let token = admin(&app).await;
    let hostile = [
        "http://localhost:6379/",
        "http://LOCALHOST.:5432/",
        "http://redis.localhost/",
        "http://[::1]:80/",
        "http://127.0.0.1/",
        "http://127.1:6379/",
        "http://2130706433/",
        "http://0.0.0.0:8080/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[fd12:3456::1]/",
        "http://[::]/",
        "http://[ff02::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
    ];
    for url in hostile {
        let (status, _, body) = post_json(
            &app,
            "/v1/webhooks",
            json!({ "url": url, "events": ["article.published"] }),
            Some(&token),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body:#}");
        assert_eq!(body["field"], "url", "{url}");
    }
    // Nor may a registered endpoint be moved there.
    let (hook, _) = register(
        &app,
        &token,
        "https://partenaire.example/hook",
        &["article.published"],
    )
    .await;
    for url in ["http://[::1]:80/", "http://localhost:6379/"] {
        let response = app
            .client
            .patch(app.url(&format!("/v1/webhooks/{hook}")))
            .bearer_auth(&token)
            .json(&json!({ "url": url }))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body:#}");
        assert_eq!(body["field"], "url", "{url}");
    }
    // The GraphQL door says the same.
    let answer = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&token)
        .json(&json!({ "query": "mutation { createWebhook(input: { url: \"http://[::1]:80/\", events: [\"article.published\"] }) { secret } }" }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer:#}"
    );
    assert_eq!(
        answer["errors"][0]["extensions"]["field"], "url",
        "{answer:#}"
    );
    // Public addresses and names are fine.
    register(
        &app,
        &token,
        "http://93.184.216.34/hook",
        &["article.published"],
    )
    .await;
    register(
        &app,
        &token,
        "http://[2606:4700::1111]/hook",
        &["article.published"],
    )
    .await;

    // An allowed network opens its addresses (and the loopback names, when it is the
    // loopback), and nothing else.
    let app = TestApp::spawn_with(receivers_allowed).await;
    let token = admin(&app).await;
    register(
        &app,
        &token,
        "http://127.0.0.1:9/hook",
        &["article.published"],
    )
    .await;
    register(
        &app,
        &token,
        "http://localhost:9/hook",
        &["article.published"],
    )
    .await;
    for url in ["http://127.0.0.2/", "http://10.0.0.1/", "http://[fd00::1]/"] {
        let (status, _, body) = post_json(
            &app,
            "/v1/webhooks",
            json!({ "url": url, "events": ["article.published"] }),
            Some(&token),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body:#}");
    }
}

#[tokio::test]
async fn a_delivery_to_a_name_or_address_that_became_internal_never_connects() {
    // Registration checks what it can; the delivery checks again after resolving, and
    // connects only to an address it checked. The endpoints below passed registration as
    // public names; their URL is then changed in the database, as DNS would re-point a name
    // (offline, `localhost` is the name the system resolver maps to the loopback).
    let app = TestApp::spawn_with(|c| {
        quick(c);
        c.webhook_networks = AllowedNetworks::default();
        c.webhook_max_attempts = 1;
    })
    .await;
    let token = admin(&app).await;
    let (connections, port) = connection_counter().await;
    let mut hooks = Vec::new();
    for (n, target) in [
        format!("http://localhost:{port}/hook"),
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
    ]
    .into_iter()
    .enumerate()
    {
        let (hook, _) = register(
            &app,
            &token,
            &format!("https://partenaire-{n}.example/hook"),
            &["article.published"],
        )
        .await;
        let sql = format!("UPDATE webhooks SET url = '{target}' WHERE id = {hook}");
        use sea_orm::ConnectionTrait;
        app.state
            .db()
            .conn
            .execute_unprepared(&sql)
            .await
            .expect("re-pointing the endpoint");
        hooks.push((hook, target));
    }
    publish(&app, &token, fx::DRAFT_SLUG).await;
    for (hook, target) in hooks {
        let log = wait_until_settled(&app, &token, hook).await;
        assert_eq!(log[0]["status"], "failed", "{target}: {log:#?}");
        let error = log[0]["last_error"].as_str().unwrap_or_default();
        assert!(error.contains("public address"), "{target}: {error}");
    }
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no delivery reached the loopback"
    );
}

#[tokio::test]
async fn partner_sync_never_names_an_article_before_it_was_public() {
    let app = TestApp::spawn().await;
    let token = admin(&app).await;
    let key = api_key(&app, &token, &["articles:read"]).await;
    let create = |slug: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            send(
                app,
                reqwest::Method::POST,
                "/v1/articles",
                token,
                json!({
                    "title": format!("Secret {slug}"),
                    "slug": slug,
                    "rubric": fx::RUBRIC_SLUG,
                    "authors": [fx::AUTHOR_SLUG]
                }),
            )
            .await
        }
    };
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let schedule = |slug: &'static str| {
        let (app, token, tomorrow) = (&app, &token, tomorrow.clone());
        async move {
            send(
                app,
                reqwest::Method::POST,
                &format!("/v1/articles/{slug}/schedule"),
                token,
                json!({ "publish_at": tomorrow }),
            )
            .await
        }
    };
    let step = |slug: &'static str, what: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            send(
                app,
                reqwest::Method::POST,
                &format!("/v1/articles/{slug}/{what}"),
                token,
                json!({}),
            )
            .await
        }
    };
    // Never public: a draft, a scheduled article, one scheduled then withdrawn and archived,
    // and a draft deleted.
    create("scoop-brouillon").await;
    create("scoop-programme").await;
    schedule("scoop-programme").await;
    create("scoop-retire").await;
    schedule("scoop-retire").await;
    step("scoop-retire", "unpublish").await;
    step("scoop-retire", "archive").await;
    create("scoop-efface").await;
    let response = app
        .client
        .delete(app.url("/v1/articles/scoop-efface"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // Public once: a partner may hold a copy and hears it is gone.
    create("scoop-retracte").await;
    step("scoop-retracte", "publish").await;
    step("scoop-retracte", "unpublish").await;
    create("scoop-supprime").await;
    step("scoop-supprime", "publish").await;
    let response = app
        .client
        .delete(app.url("/v1/articles/scoop-supprime"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    for path in [
        "/v1/sync/articles?first=100",
        "/v1/articles?updated_since=2000-01-01T00:00:00Z&first=100",
    ] {
        let (status, page) = get_with_key(&app, path, &key).await;
        assert_eq!(status, StatusCode::OK, "{page:#}");
        let listed: Vec<(String, String)> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["slug"].as_str().unwrap().to_owned(),
                    c["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let scoops: Vec<&(String, String)> = listed
            .iter()
            .filter(|(s, _)| s.starts_with("scoop-"))
            .collect();
        assert_eq!(
            scoops,
            [
                &("scoop-retracte".to_owned(), "unpublished".to_owned()),
                &("scoop-supprime".to_owned(), "deleted".to_owned()),
            ],
            "{path}: {listed:?}"
        );
        let text = page.to_string();
        for secret in [
            "scoop-brouillon",
            "scoop-programme",
            "scoop-retire",
            "scoop-efface",
            "Secret",
        ] {
            assert!(!text.contains(secret), "{path}: {secret} leaked");
        }
        for never in [fx::DRAFT_SLUG, fx::SCHEDULED_SLUG] {
            assert!(listed.iter().all(|(s, _)| s != never), "{path}: {never}");
        }
    }
}
