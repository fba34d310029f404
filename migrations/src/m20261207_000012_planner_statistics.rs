//! Planner statistics (issue 16): SQLite keeps them in `sqlite_stat1`, a table that the first
//! `ANALYZE` creates. Created by a running server (a new connection's `PRAGMA optimize`),
//! it is a schema change under the feet of the other connections, and a full-text statement
//! then fails with `SQLITE_SCHEMA` ("vtable constructor failed"). So it is created here, with
//! the schema, by a first `ANALYZE` (a full one: see `ANALYSIS_LIMIT` in
//! `src/db/statistics.rs`). Nothing to do on PostgreSQL, whose statistics live in its catalog.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("ANALYZE")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // Statistics are not schema: nothing to undo.
        Ok(())
    }
}
