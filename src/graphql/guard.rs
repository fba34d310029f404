//! The GraphQL door's protections before and around the executor: the content type and
//! method of a request, its body size (read as a stream, never past the limit), batches
//! (refused), and the shape of request-level failures — `extensions.code`, and the status the
//! GraphQL-over-HTTP spec asks for: 400 when the client accepts
//! `application/graphql-response+json`, 200 for plain `application/json`.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Whether the client accepts the GraphQL-over-HTTP media type (then request-level failures
/// are 400s, and say so in their content type).
pub fn accepts_graphql_response(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .any(|value| contains(value.as_bytes(), GRAPHQL_RESPONSE.as_bytes()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// `POST /graphql` takes JSON only (`application/json`, any parameters): no form posts, so
/// a page on another site cannot send a "simple" cross-origin request.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// A failure of the request as a whole (no field ran).
#[derive(Debug)]
pub struct RequestError {
    pub code: &'static str,
    pub message: String,
    /// The status when the client accepts `application/graphql-response+json`; plain
    /// `application/json` clients get 200 for GraphQL-level failures.
    pub status: StatusCode,
    /// HTTP-level failures (415, 405, 413) keep their status for every client.
    pub http_level: bool,
}

impl RequestError {
    pub fn graphql(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            status: StatusCode::BAD_REQUEST,
            http_level: false,
        }
    }

    fn http(status: StatusCode, code: &'static str, message: &str) -> Self {
        Self {
            code,
            message: message.into(),
            status,
            http_level: true,
        }
    }

    pub fn unsupported_media_type() -> Self {
        Self::http(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST /graphql takes `Content-Type: application/json`",
        )
    }

    pub fn mutation_over_get() -> Self {
        Self::http(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations are sent with POST",
        )
    }

    pub fn too_large() -> Self {
        Self::http(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "the GraphQL request body is too large",
        )
    }

    pub fn uri_too_long() -> Self {
        Self::http(
            StatusCode::URI_TOO_LONG,
            "URI_TOO_LONG",
            "the GraphQL GET request is longer than the body limit: send it with POST",
        )
    }

    pub fn into_response(self, accepts_graphql_response: bool) -> Response {
        let status = if self.http_level || accepts_graphql_response {
            self.status
        } else {
            StatusCode::OK
        };
        let body = serde_json::json!({
            "errors": [{ "message": self.message, "extensions": { "code": self.code } }]
        });
        let mut response = (status, axum::Json(body)).into_response();
        if accepts_graphql_response {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(GRAPHQL_RESPONSE),
            );
        }
        if status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// Reads a body up to `limit` bytes: a declared length past it is refused before reading,
/// and a chunked body is cut off as soon as it passes it.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, Response> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(RequestError::too_large().into_response(false));
    }
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            Err(RequestError::too_large().into_response(false))
        }
        // A slow body past the request deadline is answered 408 by the timeout layer; any
        // other read failure means the client went away or sent garbage.
        Err(_) => Err(crate::problem::response(crate::error::AppError::Malformed(
            "the body could not be read".into(),
        ))),
    }
}

/// Parses a JSON body into one GraphQL request; a batch (a JSON array) is refused.
pub fn parse_body(body: &[u8]) -> Result<async_graphql::Request, RequestError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Err(RequestError::graphql(
            "BATCH_NOT_SUPPORTED",
            "batched requests are not accepted: send one operation per request",
        ));
    }
    if let Err(duplicate) = crate::json::check_unique_keys(body) {
        return Err(RequestError::graphql(
            "BAD_REQUEST",
            format!("the body is not a GraphQL request: {duplicate}"),
        ));
    }
    serde_json::from_slice(body).map_err(|err| {
        RequestError::graphql(
            "BAD_REQUEST",
            format!("the body is not a GraphQL request: {err}"),
        )
    })
}

