//! Accounts over HTTP: signing in, refreshing and out, `me`, and the admin-only management
//! of users and API keys, through both doors. Every test signs in for real (accounts are
//! created as the command line does, then `POST /v1/auth/login`).

use kiosque::auth::Role;
use kiosque::content::accounts::NewUser;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, error_code};

const PASSWORD: &str = "correct horse battery staple";

/// Creates an account with this role (as `kiosque user create` does) and returns its email.
async fn account(app: &TestApp, role: Role) -> String {
    let email = format!("{}@example.org", role.as_str());
    app.state
        .content
        .users()
        .register(NewUser {
            email: email.clone(),
            password: PASSWORD.into(),
            display_name: format!("A {}", role.as_str()),
            role,
            author_id: None,
        })
        .await
        .expect("account created");
    email
}

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

/// Signs in over REST and returns the whole token answer.
async fn login(app: &TestApp, email: &str, password: &str) -> Value {
    let response = post(
        app,
        "/v1/auth/login",
        None,
        json!({ "email": email, "password": password }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON")
}

/// Creates an account with this role and returns an access token from a real sign-in.
async fn signed_in(app: &TestApp, role: Role) -> String {
    let email = account(app, role).await;
    login(app, &email, PASSWORD).await["access_token"]
        .as_str()
        .expect("access token")
        .to_owned()
}

/// A GraphQL request, with a bearer token when given.
async fn graphql(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON")
}

async fn problem(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = response.json().await.expect("JSON");
    if status >= 400 {
        assert_eq!(content_type, "application/problem+json", "{body}");
    }
    (status, body)
}

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<none>")
}

const LOGIN: &str = "mutation($email: String!, $password: String!) {
    login(email: $email, password: $password) {
        accessToken tokenType expiresIn refreshToken user { id email role }
    }
}";
const REFRESH: &str = "mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken user { role } } }";
const LOGOUT: &str = "mutation($t: String!) { logout(refreshToken: $t) }";
const ME: &str = "{ me { id email displayName role disabled } }";
const CREATE_USER: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { id email role displayName authorId } }";
const UPDATE_USER: &str = "mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id role displayName disabled } }";
const USERS: &str = "{ users(first: 10) { totalCount nodes { id email role } } }";
const CREATE_KEY: &str = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name prefix scopes } } }";
const REVOKE_KEY: &str = "mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }";
const API_KEYS: &str = "{ apiKeys { id prefix scopes lastUsedAt revokedAt } }";

#[tokio::test]
async fn logging_in_gives_a_bearer_token_a_refresh_token_and_the_account() {
    let app = TestApp::spawn().await;
    let email = account(&app, Role::Editor).await;
    let session = login(&app, &email, PASSWORD).await;
    assert_eq!(session["token_type"], "Bearer");
    assert_eq!(session["expires_in"], 900);
    assert_eq!(session["user"]["email"], "editor@example.org");
    assert_eq!(session["user"]["role"], "editor");
    let refresh = session["refresh_token"].as_str().unwrap();
    assert!(refresh.len() >= 22, "at least 128 bits");
    let token = session["access_token"].as_str().unwrap();

    let response = send(&app, reqwest::Method::GET, "/v1/me", Some(token), None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["data"]["email"], "editor@example.org");
    assert_eq!(me["data"]["role"], "editor");
    assert!(me["data"]["last_login_at"].is_string());

    let data = graphql(&app, Some(token), ME, json!({})).await;
    assert_eq!(data["data"]["me"]["email"], "editor@example.org");
    assert_eq!(data["data"]["me"]["role"], "EDITOR");

    // The GraphQL door signs in the same way.
    let data = graphql(
        &app,
        None,
        LOGIN,
        json!({ "email": email, "password": PASSWORD }),
    )
    .await;
    let login = &data["data"]["login"];
    assert_eq!(login["tokenType"], "Bearer", "{data}");
    assert_eq!(login["user"]["role"], "EDITOR");
    let token = login["accessToken"].as_str().unwrap();
    let data = graphql(&app, Some(token), ME, json!({})).await;
    assert_eq!(data["data"]["me"]["displayName"], "A editor");
}

