//! The GraphQL endpoint over HTTP: `POST /graphql`, `GET /graphql?query=…` (cacheable
//! reads) and GraphiQL in demo mode. Parsed documents are cached per query text, so a
//! client sending the same query again skips the parser.

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql_axum::GraphQLResponse;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

use super::RequestData;
use super::guard::{self, RequestError};
use crate::app::AppState;
use crate::auth::Actor;
use crate::auth::extract::MaybeActor;
use crate::error::AppError;

/// Query texts longer than this are parsed every time (they are rare, and the cache must
/// stay small).
const MAX_CACHED_QUERY_LEN: usize = 16 * 1024;

/// A parsed document, and the operations of it that already ran through the general
/// executor without any error (those may take the fast path).
pub struct CachedDocument {
    doc: ExecutableDocument,
    proven: std::sync::RwLock<Vec<Option<String>>>,
}

impl CachedDocument {
    fn is_proven(&self, operation: &Option<String>) -> bool {
        self.proven
            .read()
            .map(|p| p.contains(operation))
            .unwrap_or(false)
    }

    fn prove(&self, operation: &Option<String>) {
        if let Ok(mut proven) = self.proven.write()
            && !proven.contains(operation)
            && proven.len() < 16
        {
            proven.push(operation.clone());
        }
    }
}

/// Parsed documents by query text, bounded; how many requests took the fast path; and the
/// trusted documents already looked up, by hash (content-addressed, so never stale).
#[derive(Clone)]
pub struct DocumentCache(
    Arc<quick_cache::sync::Cache<String, Arc<CachedDocument>>>,
    Arc<std::sync::atomic::AtomicU64>,
    Arc<quick_cache::sync::Cache<String, Arc<str>>>,
);

impl Default for DocumentCache {
    fn default() -> Self {
        Self(
            Arc::new(quick_cache::sync::Cache::new(2_000)),
            Arc::default(),
            Arc::new(quick_cache::sync::Cache::new(1_000)),
        )
    }
}

impl DocumentCache {
    /// A trusted document seen before, by its hash (as sent).
    pub(super) fn trusted(&self, hash: &str) -> Option<Arc<str>> {
        self.2.get(hash)
    }

    pub(super) fn remember_trusted(&self, hash: &str, document: &str) -> Arc<str> {
        let document: Arc<str> = Arc::from(document);
        self.2.insert(hash.to_owned(), document.clone());
        document
    }

