//! Database plumbing: connecting with the right engine settings, running migrations, counting
//! statements, and the few places where PostgreSQL and SQLite need different SQL.

pub mod deadline;
pub mod dialect;
pub mod pragmas;
pub mod reads;
pub mod statistics;

/// Reads column `index` of a row of the hot read paths, by position.
///
/// On PostgreSQL the value is decoded without sqlx's per-column type check, which compares
/// the column's type with every type the Rust type accepts (for a `String`: text, varchar,
/// name, bpchar, unknown, citext…): 7 % of a list page's CPU. These statements are ours and
/// their column types fixed by the migrations; a value that does not decode as `T` (a NULL
/// into a non-`Option`, a number out of range, text that is not UTF-8) is still an error,
/// never a wrong value. Elsewhere it is sea-orm's `try_get_by_index`.
pub fn col<T>(row: &QueryResult, index: usize) -> Result<T, DbErr>
where
    T: sea_orm::TryGetable + for<'r> sea_orm::sqlx::Decode<'r, sea_orm::sqlx::Postgres>,
{
    use sea_orm::sqlx::Row;
    match row.try_as_pg_row() {
        Some(pg) => pg
            .try_get_unchecked::<T, _>(index)
            .map_err(|e| DbErr::Type(format!("column {index}: {e}"))),
        None => row.try_get_by_index(index),
    }
}

/// Reads text column `index` as a borrowed `&str` (on PostgreSQL, straight from the row's
/// buffer: no `String` for a value that is only parsed), for `read` to turn into its value.
pub fn with_str<R>(
    row: &QueryResult,
    index: usize,
    read: impl FnOnce(Option<&str>) -> Result<R, DbErr>,
) -> Result<R, DbErr> {
    use sea_orm::sqlx::Row;
    match row.try_as_pg_row() {
        Some(pg) => read(
            pg.try_get_unchecked::<Option<&str>, _>(index)
                .map_err(|e| DbErr::Type(format!("column {index}: {e}")))?,
        ),
        None => read(row.try_get_by_index::<Option<String>>(index)?.as_deref()),
    }
}

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection,
    DatabaseTransaction, DbErr, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
};

tokio::task_local! {
    /// Set while a request is being handled: statements run inside it are counted.
    static REQUEST_SCOPE: ();
}

/// Runs a request's work so that its statements are counted (background workers' are not:
/// the count is what pages cost).
pub async fn in_request<F: std::future::Future>(work: F) -> F::Output {
    REQUEST_SCOPE.scope((), work).await
}

/// The database handle shared by the whole process: a pool plus a statement counter (read by
/// tests and `/metrics` to prove that pages cost a bounded number of statements).
#[derive(Clone, Debug)]
pub struct Db {
    pub conn: DatabaseConnection,
    /// The pool of the pages' reads on PostgreSQL (none on SQLite): see [`reads`].
    reads: Option<reads::ReadPool>,
    statements: Arc<AtomicU64>,
    url: Arc<str>,
}

/// Pool settings, taken from the configuration.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    pub statement_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get() as u32)
            .unwrap_or(2);
        Self {
            max_connections: (cores * 4).max(8),
            acquire_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(10),
        }
    }
}

