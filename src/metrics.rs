//! `GET /metrics`: Prometheus (OpenMetrics) text. Requests and their latency by route and
//! method (GraphQL also by operation), the database pool, statements run for requests, and
//! the backlog of the outboxes (emails, webhook deliveries).
//!
//! Labels are bounded: routes are the router's templates (`/v1/articles/{slug}`, never the
//! slug), unmatched paths share one label, and GraphQL operation names are kept for the first
//! [`MAX_OPERATIONS`] distinct names only (a client cannot grow the registry without bound).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::ConnectionTrait;

use crate::app::AppState;
use crate::error::AppError;

/// Distinct GraphQL operation names kept as labels; later names count as `other`.
pub const MAX_OPERATIONS: usize = 100;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutboxLabels {
    outbox: &'static str,
}

/// The GraphQL operation a response answered, set by the GraphQL handler as a response
/// extension (the operation name, or `anonymous`).
#[derive(Clone, Debug)]
pub struct Operation(pub Arc<str>);

fn latency_histogram() -> Histogram {
    // 0.1 ms … ~3.3 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    operations: Family<OperationLabels, Histogram, fn() -> Histogram>,
    operation_names: Mutex<HashSet<Arc<str>>>,
    pool_connections: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
    statements: Counter,
    statements_seen: Mutex<u64>,
    outbox: Family<OutboxLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("kiosque");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to the response head, by route template and method",
            latency.clone(),
        );
        let operations =
            Family::<OperationLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "graphql_operation_duration_seconds",
            "Time to the response of GraphQL requests, by operation name",
            operations.clone(),
        );
        let pool_connections = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_connections.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "Largest size of the database pool",
            pool_max.clone(),
        );
        let statements = Counter::default();
        registry.register(
            "db_statements",
            "SQL statements run on behalf of requests",
            statements.clone(),
        );
        let outbox = Family::<OutboxLabels, Gauge>::default();
        registry.register(
            "outbox_backlog",
            "Messages waiting in an outbox (queued, due for a retry, or scheduled for a publication time)",
            outbox.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            operations,
            operation_names: Mutex::new(HashSet::new()),
            pool_connections,
            pool_idle,
            pool_max,
            statements,
            statements_seen: Mutex::new(0),
            outbox,
        }
    }

    fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
                method: method.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    fn observe_operation(&self, name: &Arc<str>, elapsed: Duration) {
        let label = {
            let mut names = self
                .operation_names
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if names.contains(name) || names.len() < MAX_OPERATIONS {
                names.insert(name.clone());
                name.to_string()
            } else {
                "other".to_owned()
            }
        };
        self.operations
            .get_or_create(&OperationLabels { operation: label })
            .observe(elapsed.as_secs_f64());
    }

    /// Reads the gauges that are sampled at scrape time, then renders the registry.
    async fn render(&self, state: &AppState) -> Result<String, AppError> {
        let db = state.db();
        let (size, idle, max) = db.pool_status();
        self.pool_connections.set(i64::from(size));
        self.pool_idle.set(idle as i64);
        self.pool_max.set(i64::from(max));
        {
            let mut seen = self
                .statements_seen
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let now = db.statement_count();
            self.statements.inc_by(now.saturating_sub(*seen));
            *seen = now;
        }
        for (outbox, sql) in BACKLOGS {
            let row = db
                .conn
                .query_one_raw(sea_orm::Statement::from_string(db.backend(), *sql))
                .await?;
            let waiting: i64 = match row {
                Some(row) => row.try_get("", "waiting")?,
                None => 0,
            };
            self.outbox
                .get_or_create(&OutboxLabels { outbox })
                .set(waiting);
        }
        let mut out = String::with_capacity(8192);
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .map_err(|e| AppError::Internal(format!("metrics encoding: {e}")))?;
        Ok(out)
    }
}

/// The backlog of each outbox: rows still to be sent (due now or later).
const BACKLOGS: &[(&str, &str)] = &[
    (
        "emails",
        "SELECT count(*) AS waiting FROM shares WHERE status = 'queued'",
    ),
    (
        "webhooks",
        "SELECT count(*) AS waiting FROM webhook_deliveries WHERE status = 'pending'",
    ),
];

/// Middleware (on every route, inside the router so that the route template is known):
/// counts the request and times it to the response head.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let method = request.method().clone();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let metrics = &state.metrics;
    metrics.observe(
        route.as_deref().unwrap_or("unmatched"),
        method.as_str(),
        response.status().as_u16(),
        elapsed,
    );
    if let Some(Operation(name)) = response.extensions().get::<Operation>() {
        metrics.observe_operation(name, elapsed);
    }
    response
}

/// `GET /metrics`. When `KIOSQUE_METRICS_TOKEN` is set, the scraper must send it as a bearer
/// token; otherwise the endpoint is open (bind it to a private network, or set the token).
pub async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(expected) = state.config.metrics_token.as_deref() {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return crate::problem::response(AppError::Unauthenticated(
                "a metrics token is required".into(),
            ));
        }
    }
    let rendered = tokio::time::timeout(Duration::from_secs(3), state.metrics.render(&state)).await;
    match rendered {
        Ok(Ok(text)) => {
            let mut response = text.into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            );
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(Err(err)) => crate::problem::response(err),
        Err(_) => crate::problem::response(AppError::Unavailable),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    // Comparing digests keeps the time independent of where the inputs differ and of
    // their lengths.
    let (x, y) = (Sha256::digest(a), Sha256::digest(b));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}
