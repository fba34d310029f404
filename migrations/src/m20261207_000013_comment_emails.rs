//! Guest commenters' emails confirmed through a link sent to them: one row per normalised
//! email, holding whether it was confirmed, the hash of the guest key its owner got then,
//! the hash of the current link's token, and the confirmation email as an outbox row
//! (claimed by the mail worker like `shares`).

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
                    .table("comment_emails")
                    .col(id())
                    .col(text("email"))
                    .col(ts_null("confirmed_at"))
                    .col(text_null("key_hash"))
                    .col(text_null("token_hash"))
                    .col(ts_null("token_expires_at"))
                    .col(ts_null("token_used_at"))
                    .col(ts("requested_at"))
                    .col(text_default("status", "queued"))
                    .col(int("attempts", 0))
                    .col(text_null("last_error"))
                    .col(ts("next_attempt_at"))
                    .col(ts_null("sent_at"))
                    .col(ts("created_at"))
                    .take(),
            )
            .await?;
        run_all(
            manager,
            &[
                "CREATE UNIQUE INDEX comment_emails_email ON comment_emails (email)",
                "CREATE UNIQUE INDEX comment_emails_token ON comment_emails (token_hash)",
                "CREATE INDEX comment_emails_due ON comment_emails (status, next_attempt_at)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["comment_emails"]).await
    }
}
