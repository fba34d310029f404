//! JSON request bodies whose rejections speak problem+json: a body that is not JSON (or not
//! sent as `application/json`) is a 400; a body of the wrong shape is a 422 naming the
//! field (`{"field": "email"}` for a missing or mistyped `email`).

use axum::extract::{FromRequest, Request};
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

/// The body as a JSON value: anything that is not JSON (or not sent as JSON) is a 400.
pub async fn json_value<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<serde_json::Value, ApiError> {
    match axum::Json::<serde_json::Value>::from_request(request, state).await {
        Ok(axum::Json(value)) => Ok(value),
        Err(rejection) => Err(AppError::Malformed(format!(
            "send a JSON body with `Content-Type: application/json` ({})",
            rejection.body_text()
        ))
        .into()),
    }
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
