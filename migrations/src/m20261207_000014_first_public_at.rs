//! When an article first became (or, scheduled, becomes) public: partner sync lists only
//! articles that have been public, so that a draft's or a scheduled article's headline never
//! reaches a partner before its publication. Existing articles take their publication time
//! (a draft that kept one was public before it was unpublished: partners may hold a copy).

use crate::support::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("articles")
                    .add_column(ts_null("first_public_at"))
                    .take(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE articles SET first_public_at = published_at WHERE published_at IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("articles")
                    .drop_column("first_public_at")
                    .take(),
            )
            .await
    }
}
