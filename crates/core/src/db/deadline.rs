//! A request past its deadline stops its SQL and gives its connection back at once.
//!
//! The request timeout (`KIOSQUE_REQUEST_TIMEOUT_SECS`, tower's timeout layer) answers 408
//! and drops the request's future at the deadline. Dropping a future does not stop the
//! statement it was waiting for: the database goes on computing an answer nobody will read,
//! and the connection stays out of the pool until it is done (with a few costly searches,
//! the whole pool: every other reader got 503 for ~40 s). So each engine is told:
//!
//! - **SQLite** runs a statement on the connection's own worker thread, which no future can
//!   reach; but SQLite calls a *progress handler* every [`PROGRESS_EVERY`] virtual-machine
//!   instructions and interrupts the statement (`SQLITE_INTERRUPT`) when it says so. Every
//!   time the pool hands a connection out (and when it opens one), [`arm_sqlite`] installs a
//!   handler holding the deadline of the request that takes it (a task-local, set by
//!   [`within`] around each request), so the statement stops within a fraction of a
//!   millisecond of the 408, the pool's check of the returned connection passes at once, and
//!   the connection is back. Work outside requests (workers, the command line) has no
//!   deadline: its connections have no handler. The handler is per acquisition rather than
//!   per connection because nothing links a pooled connection to the request that holds it
//!   except that moment; it costs one hand-over to the connection's thread per acquisition.
//! - **PostgreSQL**: the pages' reads (search among them) run on the read pool of raw
//!   connections (see [`super::reads`]), whose backend process id is known. A read whose
//!   future is dropped before its answer takes its connection out of the pool (the pool
//!   opens a fresh one for the next caller at once) and a spawned task asks the server to
//!   cancel the statement (`pg_cancel_backend`, from a short connection of its own, so it
//!   works even when every pooled connection is busy), then closes it. Because the abandoned
//!   connection never returns to the pool, the cancel cannot hit another request's
//!   statement. Statements on the main pool (writes, transactions) stay bounded by the
//!   session's `statement_timeout` (10 s, below the request timeout), and a dropped
//!   transaction is rolled back by sqlx.

use std::future::Future;
use std::time::{Duration, Instant};

use sea_orm::sqlx;
use sea_orm::sqlx::sqlite::SqliteConnection;

tokio::task_local! {
    /// The deadline of the request being handled.
    static DEADLINE: Instant;
}

/// Runs a request's work with its deadline (the instant the request timeout answers 408).
pub async fn within<F: Future>(deadline: Instant, work: F) -> F::Output {
    DEADLINE.scope(deadline, work).await
}

/// The deadline of the request being handled, if any.
pub fn current() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

/// SQLite instructions between two looks at the clock: a few tens of microseconds of work,
/// against some twenty nanoseconds for reading the clock.
pub const PROGRESS_EVERY: i32 = 10_000;

/// How long after the deadline a SQLite statement is interrupted: long enough for the
/// timeout's 408 to be the answer (its timer may fire a millisecond or so late), short
/// enough to count as at once. Should a statement still be interrupted first, its error is
/// a 503, as a PostgreSQL statement timeout is.
pub const GRACE: Duration = Duration::from_millis(25);

/// Gives a SQLite connection being handed out the deadline of the request taking it (or
/// none, outside requests): its statements are interrupted once the deadline has passed.
pub async fn arm_sqlite(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let stop = current().map(|deadline| deadline + GRACE);
    let mut handle = conn.lock_handle().await?;
    match stop {
        Some(stop) => handle.set_progress_handler(PROGRESS_EVERY, move || Instant::now() < stop),
        None => handle.remove_progress_handler(),
    }
    Ok(())
}

/// A statement that runs for about a minute on either engine, for tests of the deadline
/// (served by a test-only route).
pub fn slow_statement(backend: sea_orm::DatabaseBackend) -> sea_orm::Statement {
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => "SELECT pg_sleep(60)::text AS done",
        _ => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000000000) \
             SELECT count(*) AS done FROM c"
        }
    };
    sea_orm::Statement::from_string(backend, sql)
}

/// [`arm_sqlite`] as the pool's check before handing out an idle connection.
pub async fn armed(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    arm_sqlite(conn).await.map(|()| true)
}