/// Counts a statement when it runs on behalf of a request.
fn count_statement(counter: &AtomicU64) {
    if REQUEST_SCOPE.try_with(|_| ()).is_ok() {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The run-time parameters of every PostgreSQL connection. Generic plans: Kiosque's
/// statements are few and stable, and re-planning them for every call (PostgreSQL's custom
/// plans, chosen because each carries the current time) cost more than executing them:
/// +45 % on the article page.
fn postgres_session(settings: &PoolSettings) -> Vec<(&'static str, String)> {
    vec![
        (
            "statement_timeout",
            settings.statement_timeout.as_millis().to_string(),
        ),
        ("plan_cache_mode", "force_generic_plan".to_owned()),
    ]
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`).
    ///
    /// SQLite runs in WAL mode with `synchronous=FULL`, foreign keys on and a busy timeout, so
    /// that concurrent writers wait instead of failing and an acknowledged write survives a
    /// crash. PostgreSQL gets a statement timeout so that no request waits forever.
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        let session = postgres_session(settings);
        let main_session = session.clone();
        options
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(settings.acquire_timeout)
            .connect_timeout(settings.acquire_timeout)
            .sqlx_logging(false)
            // A connection is pinged before it is handed out only when it sat idle for a
            // while (the ones a restart, proxy or firewall may have dropped): on the hot path
            // the ping was one extra round trip per statement. A connection that broke under
            // use fails its statement (503 to the client) and is closed by the pool.
            .test_before_acquire_if_idle_for(Duration::from_secs(1))
            .map_sqlx_sqlite_opts(|opts| {
                // Planner statistics are gathered off the connection path: see [`statistics`].
                opts.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            })
            // A request past its deadline interrupts its SQLite statement (see `deadline`).
            .map_sqlx_sqlite_before_acquire(|conn, _| Box::pin(deadline::armed(conn)))
            .map_sqlx_sqlite_pool_opts(|opts| {
                opts.after_connect(|conn, _| Box::pin(deadline::arm_sqlite(conn)))
            })
            .map_sqlx_postgres_opts(move |opts| {
                opts.options(main_session.iter().map(|(k, v)| (*k, v.as_str())))
            });
        let mut conn = Database::connect(options).await?;
        let reads = match conn.get_database_backend() {
            DatabaseBackend::Postgres => Some(reads::ReadPool::new(url, settings, &session)?),
            _ => None,
        };
        pragmas::check(&conn).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |info| {
            count_statement(&counter);
            tracing::trace!(elapsed_us = info.elapsed.as_micros() as u64, failed = info.failed, sql = %info.statement.sql, "statement");
        });
        Ok(Self {
            conn,
            reads,
            statements,
            url: url.into(),
        })
    }

    /// Runs a read-only statement outside any transaction and returns its rows: on the read
    /// pool on PostgreSQL, on the main pool on SQLite. Counted like any other statement.
    pub async fn read_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.read_all_planned(stmt, reads::Plan::Generic).await
    }

    /// [`Db::read_all`], planned as `plan` says (on PostgreSQL; SQLite plans every
    /// statement when it is prepared, with its statistics, and binds values later).
    pub async fn read_all_planned(
        &self,
        stmt: Statement,
        plan: reads::Plan,
    ) -> Result<Vec<QueryResult>, DbErr> {
        match &self.reads {
            Some(reads) => {
                count_statement(&self.statements);
                reads.all(&stmt, plan).await
            }
            None => self.conn.query_all_raw(stmt).await,
        }
    }

    /// [`Db::read_all`] for a statement of at most one row.
    pub async fn read_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        Ok(self.read_all(stmt).await?.into_iter().next())
    }

    /// The main pool's (open, idle, max) connections.
    pub fn pool_status(&self) -> (u32, usize, u32) {
        match self.backend() {
            DatabaseBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            DatabaseBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (
                    pool.size(),
                    pool.num_idle(),
                    pool.options().get_max_connections(),
                )
            }
            _ => (0, 0, 0),
        }
    }

    /// The read pool's (open, idle, waiting), on PostgreSQL.
    pub fn read_pool_status(&self) -> Option<(usize, usize, usize)> {
        self.reads.as_ref().map(reads::ReadPool::status)
    }

    /// A transaction that reads, then writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that read before writing would fail with
    /// `SQLITE_BUSY` when another writer (a request, a delivery worker) committed in between,
    /// instead of waiting and then seeing the new version.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        self.conn.begin_with_options(options).await
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Runs every pending migration. On PostgreSQL they run on a connection of their own,
    /// without the pool's statement timeout: a migration that fills a new column of a large
    /// table may rightly take longer than any request should (each runs in a transaction).
    pub async fn migrate(&self) -> Result<(), DbErr> {
        if self.backend() != DatabaseBackend::Postgres {
            return Migrator::up(&self.conn, None).await;
        }
        let mut options = ConnectOptions::new(self.url.to_string());
        options
            .max_connections(1)
            .min_connections(0)
            .sqlx_logging(false);
        let conn = Database::connect(options).await?;
        let result = Migrator::up(&conn, None).await;
        conn.close().await?;
        result
    }

    /// Statements executed on behalf of requests since start.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Checks that the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.conn.ping().await
    }
}