/// Whether the operation that would run is a mutation (those are refused over GET). An
/// unknown or ambiguous operation is left to the executor, which reports it.
pub fn is_mutation(doc: &ExecutableDocument, operation: Option<&str>) -> bool {
    let ty = match (&doc.operations, operation) {
        (DocumentOperations::Single(op), _) => op.node.ty,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op.node.ty,
            None => return false,
        },
        (DocumentOperations::Multiple(_), None) => return false,
    };
    ty == OperationType::Mutation
}

/// Gives request-level failures of the executor (validation, limits) their code; returns
/// whether the response is one (no field ran). Resolver errors, which have a path or a
/// code already, are left alone.
pub fn classify(response: &mut async_graphql::Response) -> bool {
    if response.errors.is_empty() || response.data != async_graphql::Value::Null {
        return false;
    }
    if response
        .errors
        .iter()
        .any(|e| !e.path.is_empty() || e.extensions.is_some())
    {
        return false;
    }
    for error in &mut response.errors {
        let code = code_of(&error.message);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
    true
}

/// Gives a code to the field errors that came without one: the executor's own coercion
/// failures (an `Int` out of range in a variable, a value a scalar cannot parse) are the
/// caller's input, `BAD_USER_INPUT`; anything else uncoded is ours, `INTERNAL_SERVER_ERROR`.
/// Every error a client sees carries `extensions.code`.
pub fn label_field_errors(response: &mut async_graphql::Response) {
    for error in &mut response.errors {
        let coded = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if coded {
            continue;
        }
        let code = if error.message.starts_with("Failed to parse")
            || error.message.starts_with("Invalid value")
        {
            "BAD_USER_INPUT"
        } else {
            "INTERNAL_SERVER_ERROR"
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code);
    }
}

fn code_of(message: &str) -> &'static str {
    if message == "Query is nested too deep." {
        "QUERY_TOO_DEEP"
    } else if message == "Query is too complex." {
        "QUERY_TOO_COMPLEX"
    } else if message.starts_with("The recursion depth of the query") {
        "QUERY_TOO_NESTED"
    } else if message.starts_with("The number of directives on the field") {
        "TOO_MANY_DIRECTIVES"
    } else if message == super::introspection::MESSAGE {
        "INTROSPECTION_DISABLED"
    } else {
        "GRAPHQL_VALIDATION_FAILED"
    }
}

/// A request-level failure of the executor as an HTTP response.
pub fn failed(response: async_graphql::Response, accepts_graphql_response: bool) -> Response {
    let status = if accepts_graphql_response {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = match serde_json::to_vec(&response) {
        Ok(body) => body,
        Err(_) => {
            return crate::problem::response(crate::error::AppError::Internal("response".into()));
        }
    };
    let mut http = Response::new(Body::from(body));
    *http.status_mut() = status;
    http.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(if accepts_graphql_response {
            GRAPHQL_RESPONSE
        } else {
            "application/json"
        }),
    );
    http
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_messages_get_their_codes() {
        assert_eq!(code_of("Query is nested too deep."), "QUERY_TOO_DEEP");
        assert_eq!(code_of("Query is too complex."), "QUERY_TOO_COMPLEX");
        assert_eq!(
            code_of("The recursion depth of the query cannot be greater than `32`"),
            "QUERY_TOO_NESTED"
        );
        assert_eq!(
            code_of("Unknown field \"x\" on type \"Query\"."),
            "GRAPHQL_VALIDATION_FAILED"
        );
    }

    #[test]
    fn a_json_array_is_a_refused_batch() {
        let err = parse_body(b"  [{\"query\": \"{ a }\"}]").unwrap_err();
        assert_eq!(err.code, "BATCH_NOT_SUPPORTED");
        assert!(parse_body(b"{\"query\": \"{ a }\"}").is_ok());
    }

    #[test]
    fn json_content_types_with_parameters_are_json() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        assert!(is_json(&headers));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert!(!is_json(&headers));
    }
}