#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let email = account(&app, Role::Admin).await;
    let wrong_password = post(
        &app,
        "/v1/auth/login",
        None,
        json!({ "email": email, "password": "not the password" }),
    )
    .await;
    let unknown_email = post(
        &app,
        "/v1/auth/login",
        None,
        json!({ "email": "nobody@example.org", "password": PASSWORD }),
    )
    .await;
    let (s1, b1) = problem(wrong_password).await;
    let (s2, b2) = problem(unknown_email).await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(b1, b2);
    assert_eq!(b1["code"], "UNAUTHENTICATED");

    let wrong = graphql(
        &app,
        None,
        LOGIN,
        json!({ "email": email, "password": "not the password" }),
    )
    .await;
    let unknown = graphql(
        &app,
        None,
        LOGIN,
        json!({ "email": "nobody@example.org", "password": PASSWORD }),
    )
    .await;
    assert_eq!(error_code(&wrong), "UNAUTHENTICATED");
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    assert_eq!(error_code(&unknown), "UNAUTHENTICATED");
}

#[tokio::test]
async fn emails_are_normalised_at_sign_up_and_at_sign_in() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin).await;
    let response = post(
        &app,
        "/v1/users",
        Some(&admin),
        json!({ "email": "  Ana.Roux@Example.ORG ", "password": PASSWORD,
                "display_name": "Ana Roux", "role": "author" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["data"]["email"], "ana.roux@example.org");
    let session = login(&app, " ANA.ROUX@example.org", PASSWORD).await;
    assert_eq!(session["user"]["role"], "author");
    // The same address in other letters is the same account.
    let response = post(
        &app,
        "/v1/users",
        Some(&admin),
        json!({ "email": "ana.roux@EXAMPLE.org", "password": PASSWORD,
                "display_name": "Ana", "role": "reader" }),
    )
    .await;
    let (status, body) = problem(response).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("CONFLICT")));
    let data = graphql(
        &app,
        Some(&admin),
        CREATE_USER,
        json!({ "input": { "email": "Ana.Roux@example.org", "password": PASSWORD,
                           "displayName": "Ana", "role": "READER" } }),
    )
    .await;
    assert_eq!(error_code(&data), "CONFLICT");
}

