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
use crate::content::Viewer;
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

async fn execute(state: &AppState, mut request: async_graphql::Request) -> async_graphql::Response {
    state.documents.prepare(&mut request);
    let request = request.data(RequestData {
        viewer: Viewer::public(),
    });
    state.schema.execute(request).await
}

pub async fn graphql_post(
    State(state): State<AppState>,
    request: GraphQLRequest,
) -> GraphQLResponse {
    execute(&state, request.into_inner()).await.into()
}

/// `GET /graphql`: a query in the query string, or GraphiQL in a browser (demo mode).
pub async fn graphql_get(State(state): State<AppState>, uri: axum::http::Uri) -> Response {
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
        Ok(request) => GraphQLResponse::from(execute(&state, request).await).into_response(),
        Err(err) => AppError::Malformed(format!("bad GraphQL GET request: {err}")).into_response(),
    }
}
