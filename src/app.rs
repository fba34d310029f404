//! The application: shared state, the router (the two doors plus operations endpoints and
//! the protective layers), and the server loop with graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::content::Content;
use crate::db::Db;
use crate::error::AppError;
use crate::graphql::{self, KiosqueSchema};

/// Everything a request handler may need, behind ONE `Arc`: every extractor and middleware
/// that takes the state clones it, and cloning the fields one by one (a dozen shared
/// reference counts, bounced between the cores by every request) measured at a third of the
/// CPU of a `{ __typename }` request on 2 cores.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Shared {
    pub config: Arc<Config>,
    pub content: Content,
    pub schema: KiosqueSchema,
    pub documents: graphql::http::DocumentCache,
    pub keys: Arc<crate::auth::jwt::Keys>,
    /// Sends "send to a friend" emails (the worker started by [`serve`]).
    pub mailer: Arc<crate::workers::mail::Mailer>,
    /// Automatic persisted queries (hash → document text).
    pub apq: graphql::apq::Apq,
    /// Counters and histograms served at `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl AppState {
    pub fn new(config: Config, db: Db) -> Self {
        let secret = config.jwt_secret.clone().unwrap_or_else(random_secret);
        let keys = Arc::new(crate::auth::jwt::Keys::new(
            &secret,
            config.jwt_previous_secret.as_deref(),
            &config.jwt_issuer,
            &config.jwt_audience,
            config.access_token_ttl_secs,
        ));
        let content = Content::new(db, config.max_page_size);
        // Sessions (sign-in, refresh) sign with the same keys that the extractors verify with.
        let content = content.with_keys(keys.clone());
        let content = content.with_protection(crate::content::protection::Protection::new(
            &config.protection(),
            config.rate_limiter(),
            secret.clone(),
        ));
        let mailer = Arc::new(
            crate::workers::mail::Mailer::from_config(&config).unwrap_or_else(|err| {
                tracing::error!(error = %err, "emails go to the log instead");
                crate::workers::mail::Mailer::log_only(&config)
            }),
        );
        let limits = graphql::Limits::from_config(&config);
        let schema = graphql::schema(content.clone(), limits);
        Self(Arc::new(Shared {
            config: Arc::new(config),
            content,
            schema,
            documents: Default::default(),
            keys,
            mailer,
            metrics: Default::default(),
            apq: Default::default(),
        }))
    }

    pub fn db(&self) -> &Db {
        &self.content.db
    }
}

/// A random secret, for demo runs and tests that set none.
pub use crate::content::protection::random_secret;

/// A request as the server hands it over, and the whole HTTP surface as one service.
pub type HttpService =
    tower::util::BoxCloneSyncService<axum::extract::Request, Response, std::convert::Infallible>;

