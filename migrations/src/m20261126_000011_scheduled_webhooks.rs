//! Scheduled publications announce themselves: an `article.published` delivery is written when
//! an article is scheduled, due at its publication time, and marked with the article it
//! announces so that a change of schedule (rescheduled, back to draft, deleted) can withdraw
//! it before it is due.

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
                    .table("webhook_deliveries")
                    .add_column(big_null("scheduled_article_id"))
                    .take(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("webhook_deliveries_scheduled_article")
                    .table("webhook_deliveries")
                    .col("scheduled_article_id")
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("webhook_deliveries_scheduled_article")
                    .table("webhook_deliveries")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("webhook_deliveries")
                    .drop_column("scheduled_article_id")
                    .take(),
            )
            .await
    }
}
