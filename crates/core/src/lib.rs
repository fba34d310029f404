//! Kiosque's core: the domain and everything it stands on, with no HTTP or GraphQL in sight.
//!
//! `content` is the product (every rule lives there once); `entities` is the database's
//! shape; `db` the connection and the one place where SQLite and PostgreSQL differ; `error`
//! the one error type both doors render; `identity` who is calling. The server crate
//! (`kiosque`) holds the doors (REST, GraphQL), authentication, configuration, workers and the
//! CLI, and calls into this crate; this crate never calls back.

/// The domain: articles, authors, rubrics, comments; visibility and pagination rules.
pub mod content;
/// Connection, migrations, statement counting, engine differences.
pub mod db;
/// SeaORM entities, one file per table, no behaviour.
pub mod entities;
/// The one error type (its code, status and public message; the doors render it).
pub mod error;
/// Who is calling: users with roles, partners with API keys, anonymous readers.
pub mod identity;
/// Rate-limit counters: in process, or in Redis to hold across instances.
pub mod ratelimit;
/// RFC 3339 timestamps written without chrono's formatter (the hot JSON writers).
pub mod rfc3339;
