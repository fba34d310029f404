//! Service errors as the REST door renders them: the same problem+json (RFC 9457) as
//! everywhere, with `field` naming the query parameter as a REST client spells it.

use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// An [`AppError`] on its way out of a REST handler.
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
        self.0.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_field_names_become_query_parameter_names() {
        let err = ApiError::from(AppError::invalid("publishedAfter", "too late"));
        assert_eq!(err.0.field(), Some("published_after"));
        let err = ApiError::from(AppError::invalid("query", "empty")).renamed("query", "q");
        assert_eq!(err.0.field(), Some("q"));
        assert_eq!(
            ApiError::from(AppError::invalid("first", "big")).0.field(),
            Some("first")
        );
    }
}
