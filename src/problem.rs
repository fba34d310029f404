//! Service errors as HTTP answers them: `application/problem+json` (RFC 9457) on REST and on
//! every request-level refusal, and `extensions` (`code`, `field`, `retryAfter`) on GraphQL.
//! Both renderings read the one table of `kiosque_core::error`; neither door renders an
//! error any other way.

use async_graphql::ErrorExtensions;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::AppError;

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

/// An [`AppError`] on its way out of a handler, an extractor or a middleware: answers
/// problem+json. Services name fields the GraphQL way; [`ApiError::from`] spells them as REST
/// does.
#[derive(Debug)]
pub struct ApiError(pub AppError);

pub type ApiResult<T> = Result<T, ApiError>;

impl From<AppError> for ApiError {
    /// Services name fields the GraphQL way (`publishedAfter`); REST parameters are
    /// snake_case (`published_after`).
    fn from(err: AppError) -> Self {
        Self(err.spelled_for_rest())
    }
}

impl ApiError {
    /// Renames a field where the REST parameter differs from the service's input name
    /// (e.g. the service's `query` is the `q` parameter).
    pub fn renamed(self, from: &str, to: &str) -> Self {
        match self.0 {
            AppError::InvalidInput {
                field: Some(field),
                message,
            } if field == from => Self(AppError::InvalidInput {
                field: Some(to.to_owned()),
                message,
            }),
            other => Self(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        response(self.0)
    }
}

/// The HTTP status of `err`.
pub fn status(err: &AppError) -> StatusCode {
    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `err` as a problem+json answer, its field spelled as REST spells it; logged once.
pub fn response(err: AppError) -> Response {
    let err = err.spelled_for_rest();
    err.log();
    render(err)
}

fn render(err: AppError) -> Response {
    let status = status(&err);
    let code = err.code();
    let problem = Problem {
        kind: format!(
            "https://kiosque.dev/problems/{}",
            code.to_ascii_lowercase().replace('_', "-")
        ),
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail: err.public_message(),
        code,
        field: err.field(),
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if let Some(seconds) = err.retry_after() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if matches!(err, AppError::Unauthenticated(_)) {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `err` as a GraphQL error: the public message, with `code`, `field` and `retryAfter` in
/// its extensions; logged once.
pub fn graphql(err: &AppError) -> async_graphql::Error {
    err.log();
    async_graphql::Error::new(err.public_message()).extend_with(|_, ext| {
        ext.set("code", err.code());
        if let Some(field) = err.field() {
            ext.set("field", field);
        }
        if let Some(seconds) = err.retry_after() {
            ext.set("retryAfter", seconds);
        }
    })
}
