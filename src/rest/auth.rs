//! Sessions over REST: `POST /v1/auth/login`, `/refresh`, `/logout`, and `GET /v1/me`.
//! The token answer follows OAuth 2's token response (RFC 6749 §5.1): its fields are at the
//! top level, not under `data`, so that OAuth client libraries read it as it is.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::ApiResult;
use super::json::ApiJson;
use super::openapi::{InvalidBody, RateLimited, Unauthenticated};
use crate::auth::Role;
use crate::auth::extract::ClientIp;
use crate::auth::extract::RequireActor;
use crate::content::Content;
use crate::content::accounts::{Session, UserRecord};
use crate::content::ids::{self, Kind};

/// A staff or reader account.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    /// Users are never public, so their ids are plain numbers (not global ids).
    pub id: i64,
    /// Shown to the account itself and to admins only.
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// The global id of the public byline this account writes as.
    pub author_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// A disabled account cannot sign in.
    pub disabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<UserRecord> for User {
    fn from(u: UserRecord) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            author_id: u.author_id.map(|id| ids::encode(Kind::Author, id)),
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_login_at: u.last_login_at,
            disabled: u.disabled_at.is_some(),
            disabled_at: u.disabled_at,
        }
    }
}

/// One account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserData {
    pub data: User,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT: send it as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Opaque and single use: `/v1/auth/refresh` revokes it and returns a new one.
    pub refresh_token: String,
    pub user: User,
}

impl From<Session> for TokenResponse {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            token_type: s.token_type.to_owned(),
            expires_in: s.expires_in,
            refresh_token: s.refresh_token,
            user: s.user.into(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Case and surrounding spaces do not matter.
    #[schema(min_length = 1, max_length = 254, pattern = "text:not-blank")]
    pub email: String,
    /// At most 256 characters.
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(min_length = 1)]
    pub refresh_token: String,
}

/// Signs in with an email and a password. A wrong password and an unknown email get the
/// same 401.
#[utoipa::path(
    post,
    path = "/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, description = "A new session", body = TokenResponse), Unauthenticated, InvalidBody, RateLimited)
)]
pub async fn login(
    State(content): State<Content>,
    ClientIp(client): ClientIp,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let session = content
        .sessions()
        .login(&body.email, &body.password, client)
        .await?;
    Ok(Json(session.into()))
}

/// Exchanges a refresh token (used once) for a new session.
#[utoipa::path(
    post,
    path = "/v1/auth/refresh",
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, description = "A new session; the presented refresh token is revoked", body = TokenResponse), Unauthenticated, InvalidBody)
)]
pub async fn refresh_session(
    State(content): State<Content>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let session = content.sessions().refresh(&body.refresh_token).await?;
    Ok(Json(session.into()))
}

/// Revokes a refresh token (the access token expires on its own, within minutes). Idempotent.
#[utoipa::path(
    post,
    path = "/v1/auth/logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "The refresh token can no longer be used"), InvalidBody)
)]
pub async fn logout(
    State(content): State<Content>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<StatusCode> {
    content.sessions().logout(&body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in caller's account.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's account", body = UserData), Unauthenticated)
)]
pub async fn get_me(
    State(content): State<Content>,
    RequireActor(actor): RequireActor,
) -> ApiResult<Json<UserData>> {
    let user = content.users().me(&actor).await?;
    Ok(Json(UserData { data: user.into() }))
}
