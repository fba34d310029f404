//! The authentication matrix: every way an access token can be wrong, each sent to a write
//! route of both doors, must answer 401 (REST: problem+json with
//! `WWW-Authenticate: Bearer error="invalid_token"`; GraphQL: `UNAUTHENTICATED`), never a
//! 500, and write nothing. Tokens are forged here byte by byte; one correctly forged token
//! is accepted, which proves the forger itself is sound. Then key rotation, a valid token
//! with too small a role, and sign-in throttling per client address.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use kiosque::seed::demo::fixtures as fx;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::{Value, json};

use crate::comments_write::count;
use crate::helpers::{TestApp, error_code};

const SECRET: &str = "the matrix secret, long enough to sign";
const OLD_SECRET: &str = "the previous secret, still trusted for a while";

/// The key id Kiosque gives a secret: the first 6 bytes of its SHA-256, in hex.
fn kid(secret: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(secret.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn header(secret: &str) -> Value {
    json!({ "alg": "HS256", "typ": "JWT", "kid": kid(secret) })
}

/// The claims of a valid access token of the editor account that [`spawn`] creates (user 1).
fn claims() -> Value {
    let now = now();
    json!({
        "sub": "1", "role": "editor", "typ": "access",
        "iss": "kiosque", "aud": "kiosque-api",
        "iat": now, "nbf": now, "exp": now + 600,
    })
}

fn without(mut value: Value, key: &str) -> Value {
    value.as_object_mut().expect("an object").remove(key);
    value
}

fn with(mut value: Value, key: &str, new: Value) -> Value {
    value[key] = new;
    value
}

fn part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).expect("JSON"))
}

/// `header.claims.signature`, the signature made with HMAC (`alg`) over `secret`,
/// whatever the header says.
fn forge(header: &Value, claims: &Value, secret: &str, alg: Algorithm) -> String {
    let message = format!("{}.{}", part(header), part(claims));
    let signature = jsonwebtoken::crypto::sign(
        message.as_bytes(),
        &EncodingKey::from_secret(secret.as_bytes()),
        alg,
    )
    .expect("sign");
    format!("{message}.{signature}")
}

fn valid() -> String {
    forge(&header(SECRET), &claims(), SECRET, Algorithm::HS256)
}

/// Replaces one character in the middle of the signature (not the last one, whose low
/// bits base64 may ignore).
fn flip_signature_byte(token: &str) -> String {
    let (message, signature) = token.rsplit_once('.').expect("three parts");
    let mut chars: Vec<char> = signature.chars().collect();
    let i = chars.len() / 2;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    format!("{message}.{}", chars.into_iter().collect::<String>())
}

