//! Kiosque — a headless content API for news and opinion publishers.
//!
//! The folders tell the architecture: `content` is the product (every rule lives there once);
//! `graphql` and `rest` are two thin doors onto it; `entities` is the database's shape; the
//! rest is plumbing.

/// Router, shared state and the server loop (graceful shutdown).
pub mod app;
/// Who is calling: JWT access tokens, API keys, passwords; the request extractors.
pub mod auth;
/// The command-line commands (`serve`, `migrate`, `seed`, `export-schema`).
pub mod commands;
/// The typed configuration, read once from `KIOSQUE_*` variables.
pub mod config;
/// The domain: articles, authors, rubrics, comments; visibility and pagination rules.
pub mod content;
/// Connection, migrations, statement counting, engine differences.
pub mod db;
/// SeaORM entities, one file per table, no behaviour.
pub mod entities;
/// The one error type and its two renderings.
pub mod error;
/// The GraphQL door: schema, loaders, one file per area.
pub mod graphql;
/// JSON written by hand on the hot read paths (shared primitives).
pub mod json;
/// Outgoing email: the "send to a friend" worker (SMTP or the log transport).
pub mod mail;
/// `GET /metrics`: Prometheus counters and histograms, sampled gauges.
pub mod metrics;
/// Rate-limit counters: in process, or in Redis to hold across instances.
pub mod ratelimit;
/// The REST door under `/v1`: the route index, one file per area, OpenAPI.
pub mod rest;
/// RFC 3339 timestamps written without chrono's formatter (the hot JSON writers).
pub mod rfc3339;
/// Response headers every answer carries: security headers, `no-store` on authenticated
/// traffic, CORS from configuration.
pub mod security;
/// Demo content and the synthetic benchmark corpus.
pub mod seed;
/// The server loop: header-read timeout, connection cap, graceful shutdown, workers.
pub mod server;
/// Feeds (RSS, Atom, JSON Feed), the printable article, the sitemap and robots.txt.
pub mod syndication;
/// Outgoing webhooks: the worker that sends the signed deliveries of the outbox.
pub mod webhooks;