#[tokio::test]
async fn refreshing_rotates_the_refresh_token() {
    let app = TestApp::spawn().await;
    let email = account(&app, Role::Reader).await;
    let first = login(&app, &email, PASSWORD).await;
    let old = first["refresh_token"].as_str().unwrap();
    let response = post(
        &app,
        "/v1/auth/refresh",
        None,
        json!({ "refresh_token": old }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let second: Value = response.json().await.unwrap();
    let new = second["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);
    assert_eq!(second["user"]["email"], "reader@example.org");
    let token = second["access_token"].as_str().unwrap();
    let me = send(&app, reqwest::Method::GET, "/v1/me", Some(token), None).await;
    assert_eq!(me.status(), StatusCode::OK);

    // The old one was used up.
    let again = post(
        &app,
        "/v1/auth/refresh",
        None,
        json!({ "refresh_token": old }),
    )
    .await;
    let (status, body) = problem(again).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
    let data = graphql(&app, None, REFRESH, json!({ "t": old })).await;
    assert_eq!(error_code(&data), "UNAUTHENTICATED");

    // The new one works once, through GraphQL too.
    let data = graphql(&app, None, REFRESH, json!({ "t": new })).await;
    assert_eq!(data["data"]["refresh"]["user"]["role"], "READER", "{data}");
    let data = graphql(&app, None, REFRESH, json!({ "t": new })).await;
    assert_eq!(error_code(&data), "UNAUTHENTICATED");

    // Unknown and empty tokens.
    let unknown = post(
        &app,
        "/v1/auth/refresh",
        None,
        json!({ "refresh_token": "nope" }),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let empty = post(
        &app,
        "/v1/auth/refresh",
        None,
        json!({ "refresh_token": "" }),
    )
    .await;
    assert_eq!(empty.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let email = account(&app, Role::Reader).await;
    let session = login(&app, &email, PASSWORD).await;
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    let backend = app.state.db().backend();
    app.state
        .db()
        .conn
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            "UPDATE refresh_tokens SET expires_at = $1",
            [past.into()],
        ))
        .await
        .unwrap();
    let response = post(
        &app,
        "/v1/auth/refresh",
        None,
        json!({ "refresh_token": session["refresh_token"] }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logging_out_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let email = account(&app, Role::Author).await;
    let session = login(&app, &email, PASSWORD).await;
    let refresh = session["refresh_token"].as_str().unwrap();
    let response = post(
        &app,
        "/v1/auth/logout",
        None,
        json!({ "refresh_token": refresh }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = post(
        &app,
        "/v1/auth/refresh",
        None,
        json!({ "refresh_token": refresh }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Signing out twice is harmless.
    let response = post(
        &app,
        "/v1/auth/logout",
        None,
        json!({ "refresh_token": refresh }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    let session = login(&app, &email, PASSWORD).await;
    let refresh = session["refresh_token"].as_str().unwrap();
    let data = graphql(&app, None, LOGOUT, json!({ "t": refresh })).await;
    assert_eq!(data["data"]["logout"], true, "{data}");
    let data = graphql(&app, None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(error_code(&data), "UNAUTHENTICATED");

    let data = graphql(&app, None, LOGOUT, json!({ "t": " " })).await;
    assert_eq!(
        (error_code(&data), field(&data)),
        ("BAD_USER_INPUT", "refreshToken")
    );
    let response = post(
        &app,
        "/v1/auth/logout",
        None,
        json!({ "refresh_token": "" }),
    )
    .await;
    let (status, body) = problem(response).await;
    assert_eq!(
        (status, body["field"].as_str()),
        (422, Some("refresh_token"))
    );
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token_and_me_needs_one() {
    let app = TestApp::spawn().await;
    let email = account(&app, Role::Admin).await;
    let session = login(&app, &email, PASSWORD).await;
    let refresh = session["refresh_token"].as_str().unwrap();
    let response = send(&app, reqwest::Method::GET, "/v1/me", Some(refresh), None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let data = graphql(&app, Some(refresh), ME, json!({})).await;
    assert_eq!(error_code(&data), "UNAUTHENTICATED");

    let response = send(&app, reqwest::Method::GET, "/v1/me", None, None).await;
    let (status, body) = problem(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
    let data = graphql(&app, None, ME, json!({})).await;
    assert_eq!(error_code(&data), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin).await;
    let email = account(&app, Role::Editor).await;
    let session = login(&app, &email, PASSWORD).await;
    let id = session["user"]["id"].as_i64().unwrap();
    let token = session["access_token"].as_str().unwrap().to_owned();

    let response = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v1/users/{id}"),
        Some(&admin),
        Some(json!({ "disabled": true })),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["disabled"], true);

    let response = post(
        &app,
        "/v1/auth/login",
        None,
        json!({ "email": email, "password": PASSWORD }),
    )
    .await;
    let (status, body) = problem(response).await;
    assert_eq!(status, 401);
    assert_eq!(body["detail"], "the email or the password is wrong");
    let response = post(
        &app,
        "/v1/auth/refresh",
        None,
        json!({ "refresh_token": session["refresh_token"] }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = send(&app, reqwest::Method::GET, "/v1/me", Some(&token), None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Enabled again, through GraphQL: signing in works again.
    let data = graphql(
        &app,
        Some(&admin),
        UPDATE_USER,
        json!({ "id": id.to_string(), "input": { "disabled": false } }),
    )
    .await;
    assert_eq!(data["data"]["updateUser"]["disabled"], false, "{data}");
    login(&app, &email, PASSWORD).await;
}

/// Signs in as a new account with this role and email; returns its id and access token.
async fn signed_in_as(app: &TestApp, role: Role, email: &str) -> (i64, String) {
    app.state
        .content
        .users()
        .register(NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            display_name: format!("A {}", role.as_str()),
            role,
            author_id: None,
        })
        .await
        .expect("account created");
    let session = login(app, email, PASSWORD).await;
    let id = session["user"]["id"].as_i64().expect("user id");
    let token = session["access_token"].as_str().expect("token").to_owned();
    (id, token)
}

/// What `token` may do with accounts and keys right now: the status of creating an account
/// and an API key over REST, and the codes of the same over GraphQL (`""` when allowed).
async fn admin_powers(app: &TestApp, token: &str, tag: &str) -> [String; 4] {
    let user = post(
        app,
        "/v1/users",
        Some(token),
        json!({ "email": format!("rest-{tag}@example.org"), "password": PASSWORD,
                "display_name": "Created", "role": "admin" }),
    )
    .await
    .status();
    let key = post(
        app,
        "/v1/api-keys",
        Some(token),
        json!({ "name": "Partner", "scopes": ["articles:read"] }),
    )
    .await
    .status();
    let code = |data: &Value| match data.get("errors") {
        None => String::new(),
        Some(_) => error_code(data).to_owned(),
    };
    let gql_user = graphql(
        app,
        Some(token),
        CREATE_USER,
        json!({ "input": { "email": format!("gql-{tag}@example.org"), "password": PASSWORD,
                           "displayName": "Created", "role": "ADMIN" } }),
    )
    .await;
    let gql_key = graphql(
        app,
        Some(token),
        CREATE_KEY,
        json!({ "input": { "name": "Partner", "scopes": ["feeds:read"] } }),
    )
    .await;
    [
        user.as_u16().to_string(),
        key.as_u16().to_string(),
        code(&gql_user),
        code(&gql_key),
    ]
}

#[tokio::test]
async fn a_demoted_admin_loses_its_powers_at_once_through_both_doors() {
    let app = TestApp::spawn().await;
    let (_, head) = signed_in_as(&app, Role::Admin, "head@example.org").await;
    let (id, token) = signed_in_as(&app, Role::Admin, "deputy@example.org").await;
    assert_eq!(
        admin_powers(&app, &token, "before").await,
        ["201", "201", "", ""]
    );

    let response = patch(&app, &head, id, json!({ "role": "reader" })).await;
    assert_eq!(response.status(), StatusCode::OK);
    // The same, unexpired access token: its `role` claim still says admin.
    assert_eq!(
        admin_powers(&app, &token, "after").await,
        ["403", "403", "FORBIDDEN", "FORBIDDEN"]
    );
    let data = graphql(&app, Some(&token), ME, json!({})).await;
    assert_eq!(data["data"]["me"]["role"], "READER", "{data}");
    // Nor does it still see drafts, as staff would.
    let response = send(
        &app,
        reqwest::Method::GET,
        &format!("/v1/articles/{}", kiosque::seed::demo::fixtures::DRAFT_SLUG),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_promoted_reader_gains_the_role_with_the_token_it_has() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin).await;
    let email = account(&app, Role::Reader).await;
    let session = login(&app, &email, PASSWORD).await;
    let id = session["user"]["id"].as_i64().unwrap();
    let token = session["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        admin_powers(&app, &token, "before").await,
        ["403", "403", "FORBIDDEN", "FORBIDDEN"]
    );
    let response = send(
        &app,
        reqwest::Method::PATCH,
        &format!("/v1/users/{id}"),
        Some(&admin),
        Some(json!({ "role": "admin", "display_name": "  Promoted  " })),
    )
    .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["role"], "admin");
    assert_eq!(body["data"]["display_name"], "Promoted");
    assert_eq!(
        admin_powers(&app, &token, "after").await,
        ["201", "201", "", ""]
    );
    // A refreshed session says the same.
    let response = post(
        &app,
        "/v1/auth/refresh",
        None,
        json!({ "refresh_token": session["refresh_token"] }),
    )
    .await;
    let fresh: Value = response.json().await.unwrap();
    assert_eq!(fresh["user"]["role"], "admin");
    let token = fresh["access_token"].as_str().unwrap();
    let data = graphql(&app, Some(token), ME, json!({})).await;
    assert_eq!(data["data"]["me"]["role"], "ADMIN");
}

#[tokio::test]
async fn a_disabled_admins_token_is_refused_on_every_route_at_once() {
    let app = TestApp::spawn().await;
    let (_, head) = signed_in_as(&app, Role::Admin, "head@example.org").await;
    let (id, token) = signed_in_as(&app, Role::Admin, "deputy@example.org").await;
    let response = patch(&app, &head, id, json!({ "disabled": true })).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        admin_powers(&app, &token, "after").await,
        ["401", "401", "UNAUTHENTICATED", "UNAUTHENTICATED"]
    );
    // Even a public read: a bad credential is a 401, never silently anonymous.
    let response = send(&app, reqwest::Method::GET, "/v1/home", Some(&token), None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn patch(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    let path = format!("/v1/users/{id}");
    send(app, reqwest::Method::PATCH, &path, Some(token), Some(body)).await
}

/// Every admin route, as (method, path, body) over REST.
fn admin_routes(user_id: i64, key_id: i64) -> Vec<(reqwest::Method, String, Option<Value>)> {
    use reqwest::Method;
    vec![
        (Method::GET, "/v1/users".into(), None),
        (
            Method::POST,
            "/v1/users".into(),
            Some(json!({ "email": "new@example.org", "password": PASSWORD,
                         "display_name": "New", "role": "reader" })),
        ),
        (
            Method::PATCH,
            format!("/v1/users/{user_id}"),
            Some(json!({ "display_name": "Renamed" })),
        ),
        (Method::GET, "/v1/api-keys".into(), None),
        (
            Method::POST,
            "/v1/api-keys".into(),
            Some(json!({ "name": "Partner", "scopes": ["articles:read"] })),
        ),
        (Method::POST, format!("/v1/api-keys/{key_id}/revoke"), None),
    ]
}

/// Every admin field, as (query, variables) over GraphQL.
fn admin_fields(user_id: i64, key_id: i64) -> Vec<(&'static str, Value)> {
    vec![
        (USERS, json!({})),
        (
            CREATE_USER,
            json!({ "input": { "email": "new2@example.org", "password": PASSWORD,
                               "displayName": "New", "role": "READER" } }),
        ),
        (
            UPDATE_USER,
            json!({ "id": user_id.to_string(), "input": { "displayName": "Renamed" } }),
        ),
        (API_KEYS, json!({})),
        (
            CREATE_KEY,
            json!({ "input": { "name": "Partner", "scopes": ["feeds:read"] } }),
        ),
        (REVOKE_KEY, json!({ "id": key_id.to_string() })),
    ]
}

#[tokio::test]
async fn only_admins_manage_users_and_api_keys() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin).await;
    let others = [
        ("reader", signed_in(&app, Role::Reader).await),
        ("author", signed_in(&app, Role::Author).await),
        ("editor", signed_in(&app, Role::Editor).await),
    ];
    let created: Value = post(
        &app,
        "/v1/api-keys",
        Some(&admin),
        json!({ "name": "Partner", "scopes": ["articles:read"] }),
    )
    .await
    .json()
    .await
    .unwrap();
    let key_id = created["data"]["api_key"]["id"].as_i64().unwrap();
    let user_id = login(&app, "reader@example.org", PASSWORD).await["user"]["id"]
        .as_i64()
        .unwrap();

    for (method, path, body) in admin_routes(user_id, key_id) {
        let response = send(&app, method.clone(), &path, None, body.clone()).await;
        let (status, problem_body) = problem(response).await;
        assert_eq!(status, 401, "anonymous {method} {path}: {problem_body}");
        for (role, token) in &others {
            let response = send(&app, method.clone(), &path, Some(token), body.clone()).await;
            let (status, problem_body) = problem(response).await;
            assert_eq!(status, 403, "{role} {method} {path}: {problem_body}");
            assert_eq!(problem_body["code"], "FORBIDDEN");
        }
        let response = send(&app, method.clone(), &path, Some(&admin), body.clone()).await;
        assert!(
            response.status().is_success(),
            "admin {method} {path}: {}",
            response.status()
        );
    }

    for (query, variables) in admin_fields(user_id, key_id) {
        let data = graphql(&app, None, query, variables.clone()).await;
        assert_eq!(error_code(&data), "UNAUTHENTICATED", "anonymous {query}");
        for (role, token) in &others {
            let data = graphql(&app, Some(token), query, variables.clone()).await;
            assert_eq!(error_code(&data), "FORBIDDEN", "{role} {query}");
        }
        let data = graphql(&app, Some(&admin), query, variables).await;
        assert!(data.get("errors").is_none(), "admin {query}: {data}");
    }
}

#[tokio::test]
async fn an_admin_lists_users_with_their_emails() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin).await;
    account(&app, Role::Reader).await;
    account(&app, Role::Author).await;
    let response = send(
        &app,
        reqwest::Method::GET,
        "/v1/users?first=2",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let page: Value = response.json().await.unwrap();
    let emails: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["admin@example.org", "reader@example.org"]);
    assert_eq!(page["page"]["total"], 3);
    assert!(page["page"]["has_next"].as_bool().unwrap());
    let next = page["links"]["next"].as_str().unwrap();
    let next: Value = app
        .client
        .get(next)
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(next["data"][0]["email"], "author@example.org");
    assert!(next["data"][0].get("password_hash").is_none());

    let data = graphql(&app, Some(&admin), USERS, json!({})).await;
    assert_eq!(data["data"]["users"]["totalCount"], 3, "{data}");
    assert_eq!(data["data"]["users"]["nodes"][2]["role"], "AUTHOR");
}

#[tokio::test]
async fn user_inputs_are_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin).await;
    let me = login(&app, "admin@example.org", PASSWORD).await["user"]["id"]
        .as_i64()
        .unwrap();
    let valid = json!({ "email": "ok@example.org", "password": PASSWORD,
                        "display_name": "Ok", "role": "reader" });
    let with = |key: &str, value: Value| {
        let mut body = valid.clone();
        body[key] = value;
        body
    };
    let mut without_email = valid.clone();
    without_email.as_object_mut().unwrap().remove("email");
    let cases = [
        (with("email", json!("not an email")), "email"),
        (with("email", json!("ana@localhost")), "email"),
        (with("password", json!("short")), "password"),
        (with("password", json!("x".repeat(257))), "password"),
        (with("display_name", json!("   ")), "display_name"),
        (with("display_name", json!("x".repeat(101))), "display_name"),
        (with("role", json!("chief")), "role"),
        (with("author_id", json!("not-an-id")), "author_id"),
        (with("author_id", json!("UnViY3JpYzox")), "author_id"),
        (with("surname", json!("Extra")), "surname"),
        (without_email, "email"),
    ];
    for (body, expected) in cases {
        let response = post(&app, "/v1/users", Some(&admin), body.clone()).await;
        let (status, problem_body) = problem(response).await;
        assert_eq!(status, 422, "{body}: {problem_body}");
        assert_eq!(problem_body["code"], "BAD_USER_INPUT");
        assert_eq!(problem_body["field"], expected, "{body}: {problem_body}");
    }
    let response = app
        .client
        .post(app.url("/v1/users"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = problem(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("BAD_USER_INPUT"))
    );

    let gql_input = json!({ "email": "ok@example.org", "password": PASSWORD,
                            "displayName": "Ok", "role": "READER" });
    let with_gql = |key: &str, value: Value| {
        let mut input = gql_input.clone();
        input[key] = value;
        json!({ "input": input })
    };
    for (variables, expected) in [
        (with_gql("email", json!("nope")), "email"),
        (with_gql("password", json!("short")), "password"),
        (with_gql("displayName", json!("")), "displayName"),
        (with_gql("authorId", json!("garbage")), "authorId"),
    ] {
        let data = graphql(&app, Some(&admin), CREATE_USER, variables.clone()).await;
        assert_eq!(error_code(&data), "BAD_USER_INPUT", "{variables}");
        assert_eq!(field(&data), expected, "{variables}: {data}");
    }

    // Updates, including the rules protecting the admin from themselves.
    for (body, expected) in [
        (json!({ "display_name": "" }), "display_name"),
        (json!({ "role": "admin", "disabled": "yes" }), "disabled"),
        (json!({ "role": "editor" }), "role"),
        (json!({ "disabled": true }), "disabled"),
    ] {
        let (status, problem_body) = problem(patch(&app, &admin, me, body.clone()).await).await;
        assert_eq!(status, 422, "{body}: {problem_body}");
        assert_eq!(problem_body["field"], expected, "{body}: {problem_body}");
    }
    let (status, _) =
        problem(patch(&app, &admin, 9999, json!({ "display_name": "Ghost" })).await).await;
    assert_eq!(status, 404);
    let data = graphql(
        &app,
        Some(&admin),
        UPDATE_USER,
        json!({ "id": me.to_string(), "input": { "role": "READER" } }),
    )
    .await;
    assert_eq!(
        (error_code(&data), field(&data)),
        ("BAD_USER_INPUT", "role")
    );
    let data = graphql(
        &app,
        Some(&admin),
        UPDATE_USER,
        json!({ "id": "abc", "input": { "displayName": "X" } }),
    )
    .await;
    assert_eq!((error_code(&data), field(&data)), ("BAD_USER_INPUT", "id"));

    // A byline given by its global id links the account to it.
    let author: Value = app
        .get("/v1/authors/claire-vasseur")
        .await
        .json()
        .await
        .unwrap();
    let author_id = author["data"]["id"].as_str().unwrap().to_owned();
    let data = graphql(
        &app,
        Some(&admin),
        CREATE_USER,
        with_gql("authorId", json!(author_id)),
    )
    .await;
    assert_eq!(
        data["data"]["createUser"]["authorId"],
        author_id.as_str(),
        "{data}"
    );
}

#[tokio::test]
async fn login_inputs_are_checked() {
    let app = TestApp::spawn().await;
    for (body, expected) in [
        (json!({ "email": "", "password": PASSWORD }), "email"),
        (
            json!({ "email": "a@example.org", "password": "" }),
            "password",
        ),
        (json!({ "email": "a@example.org" }), "password"),
    ] {
        let response = post(&app, "/v1/auth/login", None, body.clone()).await;
        let (status, problem_body) = problem(response).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(problem_body["field"], expected, "{body}: {problem_body}");
    }
    let data = graphql(&app, None, LOGIN, json!({ "email": " ", "password": "x" })).await;
    assert_eq!(
        (error_code(&data), field(&data)),
        ("BAD_USER_INPUT", "email")
    );
    let response = app
        .client
        .post(app.url("/v1/auth/login"))
        .body("email=a&password=b")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_api_key_is_shown_once_listed_without_it_and_refused_once_revoked() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin).await;
    let response = post(
        &app,
        "/v1/api-keys",
        Some(&admin),
        json!({ "name": "  Le Partenaire ", "scopes": ["feeds:read articles:read", "feeds:read"] }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let key = created["data"]["key"].as_str().unwrap().to_owned();
    let record = &created["data"]["api_key"];
    assert!(key.starts_with("kq_") && key.len() == 46, "{key}");
    assert_eq!(record["prefix"], &key[..8]);
    assert_eq!(record["name"], "Le Partenaire");
    assert_eq!(record["scopes"], json!(["articles:read", "feeds:read"]));
    let id = record["id"].as_i64().unwrap();

    let partner = app
        .client
        .get(app.url("/v1/articles?first=1"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(partner.status(), StatusCode::OK);

    let list = send(
        &app,
        reqwest::Method::GET,
        "/v1/api-keys",
        Some(&admin),
        None,
    )
    .await;
    let list_text = list.text().await.unwrap();
    assert!(!list_text.contains(&key), "the key is never listed");
    let list: Value = serde_json::from_str(&list_text).unwrap();
    assert_eq!(list["data"][0]["id"], id);
    assert!(list["data"][0]["last_used_at"].is_string());
    assert!(list["data"][0]["revoked_at"].is_null());

    let response = post(
        &app,
        &format!("/v1/api-keys/{id}/revoke"),
        Some(&admin),
        json!({}),
    )
    .await;
    let revoked: Value = response.json().await.unwrap();
    assert!(revoked["data"]["revoked_at"].is_string());
    let partner = app
        .client
        .get(app.url("/v1/articles?first=1"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(partner.status(), StatusCode::UNAUTHORIZED);
    let response = post(&app, "/v1/api-keys/9999/revoke", Some(&admin), json!({})).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // The same through GraphQL.
    let data = graphql(
        &app,
        Some(&admin),
        CREATE_KEY,
        json!({ "input": { "name": "Other", "scopes": ["articles:read"] } }),
    )
    .await;
    let key = data["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = data["data"]["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = graphql(&app, Some(&admin), API_KEYS, json!({})).await;
    assert_eq!(data["data"]["apiKeys"].as_array().unwrap().len(), 2);
    assert!(!data.to_string().contains(&key));
    let data = graphql(&app, Some(&admin), REVOKE_KEY, json!({ "id": id })).await;
    assert!(
        data["data"]["revokeApiKey"]["revokedAt"].is_string(),
        "{data}"
    );
    let partner = app
        .client
        .get(app.url("/v1/articles?first=1"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(partner.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_key_inputs_are_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let admin = signed_in(&app, Role::Admin).await;
    for (body, expected) in [
        (
            json!({ "name": "P", "scopes": ["articles:write"] }),
            "scopes",
        ),
        (json!({ "name": "P", "scopes": [] }), "scopes"),
        (json!({ "name": "P", "scopes": "articles:read" }), "scopes"),
        (json!({ "name": " ", "scopes": ["articles:read"] }), "name"),
        (json!({ "scopes": ["articles:read"] }), "name"),
    ] {
        let response = post(&app, "/v1/api-keys", Some(&admin), body.clone()).await;
        let (status, problem_body) = problem(response).await;
        assert_eq!(status, 422, "{body}: {problem_body}");
        assert_eq!(problem_body["field"], expected, "{body}: {problem_body}");
    }
    for (input, expected) in [
        (json!({ "name": "P", "scopes": ["everything"] }), "scopes"),
        (json!({ "name": "", "scopes": ["feeds:read"] }), "name"),
    ] {
        let data = graphql(&app, Some(&admin), CREATE_KEY, json!({ "input": input })).await;
        assert_eq!(
            (error_code(&data), field(&data)),
            ("BAD_USER_INPUT", expected)
        );
    }
    let data = graphql(&app, Some(&admin), REVOKE_KEY, json!({ "id": "-3" })).await;
    assert_eq!((error_code(&data), field(&data)), ("BAD_USER_INPUT", "id"));
}

#[tokio::test]
async fn demo_accounts_are_created_once_per_role_and_can_sign_in() {
    let app = TestApp::spawn().await;
    let accounts = kiosque::seed::demo_users(app.state.db()).await.unwrap();
    assert_eq!(accounts.len(), 4);
    let author = accounts.iter().find(|a| a.role == Role::Author).unwrap();
    let session = login(&app, &author.email, &author.password).await;
    assert_eq!(session["user"]["role"], "author");
    assert!(
        session["user"]["author_id"].is_string(),
        "linked to a byline"
    );
    let again = kiosque::seed::demo_users(app.state.db()).await.unwrap();
    assert!(again.is_empty());
}

#[tokio::test]
async fn guessing_one_accounts_password_is_rate_limited() {
    let app = TestApp::spawn().await;
    let email = account(&app, Role::Admin).await;
    let attempt = |password: &'static str| {
        post(
            &app,
            "/v1/auth/login",
            None,
            json!({ "email": email.to_uppercase(), "password": password }),
        )
    };
    let allowed = kiosque::content::accounts::LOGIN_ATTEMPTS.max;
    for _ in 0..allowed {
        assert_eq!(
            attempt("wrong guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let response = attempt(PASSWORD).await;
    assert!(response.headers().contains_key("retry-after"));
    let (status, body) = problem(response).await;
    assert_eq!((status, body["code"].as_str()), (429, Some("RATE_LIMITED")));
    let data = graphql(
        &app,
        None,
        LOGIN,
        json!({ "email": email, "password": PASSWORD }),
    )
    .await;
    assert_eq!(error_code(&data), "RATE_LIMITED");
    // Other accounts are not affected.
    let other = account(&app, Role::Reader).await;
    login(&app, &other, PASSWORD).await;
}

#[tokio::test]
async fn a_replayed_refresh_token_ends_every_session_of_the_account() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let email = account(&app, Role::Editor).await;
    let phone = login(&app, &email, PASSWORD).await;
    let laptop = login(&app, &email, PASSWORD).await;
    let stolen = phone["refresh_token"].as_str().unwrap();
    let refresh = |token: Value| {
        post(
            &app,
            "/v1/auth/refresh",
            None,
            json!({ "refresh_token": token }),
        )
    };
    let rotated: Value = refresh(json!(stolen)).await.json().await.unwrap();

    // Presented again at once (a retry, two tabs): refused, nothing else happens.
    assert_eq!(
        refresh(json!(stolen)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let laptop: Value = refresh(laptop["refresh_token"].clone())
        .await
        .json()
        .await
        .unwrap();
    assert!(laptop["refresh_token"].is_string(), "{laptop}");

    // Presented again later: someone holds a copy, so every session ends.
    let backend = app.state.db().backend();
    let earlier = chrono::Utc::now() - chrono::Duration::minutes(5);
    app.state
        .db()
        .conn
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            "UPDATE refresh_tokens SET revoked_at = $1 WHERE revoked_at IS NOT NULL",
            [earlier.into()],
        ))
        .await
        .unwrap();
    assert_eq!(
        refresh(json!(stolen)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    for live in [&rotated["refresh_token"], &laptop["refresh_token"]] {
        assert_eq!(
            refresh(live.clone()).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Signing in again starts afresh.
    login(&app, &email, PASSWORD).await;
}
