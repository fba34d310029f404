//! Partner sync: a tombstone for every deleted article (written in the same transaction as
//! the delete), so that a partner's copy learns of deletions; and an index on articles
//! `(updated_at, id)`, the order in which changes are read.

use crate::support::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("article_tombstones")
                    // The id the article had: partners know it by its global id.
                    .col(
                        ColumnDef::new("article_id")
                            .big_integer()
                            .not_null()
                            .primary_key()
                            .take(),
                    )
                    .col(text("slug"))
                    .col(ts("deleted_at"))
                    .col(big_null("deleted_by"))
                    .take(),
            )
            .await?;
        run_all(
            manager,
            &[
                "CREATE INDEX article_tombstones_changes ON article_tombstones (deleted_at, article_id)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["article_tombstones"]).await
    }
}
