//! The caller of a request, as axum extractors: `MaybeActor` (anonymous allowed; a bad
//! token is a 401, never anonymous), `RequireActor` (401 when anonymous) and `Reader` (the
//! visibility the caller gets).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::Actor;
use crate::app::AppState;
use crate::content::Viewer;
use crate::error::AppError;

pub const API_KEY_HEADER: &str = "x-api-key";

fn unauthenticated() -> AppError {
    AppError::Unauthenticated("the access token is invalid or expired".into())
}

/// Authenticates every request of a router before its handler runs, so that a bad
/// credential is a 401 on every route (never silently anonymous), and stores the actor for
/// the extractors below.
pub async fn authenticate(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (mut parts, body) = request.into_parts();
    match read_credentials(&parts, &state).await {
        Ok(actor) => {
            parts.extensions.insert(actor);
            next.run(axum::extract::Request::from_parts(parts, body))
                .await
        }
        Err(err) => crate::problem::response(err),
    }
}

/// The caller of a request: as authenticated by [`authenticate`], or read now.
pub async fn actor_of(parts: &Parts, state: &AppState) -> Result<Actor, AppError> {
    if let Some(actor) = parts.extensions.get::<Actor>() {
        return Ok(actor.clone());
    }
    read_credentials(parts, state).await
}

/// Reads the caller from `Authorization: Bearer …` or `X-Api-Key`. A request that carries
/// both is refused (401): which of two credentials speaks is ambiguous, and a bad one must
/// never pass because a good one came with it.
async fn read_credentials(parts: &Parts, state: &AppState) -> Result<Actor, AppError> {
    if parts.headers.contains_key(AUTHORIZATION) && parts.headers.contains_key(API_KEY_HEADER) {
        return Err(AppError::Unauthenticated(
            "send a bearer token or an API key, not both".into(),
        ));
    }
    if let Some(value) = parts.headers.get(AUTHORIZATION) {
        let raw = value.to_str().map_err(|_| unauthenticated())?;
        let (scheme, token) = raw.split_once(' ').ok_or_else(unauthenticated)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(unauthenticated());
        }
        // The signature proves who is calling; the account, read now, says what they may do.
        let claimed = state.keys.verify(token.trim())?;
        return Ok(Actor::User(
            state.content.sessions().current(&claimed).await?,
        ));
    }
    if let Some(value) = parts.headers.get(API_KEY_HEADER) {
        let key = value
            .to_str()
            .map_err(|_| AppError::Unauthenticated("the API key is invalid or revoked".into()))?;
        let partner = state.content.api_keys().authenticate(key).await?;
        return Ok(Actor::Partner(partner));
    }
    Ok(Actor::Anonymous)
}

/// The caller, possibly anonymous.
pub struct MaybeActor(pub Actor);

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = crate::problem::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(actor_of(parts, state).await?))
    }
}

/// A signed-in caller (user or partner).
pub struct RequireActor(pub Actor);

impl FromRequestParts<AppState> for RequireActor {
    type Rejection = crate::problem::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match actor_of(parts, state).await? {
            Actor::Anonymous => Err(AppError::Unauthenticated("sign in to do this".into()).into()),
            actor => Ok(Self(actor)),
        }
    }
}

/// What the caller may read: staff see drafts and scheduled articles.
pub struct Reader(pub Viewer);

impl FromRequestParts<AppState> for Reader {
    type Rejection = crate::problem::ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(actor_of(parts, state).await?.viewer()))
    }
}

/// The client's address: the peer of the connection (the server is served with
/// `ConnectInfo`), or, behind a trusted reverse proxy (`KIOSQUE_TRUST_FORWARDED_FOR`), the
/// last address of `X-Forwarded-For` (the one that proxy saw). `None` when unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<crate::app::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::app::AppState,
    ) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .config
            .trust_forwarded_for
            .then(|| parts.headers.get_all("x-forwarded-for").iter().next_back())
            .flatten()
            .and_then(|v| v.to_str().ok())
            .and_then(|list| list.rsplit(',').next())
            .and_then(|last| last.trim().parse().ok());
        Ok(Self(forwarded.or_else(|| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip())
        })))
    }
}
