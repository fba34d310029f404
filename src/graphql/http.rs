//! The GraphQL endpoint over HTTP: `POST /graphql`, `GET /graphql?query=…` (cacheable
//! reads) and GraphiQL in demo mode. Parsed documents are cached per query text, so a
//! client sending the same query again skips the parser.

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use super::RequestData;
use crate::app::AppState;
use crate::auth::Actor;
use crate::auth::extract::MaybeActor;
use crate::error::AppError;

/// Query texts longer than this are parsed every time (they are rare, and the cache must
/// stay small).
const MAX_CACHED_QUERY_LEN: usize = 16 * 1024;

/// Parsed documents by query text, bounded.
#[derive(Clone)]
pub struct DocumentCache(Arc<quick_cache::sync::Cache<String, Arc<ExecutableDocument>>>);

impl Default for DocumentCache {
    fn default() -> Self {
        Self(Arc::new(quick_cache::sync::Cache::new(2_000)))
    }
}

impl DocumentCache {
    /// Gives the request its parsed document, from the cache when the text was seen before.
    /// A query that does not parse is left to the executor, which reports the error.
    fn prepare(&self, request: &mut async_graphql::Request) {
        if request.query.len() > MAX_CACHED_QUERY_LEN {
            return;
        }
        if let Some(doc) = self.0.get(&request.query) {
            request.set_parsed_query(ExecutableDocument::clone(&doc));
            return;
        }
        if let Ok(doc) = async_graphql::parser::parse_query(&request.query) {
            self.0.insert(request.query.clone(), Arc::new(doc.clone()));
            request.set_parsed_query(doc);
        }
    }
}

async fn execute(
    state: &AppState,
    actor: Actor,
    mut request: async_graphql::Request,
) -> async_graphql::Response {
    state.documents.prepare(&mut request);
    let request = request.data(RequestData {
        viewer: actor.viewer(),
        actor,
    });
    state.schema.execute(request).await
}

/// A request-level failure (bad credentials) as a GraphQL response: the error carries
/// `extensions.code`, and the HTTP status is the error's own.
fn failure(err: AppError) -> Response {
    let status = err.status();
    let body = serde_json::json!({
        "errors": [{ "message": err.public_message(), "extensions": { "code": err.code() } }]
    });
    let mut response = (status, axum::Json(body)).into_response();
    if status == axum::http::StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            axum::http::header::WWW_AUTHENTICATE,
            axum::http::HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    response
}

pub async fn graphql_post(
    State(state): State<AppState>,
    actor: Result<MaybeActor, AppError>,
    request: GraphQLRequest,
) -> Response {
    match actor {
        Ok(MaybeActor(actor)) => {
            GraphQLResponse::from(execute(&state, actor, request.into_inner()).await)
                .into_response()
        }
        Err(err) => failure(err),
    }
}

/// `GET /graphql`: a query in the query string, or GraphiQL in a browser (demo mode).
pub async fn graphql_get(
    State(state): State<AppState>,
    actor: Result<MaybeActor, AppError>,
    uri: axum::http::Uri,
) -> Response {
    let actor = match actor {
        Ok(MaybeActor(actor)) => actor,
        Err(err) => return failure(err),
    };
    let query_string = uri.query().unwrap_or_default();
    let has_query = query_string
        .split('&')
        .any(|kv| kv.starts_with("query=") || kv.starts_with("extensions="));
    if !has_query {
        if state.config.demo {
            return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
        }
        return AppError::not_found("GraphiQL (served in demo mode only)").into_response();
    }
    match async_graphql::http::parse_query_string(query_string) {
        Ok(request) => GraphQLResponse::from(execute(&state, actor, request).await).into_response(),
        Err(err) => AppError::Malformed(format!("bad GraphQL GET request: {err}")).into_response(),
    }
}