/// Every bad access token, by name. Each is refused; `Authorization` values that are not
/// even tokens come in [`bad_headers`].
fn bad_tokens(refresh_token: &str) -> Vec<(&'static str, String)> {
    let good = valid();
    let h = header(SECRET);
    let c = claims();
    let now = now();
    let signed = |header: Value, claims: Value| forge(&header, &claims, SECRET, Algorithm::HS256);
    let (head, _, signature) = {
        let mut parts = good.split('.');
        (
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
            parts.next().unwrap().to_owned(),
        )
    };
    vec![
        (
            "alg none, no signature",
            format!(
                "{}.{}.",
                part(&with(h.clone(), "alg", json!("none"))),
                part(&c)
            ),
        ),
        (
            "alg none, with the HS256 signature kept",
            format!(
                "{}.{}.{signature}",
                part(&with(h.clone(), "alg", json!("none"))),
                part(&c)
            ),
        ),
        (
            "HS384 where HS256 is pinned",
            forge(
                &with(h.clone(), "alg", json!("HS384")),
                &c,
                SECRET,
                Algorithm::HS384,
            ),
        ),
        (
            "HS512 where HS256 is pinned",
            forge(
                &with(h.clone(), "alg", json!("HS512")),
                &c,
                SECRET,
                Algorithm::HS512,
            ),
        ),
        (
            "RS256 header over an HMAC signature (algorithm confusion)",
            signed(with(h.clone(), "alg", json!("RS256")), c.clone()),
        ),
        (
            "EdDSA header over an HMAC signature (algorithm confusion)",
            signed(with(h.clone(), "alg", json!("EdDSA")), c.clone()),
        ),
        (
            "an unknown algorithm",
            signed(with(h.clone(), "alg", json!("HS1024")), c.clone()),
        ),
        ("a flipped signature byte", flip_signature_byte(&good)),
        ("a missing signature", format!("{head}.{}.", part(&c))),
        ("the payload edited after signing (reader made admin)", {
            let reader = signed(h.clone(), with(c.clone(), "role", json!("reader")));
            let signature = reader.rsplit('.').next().unwrap().to_owned();
            format!(
                "{head}.{}.{signature}",
                part(&with(c.clone(), "role", json!("admin")))
            )
        }),
        (
            "a token signed with another secret under our kid",
            forge(&h, &c, "some other secret entirely", Algorithm::HS256),
        ),
        (
            "expired 45 s ago (beyond the 30 s leeway)",
            signed(
                h.clone(),
                with(
                    with(
                        with(c.clone(), "exp", json!(now - 45)),
                        "iat",
                        json!(now - 900),
                    ),
                    "nbf",
                    json!(now - 900),
                ),
            ),
        ),
        (
            "expired an hour ago",
            signed(h.clone(), with(c.clone(), "exp", json!(now - 3600))),
        ),
        ("exp missing", signed(h.clone(), without(c.clone(), "exp"))),
        (
            "exp not a number",
            signed(h.clone(), with(c.clone(), "exp", json!("tomorrow"))),
        ),
        (
            "nbf two minutes in the future",
            signed(h.clone(), with(c.clone(), "nbf", json!(now + 120))),
        ),
        ("nbf missing", signed(h.clone(), without(c.clone(), "nbf"))),
        (
            "a wrong aud",
            signed(h.clone(), with(c.clone(), "aud", json!("someone-else"))),
        ),
        ("aud missing", signed(h.clone(), without(c.clone(), "aud"))),
        (
            "a wrong iss",
            signed(h.clone(), with(c.clone(), "iss", json!("evil"))),
        ),
        ("iss missing", signed(h.clone(), without(c.clone(), "iss"))),
        (
            "an unknown kid",
            signed(with(h.clone(), "kid", json!("0123456789ab")), c.clone()),
        ),
        ("kid missing", signed(without(h.clone(), "kid"), c.clone())),
        (
            "a kid holding a path",
            signed(
                with(h.clone(), "kid", json!("../../../../../../dev/null")),
                c.clone(),
            ),
        ),
        (
            "a kid holding SQL",
            signed(
                with(h.clone(), "kid", json!("x' UNION SELECT 'secret' --")),
                c.clone(),
            ),
        ),
        (
            "a kid that is not a string",
            signed(with(h.clone(), "kid", json!({ "$ne": null })), c.clone()),
        ),
        (
            "typ refresh in a signed JWT",
            signed(h.clone(), with(c.clone(), "typ", json!("refresh"))),
        ),
        ("typ missing", signed(h.clone(), without(c.clone(), "typ"))),
        (
            "a role that does not exist",
            signed(h.clone(), with(c.clone(), "role", json!("superuser"))),
        ),
        (
            "sub not a user id",
            signed(h.clone(), with(c.clone(), "sub", json!("admin"))),
        ),
        ("sub missing", signed(h.clone(), without(c.clone(), "sub"))),
        (
            "a refresh token presented as an access token",
            refresh_token.to_owned(),
        ),
        ("two parts only", format!("{head}.{}", part(&c))),
        ("four parts", format!("{good}.{signature}")),
        (
            "a header that is not JSON",
            format!("bm90IGpzb24.{}.{signature}", part(&c)),
        ),
        (
            "a payload that is an array",
            signed(h.clone(), json!([1, 2, 3])),
        ),
        ("base64 garbage", "!!!.@@@.###".to_owned()),
        ("empty", String::new()),
    ]
}

/// `Authorization` values that are not a bearer token at all.
fn bad_headers() -> Vec<(&'static str, HeaderValue)> {
    let ten_kb = format!("Bearer {}", "a".repeat(10 * 1024));
    let ten_kb_dots = format!("Bearer {}", "ab.".repeat(10 * 1024 / 3));
    vec![
        (
            "a 10 KB bearer token",
            HeaderValue::from_str(&ten_kb).unwrap(),
        ),
        (
            "a 10 KB token of dots",
            HeaderValue::from_str(&ten_kb_dots).unwrap(),
        ),
        (
            "Basic credentials",
            HeaderValue::from_static("Basic dXNlcjpwYXNzd29yZA=="),
        ),
        ("the scheme alone", HeaderValue::from_static("Bearer")),
        (
            "an unknown scheme",
            HeaderValue::from_static("Token abc.def.ghi"),
        ),
        ("garbage", HeaderValue::from_static("%%%% ;;; ,,, \"\" ==")),
        (
            "bytes that are not UTF-8",
            HeaderValue::from_bytes(b"Bearer \xff\xfe\xfd.\x80\x81.\xc3\x28").unwrap(),
        ),
    ]
}

