//! Service errors as the REST door renders them: the same problem+json (RFC 9457) as
//! everywhere (`crate::problem`), with `field` naming the query parameter as a REST client
//! spells it.

pub use crate::problem::{ApiError, ApiResult};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

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
