//! Rubrics (sections), authors (public bylines) and tags.

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
                    .table("rubrics")
                    .col(id())
                    .col(text("slug").unique_key().take())
                    .col(text("name"))
                    .col(text_default("description", ""))
                    .col(big_null("parent_id"))
                    .col(int("position", 0))
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    .foreign_key(&mut fk(
                        "rubrics",
                        "parent_id",
                        "rubrics",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("authors")
                    .col(id())
                    .col(text("slug").unique_key().take())
                    .col(text("display_name"))
                    .col(text_default("bio", ""))
                    .col(text_null("avatar_url"))
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("tags")
                    .col(id())
                    .col(text("slug").unique_key().take())
                    .col(text("name"))
                    .col(ts("created_at"))
                    .take(),
            )
            .await?;
        run_all(
            manager,
            &["CREATE INDEX rubrics_position ON rubrics (position, id)"],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["tags", "authors", "rubrics"]).await
    }
}