const CREATE: &str =
    "mutation($input: CreateArticleInput!) { createArticle(input: $input) { id } }";

fn draft(title: &str) -> Value {
    json!({ "title": title, "rubric": fx::RUBRIC_SLUG, "authors": [fx::AUTHOR_SLUG], "body": "Un corps." })
}

async fn articles(app: &TestApp) -> i64 {
    count(app, "SELECT count(*) AS n FROM articles").await
}

/// What one `Authorization` value gets from a REST write, a REST read and a GraphQL write.
struct Outcome {
    rest_write: (u16, Option<String>, Option<String>, Value),
    rest_read: u16,
    graphql: Value,
}

async fn attempt(app: &TestApp, authorization: HeaderValue) -> Outcome {
    let response = app
        .client
        .post(app.url("/v1/articles"))
        .header(AUTHORIZATION, authorization.clone())
        .json(&draft("Une intrusion"))
        .send()
        .await
        .expect("request");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (status, challenge, content_type) = (
        response.status().as_u16(),
        header("www-authenticate"),
        header("content-type"),
    );
    let body = response.json().await.unwrap_or(Value::Null);
    let rest_read = app
        .client
        .get(app.url("/v1/articles?first=1"))
        .header(AUTHORIZATION, authorization.clone())
        .send()
        .await
        .expect("request")
        .status()
        .as_u16();
    let graphql = app
        .client
        .post(app.url("/graphql"))
        .header(AUTHORIZATION, authorization)
        .json(&json!({ "query": CREATE, "variables": { "input": draft("Une intrusion") } }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    Outcome {
        rest_write: (status, challenge, content_type, body),
        rest_read,
        graphql,
    }
}

fn bearer(token: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("Bearer {token}")).expect("a header value")
}

/// A server signing with [`SECRET`], with one account: an editor, user 1, the subject of
/// [`claims`] (the server takes the role from the account, not from the token).
async fn spawn() -> TestApp {
    let app = TestApp::spawn_with(|config| config.jwt_secret = Some(SECRET.into())).await;
    let editor = app
        .user(kiosque::auth::Role::Editor, "Éditrice", None)
        .await;
    assert_eq!(editor.id, 1, "the forged tokens name user 1");
    app
}

async fn refresh_token(app: &TestApp) -> String {
    let account = kiosque::seed::demo_users(app.state.db())
        .await
        .expect("demo accounts")
        .into_iter()
        .find(|a| a.role == kiosque::auth::Role::Editor)
        .expect("an editor");
    let session: Value = app
        .client
        .post(app.url("/v1/auth/login"))
        .json(&json!({ "email": account.email, "password": account.password }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    session["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned()
}

#[tokio::test]
async fn every_bad_credential_is_a_401_on_both_doors_and_writes_nothing() {
    let app = spawn().await;
    let before = articles(&app).await;

    // The forger is sound: its valid token writes, through both doors.
    let ok = attempt(&app, bearer(&valid())).await;
    assert_eq!(ok.rest_write.0, 201, "{}", ok.rest_write.3);
    assert_eq!(ok.rest_read, 200);
    assert!(ok.graphql.get("errors").is_none(), "{:#}", ok.graphql);
    assert_eq!(articles(&app).await, before + 2);

    let refresh = refresh_token(&app).await;
    let mut cases: Vec<(String, HeaderValue)> = bad_tokens(&refresh)
        .into_iter()
        .map(|(name, token)| (name.to_owned(), bearer(&token)))
        .collect();
    cases.extend(
        bad_headers()
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value)),
    );
    let mut failures = Vec::new();
    for (name, value) in cases {
        let got = attempt(&app, value).await;
        let (status, challenge, content_type, body) = &got.rest_write;
        let fine = *status == 401
            && challenge.as_deref() == Some("Bearer error=\"invalid_token\"")
            && content_type.as_deref() == Some("application/problem+json")
            && body["code"] == "UNAUTHENTICATED"
            && got.rest_read == 401
            && error_code(&got.graphql) == "UNAUTHENTICATED"
            && got.graphql["data"]["createArticle"].is_null();
        if !fine {
            failures.push(format!(
                "{name}: REST write {status} {challenge:?} {content_type:?} {body}, \
                 REST read {}, GraphQL {}",
                got.rest_read, got.graphql
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(articles(&app).await, before + 2, "no write happened");
}

#[tokio::test]
async fn a_token_within_the_leeway_is_still_accepted() {
    // The other side of "expired beyond the leeway": clocks a few seconds apart do not
    // sign anyone out.
    let app = spawn().await;
    let now = now();
    let token = forge(
        &header(SECRET),
        &with(with(claims(), "exp", json!(now - 5)), "nbf", json!(now + 5)),
        SECRET,
        Algorithm::HS256,
    );
    assert_eq!(attempt(&app, bearer(&token)).await.rest_write.0, 201);
}

#[tokio::test]
async fn a_token_of_the_previous_key_passes_during_the_overlap_and_fails_after() {
    let old_token = forge(&header(OLD_SECRET), &claims(), OLD_SECRET, Algorithm::HS256);
    let overlap = TestApp::spawn_with(|config| {
        config.jwt_secret = Some(SECRET.into());
        config.jwt_previous_secret = Some(OLD_SECRET.into());
    })
    .await;
    let editor = overlap
        .user(kiosque::auth::Role::Editor, "Éditrice", None)
        .await;
    assert_eq!(editor.id, 1, "the forged tokens name user 1");
    let during = attempt(&overlap, bearer(&old_token)).await;
    assert_eq!(during.rest_write.0, 201, "{}", during.rest_write.3);
    assert!(during.graphql.get("errors").is_none(), "{}", during.graphql);
    // New tokens are signed with the new key, under its kid.
    let fresh = overlap.token(kiosque::auth::Role::Editor).await;
    let fresh_header = jsonwebtoken::decode_header(&fresh).expect("header");
    assert_eq!(fresh_header.kid, Some(kid(SECRET)));

    let after = spawn().await;
    let before = articles(&after).await;
    let refused = attempt(&after, bearer(&old_token)).await;
    assert_eq!(refused.rest_write.0, 401);
    assert_eq!(error_code(&refused.graphql), "UNAUTHENTICATED");
    assert_eq!(articles(&after).await, before);
    // Nor may an old token pass itself off under the new kid.
    let disguised = forge(&header(SECRET), &claims(), OLD_SECRET, Algorithm::HS256);
    assert_eq!(attempt(&after, bearer(&disguised)).await.rest_write.0, 401);
}

#[tokio::test]
async fn a_valid_token_with_too_small_a_role_is_forbidden_not_unauthenticated() {
    let app = spawn().await;
    let before = articles(&app).await;
    let account = app.user(kiosque::auth::Role::Reader, "Lecteur", None).await;
    let reader = forge(
        &header(SECRET),
        &with(
            with(claims(), "sub", json!(account.id.to_string())),
            "role",
            json!("reader"),
        ),
        SECRET,
        Algorithm::HS256,
    );
    let got = attempt(&app, bearer(&reader)).await;
    assert_eq!(got.rest_write.0, 403, "{}", got.rest_write.3);
    assert_eq!(got.rest_write.3["code"], "FORBIDDEN");
    assert_eq!(got.rest_write.1, None, "no challenge on a 403");
    assert_eq!(got.rest_read, 200);
    assert_eq!(error_code(&got.graphql), "FORBIDDEN");
    assert_eq!(articles(&app).await, before);
}

#[tokio::test]
async fn trying_one_password_on_many_accounts_is_rate_limited_per_client() {
    let app = spawn().await;
    let per_client = kiosque::content::accounts::LOGIN_ATTEMPTS_PER_CLIENT.max;
    assert!(
        per_client > kiosque::content::accounts::LOGIN_ATTEMPTS.max,
        "an address is shared by more people than an account"
    );
    let try_login = |n: u32| {
        app.client
            .post(app.url("/v1/auth/login"))
            .json(&json!({ "email": format!("victim{n}@example.org"), "password": "Password123!" }))
            .send()
    };
    // Each account is tried once: the per-account limit never triggers.
    for n in 0..per_client {
        assert_eq!(
            try_login(n).await.expect("request").status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let response = try_login(per_client).await.expect("request");
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    // The same address is limited on the other door too, whatever the account.
    let body = app
        .graphql(
            "mutation { login(email: \"someone@example.org\", password: \"Password123!\") { accessToken } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
}
