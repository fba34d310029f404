//! Outboxes written in the same transaction as the change they report ("send to a friend"
//! emails, webhook deliveries), webhook endpoints, and stored idempotent responses.

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
                    .table("shares")
                    .col(id())
                    .col(big("article_id"))
                    .col(text("recipient_email"))
                    .col(text("sender_name"))
                    .col(text_null("message"))
                    .col(text_default("status", "queued"))
                    .col(int("attempts", 0))
                    .col(text_null("last_error"))
                    .col(ts("next_attempt_at"))
                    .col(text_null("client_hash"))
                    .col(ts("created_at"))
                    .col(ts_null("sent_at"))
                    .foreign_key(&mut fk(
                        "shares",
                        "article_id",
                        "articles",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhooks")
                    .col(id())
                    .col(text("url"))
                    .col(text("secret"))
                    .col(text_default("events", ""))
                    .col(boolean("active", true))
                    .col(big_null("created_by"))
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    .foreign_key(&mut fk(
                        "webhooks",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhook_deliveries")
                    .col(id())
                    .col(big("webhook_id"))
                    .col(text("event"))
                    .col(text("payload"))
                    .col(text_default("status", "pending"))
                    .col(int("attempts", 0))
                    .col(text_null("last_error"))
                    .col(ColumnDef::new("response_status").integer().null().take())
                    .col(ts("next_attempt_at"))
                    .col(ts("created_at"))
                    .col(ts_null("delivered_at"))
                    .foreign_key(&mut fk(
                        "webhook_deliveries",
                        "webhook_id",
                        "webhooks",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .col(id())
                    .col(text("scope"))
                    .col(text("key"))
                    .col(text("request_hash"))
                    .col(ColumnDef::new("response_status").integer().null().take())
                    .col(text_null("response_body"))
                    .col(ts("created_at"))
                    .take(),
            )
            .await?;
        run_all(
            manager,
            &[
                "CREATE INDEX shares_due ON shares (status, next_attempt_at)",
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)",
                "CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at)",
                "CREATE UNIQUE INDEX idempotency_keys_scope_key ON idempotency_keys (scope, key)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "idempotency_keys",
                "webhook_deliveries",
                "webhooks",
                "shares",
            ],
        )
        .await
    }
}
