//! Staff and reader accounts, refresh tokens and partner API keys (secrets stored hashed).

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
                    .table("users")
                    .col(id())
                    .col(text("email").unique_key().take())
                    .col(text("password_hash"))
                    .col(text("display_name"))
                    .col(text_default("role", "reader"))
                    .col(big_null("author_id"))
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    .col(ts_null("last_login_at"))
                    .col(ts_null("disabled_at"))
                    .check(Expr::cust(
                        "role IN ('admin', 'editor', 'author', 'reader')",
                    ))
                    .foreign_key(&mut fk(
                        "users",
                        "author_id",
                        "authors",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("refresh_tokens")
                    .col(id())
                    .col(big("user_id"))
                    .col(text("token_hash").unique_key().take())
                    .col(ts("expires_at"))
                    .col(ts_null("revoked_at"))
                    .col(ts("created_at"))
                    .foreign_key(&mut fk(
                        "refresh_tokens",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("api_keys")
                    .col(id())
                    .col(text("name"))
                    .col(text("prefix"))
                    .col(text("key_hash").unique_key().take())
                    .col(text_default("scopes", ""))
                    .col(text_default("trusted_documents", ""))
                    .col(boolean("trusted_documents_only", false))
                    .col(big_null("created_by"))
                    .col(ts("created_at"))
                    .col(ts_null("last_used_at"))
                    .col(ts_null("revoked_at"))
                    .foreign_key(&mut fk(
                        "api_keys",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        run_all(
            manager,
            &["CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id)"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["api_keys", "refresh_tokens", "users"]).await
    }
}
