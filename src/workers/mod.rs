//! The background workers: outgoing email ("send to a friend", comment confirmations),
//! webhook deliveries, and the planner statistics of the database. Each works from an outbox
//! the content services fill in their transactions, over its own small pool, and stops with
//! the server.

pub mod mail;
pub mod webhooks;

use std::sync::Arc;

use crate::app::AppState;
use crate::config::Config;
use crate::content::Content;
use crate::db::{Db, PoolSettings};
use crate::server::Workers;

/// The background workers, stopped together on shutdown. A new worker is one more line.
pub fn spawn(state: &AppState) -> Workers {
    let mut workers = Workers::new();
    let mail = state.mailer.clone().spawn(
        state.content.clone(),
        state.config.clone(),
        workers.stopped(),
    );
    workers.add("email", mail);
    let webhooks = Arc::new(webhooks::WebhookWorker::from_config(&state.config)).spawn(
        state.content.clone(),
        state.config.clone(),
        workers.stopped(),
    );
    workers.add("webhooks", webhooks);
    let statistics = crate::db::statistics::spawn(state.db().clone(), workers.stopped());
    workers.add("statistics", statistics);
    workers
}

/// The worker reads and writes the outbox over its own small pool, so that its background
/// statements never take a request's connection nor count among a request's statements.
pub(crate) async fn own_pool(content: Content, config: &Config, worker: &str) -> Content {
    let settings = PoolSettings {
        max_connections: 2,
        ..config.pool.clone()
    };
    match Db::connect(&config.database_url, &settings).await {
        Ok(db) => Content { db, ..content },
        Err(err) => {
            tracing::warn!(error = %err, worker, "the worker shares the request pool");
            content
        }
    }
}