    /// Requests served by the fast path since start.
    pub fn fast_path_hits(&self) -> u64 {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Gives the request its parsed document, from the cache when the text was seen before,
    /// and returns the cache entry (none for long texts, parsed every time). A text that
    /// does not parse is a `GRAPHQL_PARSE_FAILED` request error, before the executor.
    fn prepare(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<Option<Arc<CachedDocument>>, RequestError> {
        if request.query.len() <= MAX_CACHED_QUERY_LEN
            && let Some(entry) = self.0.get(&request.query)
        {
            request.set_parsed_query(entry.doc.clone());
            return Ok(Some(entry));
        }
        let doc = async_graphql::parser::parse_query(&request.query)
            .map_err(|err| RequestError::graphql("GRAPHQL_PARSE_FAILED", err.to_string()))?;
        if request.query.len() > MAX_CACHED_QUERY_LEN {
            request.set_parsed_query(doc);
            return Ok(None);
        }
        let entry = Arc::new(CachedDocument {
            doc: doc.clone(),
            proven: Default::default(),
        });
        self.0.insert(request.query.clone(), entry.clone());
        request.set_parsed_query(doc);
        Ok(Some(entry))
    }

    fn get(&self, query: &str) -> Option<Arc<CachedDocument>> {
        if query.len() > MAX_CACHED_QUERY_LEN {
            return None;
        }
        self.0.get(query)
    }
}

/// How a request came: its method decides whether mutations may run, its `Accept` header
/// the status of request-level failures.
#[derive(Debug, Clone, Copy)]
struct Transport {
    get: bool,
    graphql_response: bool,
}

/// Executes a request: through the fast path when its document is proven and its selection
/// supported, otherwise through the general executor.
async fn execute(
    state: &AppState,
    actor: Actor,
    request: async_graphql::Request,
    transport: Transport,
) -> Response {
    let operation: std::sync::Arc<str> = request
        .operation_name
        .as_deref()
        .or_else(|| operation_name_of(&request.query))
        .unwrap_or("anonymous")
        .into();
    let anonymous = matches!(actor, Actor::Anonymous);
    let mut response = run(state, actor, request, transport).await;
    let extensions = response.extensions_mut();
    extensions.insert(crate::metrics::Operation(operation));
    let error_free = extensions.remove::<ErrorFree>().is_some();
    if transport.get && anonymous && error_free {
        // A read over GET by the public without errors: the caching layer of the route gives
        // it an ETag, `Cache-Control: public` and its Surrogate-Keys. An answer with errors
        // (a partial answer, a refused request) is never shared.
        extensions.insert(crate::http_cache::CachePolicy::Public {
            max_age: state.config.cache_max_age,
        });
    }
    response
}

/// Marks an answer that [`run`] knows carries no errors (a fast-path answer, or the general
/// executor's with an empty `errors`): only those may be shared by caches.
#[derive(Debug, Clone, Copy)]
struct ErrorFree;

/// The name of a document's first operation (`query Home { … }` → `Home`), read from its
/// text without parsing it: the metrics label of requests that send no `operationName`.
fn operation_name_of(query: &str) -> Option<&str> {
    let rest = query.trim_start();
    let rest = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|kind| rest.strip_prefix(kind))?;
    if !rest.starts_with(|c: char| c.is_whitespace()) {
        return None;
    }
    let rest = rest.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

async fn run(
    state: &AppState,
    actor: Actor,
    mut request: async_graphql::Request,
    transport: Transport,
) -> Response {
    let viewer = actor.viewer();
    if state.config.graphql_fast_path
        && let Some(entry) = state.documents.get(&request.query)
        && entry.is_proven(&request.operation_name)
    {
        if transport.get && guard::is_mutation(&entry.doc, request.operation_name.as_deref()) {
            return RequestError::mutation_over_get().into_response(transport.graphql_response);
        }
        if let Some(plan) = super::fast::Planner::plan(
            &entry.doc,
            request.operation_name.as_deref(),
            &request.variables,
        ) && let Some(body) = super::fast::execute(&state.content, &viewer, &plan).await
        {
            state
                .documents
                .1
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let mut response = Response::new(axum::body::Body::from(body));
            response.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/graphql-response+json"),
            );
            response.extensions_mut().insert(ErrorFree);
            return response;
        }
    }
    let entry = match state.documents.prepare(&mut request) {
        Ok(entry) => entry,
        Err(err) => return err.into_response(transport.graphql_response),
    };
    if transport.get
        && let Some(entry) = &entry
        && guard::is_mutation(&entry.doc, request.operation_name.as_deref())
    {
        return RequestError::mutation_over_get().into_response(transport.graphql_response);
    }
    let operation = request.operation_name.clone();
    let request = request.data(RequestData { viewer, actor });
    // Boxed: the general executor's future is large and the fast path never holds it.
    let mut response = Box::pin(state.schema.execute(request)).await;
    if guard::classify(&mut response) {
        return guard::failed(response, transport.graphql_response);
    }
    guard::label_field_errors(&mut response);
    let error_free = response.errors.is_empty();
    if let Some(entry) = entry
        && error_free
    {
        entry.prove(&operation);
    }
    let mut response = GraphQLResponse::from(response).into_response();
    if error_free {
        response.extensions_mut().insert(ErrorFree);
    }
    response
}

/// A request-level failure (bad credentials) as a GraphQL response: the error carries
/// `extensions.code`, and the HTTP status is the error's own.
fn failure(err: AppError) -> Response {
    let status = crate::problem::status(&err);
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
    client: crate::auth::extract::ClientIp,
    actor: Result<MaybeActor, crate::problem::ApiError>,
    request: axum::extract::Request,
) -> Response {
    // The request taken whole, not as `HeaderMap` + body: no copy of the headers.
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let transport = Transport {
        get: false,
        graphql_response: guard::accepts_graphql_response(headers),
    };
    if !guard::is_json(headers) {
        return RequestError::unsupported_media_type().into_response(transport.graphql_response);
    }
    let actor = match actor {
        Ok(MaybeActor(actor)) => actor,
        Err(err) => return failure(err.0),
    };
    let body =
        match guard::read_body(headers, body, state.config.hardening.graphql_body_limit).await {
            Ok(body) => body,
            Err(response) => return response,
        };
    let request = match guard::parse_body(&body) {
        Ok(request) => request,
        Err(err) => return err.into_response(transport.graphql_response),
    };
    drop(body);
    let request = match super::trusted::admit(&state, &actor, request).await {
        Ok(request) => request,
        Err(err) => return admission_failure(err, transport),
    };
    let request = match state.apq.resolve(request) {
        Ok(request) => request,
        Err(err) => return persisted_failure(err, transport),
    };
    // Mutations limited per client (comments, shares) and searches read the peer address.
    let request = request.data(client);
    execute(&state, actor, request, transport).await
}

/// `GET /graphql`: a query in the query string, or GraphiQL in a browser (demo mode).
pub async fn graphql_get(
    State(state): State<AppState>,
    client: crate::auth::extract::ClientIp,
    actor: Result<MaybeActor, crate::problem::ApiError>,
    request: axum::extract::Request,
) -> Response {
    let (headers, uri) = (request.headers(), request.uri());
    let actor = match actor {
        Ok(MaybeActor(actor)) => actor,
        Err(err) => return failure(err.0),
    };
    let transport = Transport {
        get: true,
        graphql_response: guard::accepts_graphql_response(headers),
    };
    let query_string = uri.query().unwrap_or_default();
    if query_string.len() > state.config.hardening.graphql_body_limit {
        return RequestError::uri_too_long().into_response(transport.graphql_response);
    }
    let has_query = query_string
        .split('&')
        .any(|kv| kv.starts_with("query=") || kv.starts_with("extensions="));
    if !has_query {
        if state.config.demo {
            let mut page =
                Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
            page.headers_mut().insert(
                axum::http::header::CONTENT_SECURITY_POLICY,
                crate::security::GRAPHIQL_CSP,
            );
            return page;
        }
        return crate::problem::response(AppError::not_found(
            "GraphiQL (served in demo mode only)",
        ));
    }
    let request = match async_graphql::http::parse_query_string(query_string) {
        Ok(request) => request,
        Err(err) => {
            return crate::problem::response(AppError::Malformed(format!(
                "bad GraphQL GET request: {err}"
            )));
        }
    };
    let request = match super::trusted::admit(&state, &actor, request).await {
        Ok(request) => request,
        Err(err) => return admission_failure(err, transport),
    };
    let request = match state.apq.resolve(request) {
        Ok(request) => request,
        Err(err) => return persisted_failure(err, transport),
    };
    // Searches are limited per client, over GET too.
    let request = request.data(client);
    execute(&state, actor, request, transport).await
}

/// An automatic persisted query that cannot run (yet).
fn persisted_failure(err: super::apq::Refused, transport: Transport) -> Response {
    match err {
        super::apq::Refused::NotFound => {
            RequestError::graphql("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        }
        super::apq::Refused::Invalid(message) => RequestError::graphql("BAD_REQUEST", message),
    }
    .into_response(transport.graphql_response)
}

/// A request refused by the trusted-document allow-list.
fn admission_failure(err: super::trusted::Refused, transport: Transport) -> Response {
    match err {
        super::trusted::Refused::NotFound => RequestError::graphql(
            "PERSISTED_QUERY_NOT_FOUND",
            "no trusted document has this hash",
        )
        .into_response(transport.graphql_response),
        super::trusted::Refused::Error(err) => failure(err),
    }
}
