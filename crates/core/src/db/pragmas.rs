//! The SQLite settings that durability rests on, checked at start: WAL, `synchronous=FULL`
//! (an acknowledged write survives `kill -9` and power loss), a busy timeout (concurrent
//! writers wait instead of failing with "database is locked") and foreign keys. The pool asks
//! for them on every connection; this proves the file and the library honoured the request,
//! and refuses to start otherwise.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

/// What one SQLite connection reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlitePragmas {
    pub journal_mode: String,
    /// 0 off, 1 normal, 2 full, 3 extra.
    pub synchronous: i64,
    pub busy_timeout_ms: i64,
    pub foreign_keys: bool,
}

impl SqlitePragmas {
    /// Reads the pragmas of one pooled connection.
    pub async fn read(conn: &DatabaseConnection) -> Result<Self, DbErr> {
        Ok(Self {
            journal_mode: text(conn, "PRAGMA journal_mode").await?.to_lowercase(),
            synchronous: number(conn, "PRAGMA synchronous").await?,
            busy_timeout_ms: number(conn, "PRAGMA busy_timeout").await?,
            foreign_keys: number(conn, "PRAGMA foreign_keys").await? == 1,
        })
    }

    /// What is wrong with them, in one sentence per setting (empty when all is well).
    /// An in-memory database (journal mode `memory`) has nothing to make durable.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.journal_mode != "wal" && self.journal_mode != "memory" {
            problems.push(format!(
                "journal_mode is `{}`, not `wal`",
                self.journal_mode
            ));
        }
        if self.synchronous < 2 && self.journal_mode != "memory" {
            problems.push(format!(
                "synchronous is {}, not FULL (2): acknowledged writes could be lost on a crash",
                self.synchronous
            ));
        }
        if self.busy_timeout_ms <= 0 {
            problems.push("busy_timeout is 0: concurrent writers would fail at once".into());
        }
        if !self.foreign_keys {
            problems.push("foreign_keys is off".into());
        }
        problems
    }
}

/// Checks the pragmas of a SQLite pool (nothing to check on PostgreSQL): logs them, and
/// refuses a database that would not keep acknowledged writes.
pub async fn check(conn: &DatabaseConnection) -> Result<(), DbErr> {
    if conn.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(());
    }
    let pragmas = SqlitePragmas::read(conn).await?;
    let problems = pragmas.problems();
    if !problems.is_empty() {
        tracing::error!(?pragmas, "unsafe SQLite settings");
        return Err(DbErr::Custom(format!(
            "unsafe SQLite settings: {}",
            problems.join("; ")
        )));
    }
    tracing::info!(
        journal_mode = %pragmas.journal_mode,
        synchronous = pragmas.synchronous,
        busy_timeout_ms = pragmas.busy_timeout_ms,
        "SQLite durability settings checked"
    );
    Ok(())
}

async fn text(conn: &DatabaseConnection, sql: &str) -> Result<String, DbErr> {
    let row = conn
        .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql))
        .await?
        .ok_or_else(|| DbErr::Custom(format!("`{sql}` answered nothing")))?;
    row.try_get_by_index::<String>(0)
}

async fn number(conn: &DatabaseConnection, sql: &str) -> Result<i64, DbErr> {
    let row = conn
        .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql))
        .await?
        .ok_or_else(|| DbErr::Custom(format!("`{sql}` answered nothing")))?;
    row.try_get_by_index::<i64>(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe() -> SqlitePragmas {
        SqlitePragmas {
            journal_mode: "wal".into(),
            synchronous: 2,
            busy_timeout_ms: 5000,
            foreign_keys: true,
        }
    }

    #[test]
    fn wal_full_with_a_busy_timeout_is_safe() {
        assert!(safe().problems().is_empty());
    }

    #[test]
    fn each_unsafe_setting_is_named() {
        let unsafe_ = SqlitePragmas {
            journal_mode: "delete".into(),
            synchronous: 1,
            busy_timeout_ms: 0,
            foreign_keys: false,
        };
        let problems = unsafe_.problems().join(" | ");
        for needle in [
            "journal_mode",
            "synchronous",
            "busy_timeout",
            "foreign_keys",
        ] {
            assert!(problems.contains(needle), "{problems}");
        }
    }
}
