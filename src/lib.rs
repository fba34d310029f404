//! Kiosque — a headless content API for news and opinion publishers: the server.
//!
//! The product lives in `kiosque-core` (`crates/core/`: content, entities, db, errors, identity),
//! which knows nothing of HTTP or GraphQL execution. This crate holds what serves it:
//! `graphql` and `rest`, two thin doors onto the same services; `auth` (tokens, keys,
//! extractors); `problem` (errors rendered); `http_cache`; `syndication`; the `workers`;
//! configuration, the server loop and the CLI. The core's modules are re-exported under
//! their old paths (`crate::content`, `crate::db`, …).

/// Router, shared state and the server loop (graceful shutdown).
pub mod app;
/// Who is calling: JWT access tokens, API keys, passwords; the request extractors.
pub mod auth;
/// The command-line commands (`serve`, `migrate`, `seed`, `export-schema`).
pub mod commands;
/// The typed configuration, read once from `KIOSQUE_*` variables.
pub mod config;
/// The GraphQL door: schema, loaders, one file per area.
pub mod graphql;
/// HTTP caching of reads for both doors: ETag, 304, Cache-Control, Surrogate-Key.
pub mod http_cache;
/// JSON written by hand on the hot read paths (shared primitives).
pub mod json;
/// `GET /metrics`: Prometheus counters and histograms, sampled gauges.
pub mod metrics;
/// Service errors rendered for HTTP: problem+json (RFC 9457) and GraphQL `extensions`.
pub mod problem;
/// The REST door under `/v1`: the route index, one file per area, OpenAPI.
pub mod rest;
/// Response headers every answer carries: security headers, `no-store` on authenticated
/// traffic, CORS from configuration.
pub mod security;
/// Demo content and the synthetic benchmark corpus.
pub mod seed;
/// The server loop: header-read timeout, connection cap, graceful shutdown, workers.
pub mod server;
/// Feeds (RSS, Atom, JSON Feed), the printable article, the sitemap and robots.txt.
pub mod syndication;
/// The background workers: email, webhook deliveries, planner statistics.
pub mod workers;

// The core, re-exported under the paths the server has always used (`crate::content`, …).
pub use kiosque_core::{content, db, entities, error, identity, ratelimit, rfc3339};
