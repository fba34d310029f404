//! Headers every answer carries: `X-Content-Type-Options`, `Referrer-Policy`, a strict
//! `Content-Security-Policy` (a page that needs more, GraphiQL in demo mode, sets its own);
//! `Cache-Control: private, no-store` on anything authenticated, whatever the handler said,
//! so that no shared cache keeps a staff or partner answer; and CORS from the allow-list of
//! `KIOSQUE_CORS_ORIGINS`.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// API answers are data: they may load nothing, and no page may frame them.
const API_CSP: HeaderValue = HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'");
/// Our own HTML pages (printable articles): their inline styles and images, nothing else.
const HTML_CSP: HeaderValue = HeaderValue::from_static(
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
);
/// GraphiQL (demo mode only) loads React and itself from unpkg and runs an inline script.
pub const GRAPHIQL_CSP: HeaderValue = HeaderValue::from_static(
    "default-src 'none'; script-src unpkg.com 'unsafe-inline'; style-src unpkg.com \
     'unsafe-inline'; font-src unpkg.com data:; img-src 'self' data: https:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
);
const NO_STORE: HeaderValue = HeaderValue::from_static("private, no-store");

/// Adds the security headers, and `no-store` when the request carried credentials.
pub async fn headers(request: Request, next: Next) -> Response {
    let authenticated = request.headers().contains_key(header::AUTHORIZATION)
        || request.headers().contains_key("x-api-key");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let html = headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|ct| ct.as_bytes().starts_with(b"text/html"));
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            if html { HTML_CSP } else { API_CSP },
        );
    }
    // An answer already marked `no-store` is kept as it is (nothing stores it either way).
    if authenticated
        && !headers
            .get(header::CACHE_CONTROL)
            .is_some_and(|v| v.as_bytes().windows(8).any(|w| w == b"no-store"))
    {
        headers.insert(header::CACHE_CONTROL, NO_STORE);
    }
    response
}

/// The CORS layer, or none when no origin is allowed (browsers then refuse cross-origin
/// calls, which is the safe default).
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| match HeaderValue::from_str(o) {
            Ok(value) => Some(value),
            Err(_) => {
                tracing::warn!(origin = %o, "ignoring an unreadable CORS origin");
                None
            }
        })
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::IF_MATCH,
                header::IF_NONE_MATCH,
                HeaderName::from_static("x-api-key"),
                HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([
                header::ETAG,
                header::LOCATION,
                header::RETRY_AFTER,
                header::LINK,
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// `/__test/panic`, mounted only when a test asks for it (`Hardening::test_routes`, never
/// read from the environment): proves that a panicking handler becomes a 500.
pub async fn test_panic() -> Response {
    panic!("a test asked this handler to panic")
}

/// `/__test/slow-statement`, mounted only with the test routes: a statement of about a
/// minute, run as the pages' reads are (`Db::read_all`), for the tests that a request past
/// its deadline stops its SQL and frees its connection (see `db::deadline`).
pub async fn test_slow_statement(
    axum::extract::State(state): axum::extract::State<crate::app::AppState>,
) -> Response {
    use axum::response::IntoResponse;
    let db = state.db();
    match db
        .read_all(crate::db::deadline::slow_statement(db.backend()))
        .await
    {
        Ok(_) => axum::http::StatusCode::NO_CONTENT.into_response(),
        Err(err) => crate::problem::response(crate::error::AppError::from(err)),
    }
}
