//! The pool of the hot read path on PostgreSQL.
//!
//! sqlx's pool (the one sea-orm holds) pings every connection when it is given back, to flush
//! what a cancelled query may have left: one more round trip, one more wake-up of a backend
//! and one more spawned task for every statement — measured at a third of a page's syscalls.
//! Read-only statements run outside any transaction need none of it: a connection left
//! mid-answer by a cancelled request is drained by sqlx itself before its next statement
//! (`wait_until_ready`), and there is no transaction to roll back. So the pages' reads use
//! this pool of raw sqlx connections ([`deadpool`]), with the same connect options as the
//! main pool (statement timeout, generic plans, application name from the URL):
//! - a connection idle for more than [`PING_WHEN_IDLE_FOR`] is pinged before use (the ones a
//!   database restart, a proxy or a firewall may have dropped);
//! - a connection whose statement failed on I/O or protocol is dropped, not reused;
//! - waiting for a connection and opening one are bounded by the acquire timeout, and their
//!   failures map to the same errors (503) as the main pool's.
//!
//! Writes, transactions and everything sea-orm's entities do stay on the main pool.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{ConnAcquireErr, DbErr, QueryResult, RuntimeErr, Statement};
use sea_query_sqlx::SqlxValues;

use super::PoolSettings;

/// A connection idle for this long is pinged before it is handed out.
pub const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct Manager {
    options: PgConnectOptions,
}

impl managed::Manager for Manager {
    type Type = PgConnection;
    type Error = sqlx::Error;

    /// Boxed: connecting is rare, and its future (the handshake, TLS, authentication: 2 KB)
    /// would otherwise sit inline in every read's future, which deadpool's timeout wrappers
    /// each hold again (6 KB per read, moved at every layer of a request).
    async fn create(&self) -> Result<PgConnection, sqlx::Error> {
        Box::pin(PgConnection::connect_with(&self.options)).await
    }

    async fn recycle(
        &self,
        conn: &mut PgConnection,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        if metrics.last_used() >= PING_WHEN_IDLE_FOR {
            conn.ping().await.map_err(RecycleError::Backend)?;
        }
        Ok(())
    }
}

/// Read-only statements on PostgreSQL, outside transactions.
#[derive(Clone, Debug)]
pub struct ReadPool {
    pool: managed::Pool<Manager>,
}

impl ReadPool {
    /// The pool for `url` (a `postgres://` URL); `session` are the run-time parameters every
    /// connection starts with (as the main pool's).
    pub fn new(
        url: &str,
        settings: &PoolSettings,
        session: &[(&str, String)],
    ) -> Result<Self, DbErr> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?
            .options(session.iter().map(|(k, v)| (*k, v.as_str())));
        let timeout = Some(settings.acquire_timeout);
        let pool = managed::Pool::builder(Manager { options })
            .max_size(settings.max_connections as usize)
            .runtime(deadpool::Runtime::Tokio1)
            .wait_timeout(timeout)
            .create_timeout(timeout)
            .recycle_timeout(timeout)
            .build()
            .map_err(|e| DbErr::Custom(format!("read pool: {e}")))?;
        Ok(Self { pool })
    }

    /// Runs `stmt` and returns all its rows.
    pub async fn all(&self, stmt: &Statement) -> Result<Vec<QueryResult>, DbErr> {
        let mut conn = self.pool.get().await.map_err(acquire_error)?;
        let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
        let query = sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values));
        match query.fetch_all(&mut *conn).await {
            Ok(rows) => Ok(rows.into_iter().map(QueryResult::from).collect()),
            Err(err) => {
                if is_broken(&err) {
                    drop(Object::take(conn));
                }
                Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(err))))
            }
        }
    }

    /// (connections open, connections idle, callers waiting)
    pub fn status(&self) -> (usize, usize, usize) {
        let status = self.pool.status();
        (status.size, status.available, status.waiting)
    }
}

/// A connection that failed this way is not given to anyone else.
fn is_broken(err: &sqlx::Error) -> bool {
    matches!(
        err,
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::Tls(_)
    ) || matches!(err, sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")))
}

/// Pool failures as the main pool reports them (the error mapping makes them 503s).
fn acquire_error(err: PoolError<sqlx::Error>) -> DbErr {
    match err {
        PoolError::Timeout(_) => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        PoolError::Backend(e) => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))),
        PoolError::Closed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        other => DbErr::Custom(format!("read pool: {other}")),
    }
}
