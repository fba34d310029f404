//! Planner statistics. SQLite plans without any until something runs `ANALYZE`, and nothing
//! ever did: after a 100,000-article seed the home list took ~220 ms instead of ~3 ms and a
//! search ran past the request deadline (issue 16). Following SQLite's advice
//! (<https://sqlite.org/lang_analyze.html>, "Recommended usage pattern"):
//!
//! - a background task of the server runs `PRAGMA optimize=0x10002` when the server starts,
//!   then every hour ([`spawn`]; without the suggested `analysis_limit`, see
//!   [`ANALYSIS_LIMIT`]), so that a database grown through normal use gets statistics too, and
//!   refreshes them as tables grow;
//! - a bulk load (`kiosque seed`) ends with `ANALYZE` ([`analyze`]), on both engines: on
//!   PostgreSQL autovacuum would get there later, but the first requests should not wait.
//!
//! SQLite loads statistics with the schema: new figures reach the connection that gathered
//! them at once, the pool's other connections when they are replaced (sqlx retires a
//! connection after 30 minutes), and `kiosque serve` after `kiosque seed` from the start.
//! (Forcing a schema reload on every connection would need a schema change, which makes
//! concurrent full-text statements fail with `SQLITE_SCHEMA`.) The statistics table itself is
//! created by a migration, for the same reason.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr};
use tokio::sync::watch;

use super::Db;

/// `analysis_limit` 0 (no limit), though SQLite suggests 400 to bound the time `ANALYZE` takes:
/// it reads only the first rows of each index, and on an index sorted by a column of a few
/// values (`articles_by_status`) those rows all share one value. With the limit, 50,000
/// articles looked like 401 per status instead of ~12,500, and the planner read the home
/// page's articles through that index and sorted them: 98 ms instead of 3 ms. A full
/// `ANALYZE` of 50,000 articles and 200,000 comments takes 0.4 s, and `PRAGMA optimize` runs
/// one only for a table never analysed or grown 25-fold since.
pub const ANALYSIS_LIMIT: u32 = 0;

/// How often the background task runs `PRAGMA optimize`.
pub const REFRESH_EVERY: Duration = Duration::from_secs(3600);

/// Gathers statistics on every table, after a bulk load.
pub async fn analyze(db: &Db) -> Result<(), DbErr> {
    match db.backend() {
        DatabaseBackend::Sqlite => {
            db.conn
                .execute_unprepared(&format!("PRAGMA analysis_limit={ANALYSIS_LIMIT}; ANALYZE"))
                .await?;
        }
        _ => {
            db.conn.execute_unprepared("ANALYZE").await?;
        }
    }
    Ok(())
}

/// Refreshes the statistics that need it (SQLite; on PostgreSQL autovacuum does):
/// `PRAGMA optimize=0x10002` (0x10000: check every table, not only the ones this connection
/// used; 0x2: analyse those whose statistics are missing or stale). Usually a no-op.
///
/// Not when a connection opens, as SQLite suggests: without an analysis limit, that is a full
/// `ANALYZE` inside the pool's acquire timeout whenever the statistics are stale, and at
/// 435,000 articles it outlasted it: the server could not start, a seed stopped half-way.
pub async fn refresh(db: &Db) -> Result<(), DbErr> {
    if db.backend() == DatabaseBackend::Sqlite {
        db.conn
            .execute_unprepared(&format!(
                "PRAGMA analysis_limit={ANALYSIS_LIMIT}; PRAGMA optimize=0x10002"
            ))
            .await?;
    }
    Ok(())
}

/// The background task that runs [`refresh`] at once, then every [`REFRESH_EVERY`] until
/// `stop`.
pub fn spawn(db: Db, mut stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = refresh(&db).await {
                tracing::warn!(error = %err, "could not refresh the planner statistics");
            }
            tokio::select! {
                _ = tokio::time::sleep(REFRESH_EVERY) => {}
                changed = stop.changed() => if changed.is_err() || *stop.borrow() { break },
            }
        }
    })
}
