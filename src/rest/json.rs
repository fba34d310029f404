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
        object(json_value(request, state).await?).map(Self)
    }
}

/// The body as a JSON value: anything that is not JSON (or not sent as JSON) is a 400, as is
/// an object naming a key twice; a body past the limit is a 413 (`PAYLOAD_TOO_LARGE`).
pub async fn json_value<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<serde_json::Value, ApiError> {
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
    serde_json::from_slice(&bytes).map_err(|err| {
        malformed(&format!("Failed to parse the request body as JSON: {err}")).into()
    })
}

/// A JSON object as `T`: another JSON value is a 400, a wrong shape a 422 naming the field.
pub fn object<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(AppError::Malformed("the body must be a JSON object".into()).into());
    }
    let mut value = value;
    integral_numbers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|err| shape_error(&err).into())
}

/// `3.0` is the integer 3, as JSON Schema (and the contract's `type: integer`) has it:
/// numbers written with a zero fraction become integers before the typed fields read them.
fn integral_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
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
