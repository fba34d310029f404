//! Trusted documents: the GraphQL documents that API keys restricted to an allow-list
//! (`api_keys.trusted_documents_only`) may run, by the SHA-256 of their text.

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
                    .table("trusted_documents")
                    .col(id())
                    .col(text("sha256").unique_key().take())
                    .col(text("name"))
                    .col(text("document"))
                    .col(big_null("created_by"))
                    .col(ts("created_at"))
                    .foreign_key(&mut fk(
                        "trusted_documents",
                        "created_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["trusted_documents"]).await
    }
}
