//! Database plumbing: connecting with the right engine settings, running migrations, counting
//! statements, and the few places where PostgreSQL and SQLite need different SQL.

pub mod pragmas;
pub mod search;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DbErr};

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
    statements: Arc<AtomicU64>,
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

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`).
    ///
    /// SQLite runs in WAL mode with `synchronous=FULL`, foreign keys on and a busy timeout, so
    /// that concurrent writers wait instead of failing and an acknowledged write survives a
    /// crash. PostgreSQL gets a statement timeout so that no request waits forever.
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self, DbErr> {
        let mut options = ConnectOptions::new(url.to_owned());
        let statement_timeout_ms = settings.statement_timeout.as_millis();
        options
            .max_connections(settings.max_connections)
            .min_connections(1)
            .acquire_timeout(settings.acquire_timeout)
            .connect_timeout(settings.acquire_timeout)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|opts| {
                opts.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
            })
            .map_sqlx_postgres_opts(move |opts| {
                // Generic plans: Kiosque's statements are few and stable, and re-planning them
                // for every call (PostgreSQL's custom plans, chosen because each carries the
                // current time) cost more than executing them: +45 % on the article page.
                opts.options([
                    ("statement_timeout", format!("{statement_timeout_ms}")),
                    ("plan_cache_mode", "force_generic_plan".to_owned()),
                ])
            });
        let mut conn = Database::connect(options).await?;
        pragmas::check(&conn).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        conn.set_metric_callback(move |info| {
            if REQUEST_SCOPE.try_with(|_| ()).is_ok() {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            tracing::trace!(elapsed_us = info.elapsed.as_micros() as u64, failed = info.failed, sql = %info.statement.sql, "statement");
        });
        Ok(Self { conn, statements })
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.conn.get_database_backend()
    }

    /// Runs every pending migration.
    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
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
