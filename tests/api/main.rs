//! Kiosque's integration tests: ONE binary, driving the real server over HTTP on a random
//! port, each test with its own freshly migrated and seeded database (SQLite by default,
//! PostgreSQL when `KIOSQUE_TEST_DATABASE_URL` is set).

mod auth;
mod authn_matrix;
mod comment_emails;
mod comments_write;
mod contention;
mod contracts;
mod demo_seed;
mod editorial;
mod fast_path;
mod fast_vocabulary;
mod graphql_reads;
mod hardening;
mod helpers;
// The HTML checker and XSS corpus of the property tests (tests/props.rs), run through the feeds.
mod metrics;
mod moderation;
mod operations;
#[allow(dead_code)]
#[path = "../oracle/html.rs"]
mod oracle;
mod planner;
mod rest;
mod route_roles;
mod search;
mod search_abuse;
mod shares;
mod statements;
mod syndication;
mod visibility;
mod webhooks;
#[path = "../oracle/xss.rs"]
mod xss;
