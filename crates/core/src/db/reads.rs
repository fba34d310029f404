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
//! - a read abandoned mid-statement (its request timed out or went away) takes its connection
//!   out of the pool and has its statement cancelled (see [`super::deadline`]).
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
    options: Arc<PgConnectOptions>,
}

/// A connection of the read pool, with its backend's process id (to cancel its statement
/// when the request waiting for it is gone: see [`super::deadline`]).
#[derive(Debug)]
pub struct ReadConn {
    conn: PgConnection,
    pid: i32,
}

impl managed::Manager for Manager {
    type Type = ReadConn;
    type Error = sqlx::Error;

    /// Boxed: connecting is rare, and its future (the handshake, TLS, authentication: 2 KB)
    /// would otherwise sit inline in every read's future, which deadpool's timeout wrappers
    /// each hold again (6 KB per read, moved at every layer of a request).
    async fn create(&self) -> Result<ReadConn, sqlx::Error> {
        Box::pin(async {
            let mut conn = PgConnection::connect_with(&self.options).await?;
            let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut conn)
                .await?;
            Ok(ReadConn { conn, pid })
        })
        .await
    }

    async fn recycle(&self, conn: &mut ReadConn, metrics: &Metrics) -> RecycleResult<sqlx::Error> {
        if metrics.last_used() >= PING_WHEN_IDLE_FOR {
            conn.conn.ping().await.map_err(RecycleError::Backend)?;
        }
        Ok(())
    }
}

/// A pooled connection lent to one statement. Dropped before [`Lent::finish`] (the request
/// was abandoned mid-statement), it leaves the pool and its statement is cancelled.
struct Lent {
    conn: Option<Object<Manager>>,
    options: Arc<PgConnectOptions>,
}

impl Lent {
    fn conn(&mut self) -> &mut PgConnection {
        match self.conn.as_mut() {
            Some(conn) => &mut conn.conn,
            None => unreachable!("a lent connection is only taken back by finish or drop"),
        }
    }

    /// The statement is over: the connection goes back to the pool (or, if `broken`, away).
    fn finish(mut self, broken: bool) {
        if let Some(conn) = self.conn.take()
            && broken
        {
            drop(Object::take(conn));
        }
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let abandoned = Object::take(conn);
        let options = self.options.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = cancel(&options, abandoned.pid).await {
                    tracing::warn!(error = %err, "could not cancel an abandoned read");
                }
                // Closing without a goodbye: the backend ends the cancelled statement and
                // then the session.
                drop(abandoned);
            });
        }
    }
}

/// Asks PostgreSQL to cancel the statement of backend `pid`, from a connection of its own.
async fn cancel(options: &PgConnectOptions, pid: i32) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect_with(options).await?;
    sqlx::query("SELECT pg_cancel_backend($1)")
        .bind(pid)
        .execute(&mut conn)
        .await?;
    conn.close().await
}

/// How a read is planned. Connections plan generically (`plan_cache_mode =
/// force_generic_plan`, `db::postgres_session`): a page's statement is planned once per
/// connection, whatever its parameters. A full-text search cannot be: whether its words match
/// a handful of articles or most of them decides between the GIN index and a walk that stops
/// at the first thousand (at 1M articles, 690 ms generic against 14 ms custom for a common
/// word), and only the words' statistics, read at planning time, tell. Those statements are
/// planned for their parameters at each call (two more round trips, and ~2 ms of planning).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plan {
    Generic,
    PerCall,
}

/// Read-only statements on PostgreSQL, outside transactions.
#[derive(Clone, Debug)]
pub struct ReadPool {
    pool: managed::Pool<Manager>,
    options: Arc<PgConnectOptions>,
}

impl ReadPool {
    /// The pool for `url` (a `postgres://` URL); `session` are the run-time parameters every
    /// connection starts with (as the main pool's).
    pub fn new(
        url: &str,
        settings: &PoolSettings,
        session: &[(&str, String)],
    ) -> Result<Self, DbErr> {
        let options = Arc::new(
            PgConnectOptions::from_str(url)
                .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?
                .options(session.iter().map(|(k, v)| (*k, v.as_str()))),
        );
        let timeout = Some(settings.acquire_timeout);
        let pool = managed::Pool::builder(Manager {
            options: options.clone(),
        })
        .max_size(settings.max_connections as usize)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(timeout)
        .create_timeout(timeout)
        .recycle_timeout(timeout)
        .build()
        .map_err(|e| DbErr::Custom(format!("read pool: {e}")))?;
        Ok(Self { pool, options })
    }

    /// Runs `stmt` and returns all its rows, planned as `plan` says.
    pub async fn all(&self, stmt: &Statement, plan: Plan) -> Result<Vec<QueryResult>, DbErr> {
        let conn = self.pool.get().await.map_err(acquire_error)?;
        let mut lent = Lent {
            conn: Some(conn),
            options: self.options.clone(),
        };
        let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
        let query = sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values));
        let result = match plan {
            Plan::Generic => query.fetch_all(lent.conn()).await,
            Plan::PerCall => {
                let conn = lent.conn();
                match sqlx::raw_sql("SET plan_cache_mode = force_custom_plan")
                    .execute(&mut *conn)
                    .await
                {
                    Ok(_) => {
                        let rows = query.fetch_all(&mut *conn).await;
                        // Back to the session's own setting (its startup value); a connection
                        // that cannot be reset is not reused.
                        match sqlx::raw_sql("RESET plan_cache_mode")
                            .execute(&mut *conn)
                            .await
                        {
                            Ok(_) => rows,
                            Err(err) => rows.and(Err(err)),
                        }
                    }
                    Err(err) => Err(err),
                }
            }
        };
        lent.finish(result.as_ref().is_err_and(is_broken));
        match result {
            Ok(rows) => Ok(rows.into_iter().map(QueryResult::from).collect()),
            Err(err) => Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))),
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