/// The whole HTTP surface: [`build_router`] inside the protective layers.
///
/// The layers wrap the router once, as one service, rather than through `Router::layer`,
/// which wraps every route on its own: each of them was then boxed per route and its box
/// cloned, and its future moved into a new box, on every request (a quarter of a
/// `{ __typename }` request's instructions were those copies).
pub fn build_service(state: AppState) -> HttpService {
    let config = state.config.clone();
    let cors = crate::security::cors(&config.hardening.cors_origins);
    let router = build_router(state);
    // Outermost first. `into_response` after a layer that changes the body type gives the
    // next one axum's `Response`, as `Router::layer` did between layers (no box, no copy).
    let service = tower::ServiceBuilder::new()
        .map_response(IntoResponse::into_response)
        .layer(TraceLayer::new_for_http())
        .option_layer(cors)
        .layer(axum::middleware::from_fn(crate::security::headers))
        .map_response(IntoResponse::into_response)
        .layer(CatchPanicLayer::custom(|_panic| {
            tracing::error!("a handler panicked");
            crate::problem::response(AppError::Internal("handler panicked".into()))
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .map_response(IntoResponse::into_response)
        // The limit layer's own 413 is plain text: answer in our formats instead.
        .map_request(|request: axum::http::Request<_>| request.map(axum::body::Body::new))
        .layer(axum::middleware::from_fn(payload_too_large))
        .map_response(IntoResponse::into_response)
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        .layer(DefaultBodyLimit::max(config.body_limit))
        .map_request(|request: axum::http::Request<_>| request.map(axum::body::Body::new))
        // The statements of a request are counted (db::in_request), a worker's are not; and
        // they stop at the request's deadline, the instant the timeout above answers 408
        // (db::deadline).
        .map_future(move |future| {
            let deadline = std::time::Instant::now() + config.request_timeout;
            crate::db::in_request(crate::db::deadline::within(deadline, future))
        })
        .service(router);
    tower::util::BoxCloneSyncService::new(service)
}

/// Turns a bare 413 (from `RequestBodyLimitLayer`, before any handler ran) into the answer
/// each door gives for a body past its own limit: a GraphQL error with
/// `extensions.code = PAYLOAD_TOO_LARGE` on `/graphql`, a problem+json everywhere else.
async fn payload_too_large(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let graphql = request.uri().path() == "/graphql";
    let response = next.run(request).await;
    let ours = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || ours {
        return response;
    }
    if graphql {
        graphql::guard::RequestError::too_large().into_response(false)
    } else {
        crate::problem::response(AppError::PayloadTooLarge(
            "the request body is larger than this server accepts".into(),
        ))
    }
}

/// The routes of both doors and of operations, with the layers that must see the matched
/// route (metrics) or the state. [`build_service`] puts the protective layers around it.
pub fn build_router(state: AppState) -> Router {
    let config = state.config.clone();
    let mut router = Router::new();
    if config.hardening.test_routes {
        router = router
            .route("/__test/panic", get(crate::security::test_panic))
            .route(
                "/__test/slow-statement",
                get(crate::security::test_slow_statement),
            );
    }
    router
        .route(
            "/graphql",
            get(graphql::http::graphql_get)
                .post(graphql::http::graphql_post)
                // ETag, 304, Cache-Control and Surrogate-Key for reads over GET (POSTs pass).
                .layer(axum::middleware::from_fn(crate::http_cache::http_cache)),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::metrics))
        .merge(crate::rest::syndication::site_routes())
        .nest(
            "/v1",
            crate::rest::router().route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::auth::extract::authenticate,
            )),
        )
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::record,
        ))
        .with_state(state)
}

async fn not_found() -> crate::problem::ApiError {
    AppError::not_found("route").into()
}

async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, Json(serde_json::json!({ "status": "ok" })))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), state.db().ping()).await {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(serde_json::json!({ "status": "ready" })),
        )
            .into_response(),
        _ => {
            let mut response = crate::problem::response(AppError::Unavailable);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            response
        }
    }
}

/// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests and the
/// background workers finish, within `KIOSQUE_SHUTDOWN_TIMEOUT_SECS` in all.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let workers = crate::workers::spawn(&state);
    let hardening = &state.config.hardening;
    let limits = crate::server::ServerLimits {
        header_read_timeout: hardening.header_read_timeout,
        max_connections: hardening.max_connections,
        drain_timeout: hardening.shutdown_timeout,
    };
    let (begun, begun_at) = tokio::sync::oneshot::channel();
    let stop_workers = workers.stopper();
    let shutdown = async move {
        shutdown.await;
        // Workers finish their current job while requests drain, within the same deadline.
        stop_workers();
        let _ = begun.send(tokio::time::Instant::now());
    };
    let service = build_service(state);
    let served = crate::server::run(listener, service, limits, shutdown).await;
    let start = begun_at
        .await
        .unwrap_or_else(|_| tokio::time::Instant::now());
    workers.stop(start + limits.drain_timeout).await;
    served
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: draining in-flight requests");
}

/// Handlers that need only the content services ask for them (`State<Content>`), and so
/// declare that they touch nothing else of the state (configuration, keys, the GraphQL
/// schema, the mailer).
impl axum::extract::FromRef<AppState> for Content {
    fn from_ref(state: &AppState) -> Self {
        state.content.clone()
    }
}
