//! JSON request bodies whose rejections speak problem+json: a body that is not JSON (or not
//! sent as `application/json`), or whose objects name a key twice, is a 400; one past the
//! body limit a 413 (`PAYLOAD_TOO_LARGE`); a body of the wrong shape is a 422 naming the
//! field (`{"field": "email"}` for a missing or mistyped `email`).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::error::AppError;

/// `Json<T>` whose rejections are our problem+json.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let malformed = |why: &str| {
            AppError::Malformed(format!(
                "send a JSON body with `Content-Type: application/json` ({why})"
            ))
        };
        if !json_content_type(request.headers()) {
            return Err(malformed("Expected request with `Content-Type: application/json`").into());
        }
        let bytes = match Bytes::from_request(request, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::PayloadTooLarge(rejection.body_text()).into());
            }
            Err(rejection) => return Err(malformed(&rejection.body_text()).into()),
        };
        // serde_json keeps the last of two equal keys: refuse them rather than guess.
        if let Err(duplicate) = crate::json::check_unique_keys(&bytes) {
            return Err(AppError::Malformed(duplicate).into());
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|err| {
            malformed(&format!("Failed to parse the request body as JSON: {err}"))
        })?;
        if !value.is_object() {
            return Err(AppError::Malformed("the body must be a JSON object".into()).into());
        }
        serde_path_to_error::deserialize(value)
            .map(Self)
            .map_err(|err| shape_error(&err).into())
    }
}

/// `application/json`, or any `+json` type, as axum's `Json` accepts.
fn json_content_type(headers: &HeaderMap) -> bool {
    let Some(mime) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
    else {
        return false;
    };
    let mime = mime.trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// A body of the wrong shape, as a field-level error.
fn shape_error(err: &serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let inner = err.inner().to_string();
    let path = err.path().to_string();
    // A missing or unknown field is reported on the enclosing object: name the field.
    let named = |prefix: &str| {
        inner
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(|f| f.chars().take(64).collect::<String>())
    };
    if let Some(field) = named("unknown field `") {
        return AppError::invalid(
            field.clone(),
            format!("{field} is not a field of this body"),
        );
    }
    match named("missing field `") {
        Some(field) => AppError::invalid(field.clone(), format!("{field} is required")),
        None if path != "." => AppError::invalid(path.clone(), format!("{path}: {inner}")),
        None => AppError::Malformed(inner),
    }
}
