//! Readers' comments (threaded), their moderation audit trail and readers' flags.

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
                    .table("comments")
                    .col(id())
                    .col(big("article_id"))
                    .col(big_null("parent_id"))
                    .col(big_null("user_id"))
                    .col(text("author_name"))
                    .col(text_null("author_email"))
                    .col(text("body"))
                    .col(text_default("status", "pending"))
                    .col(text_null("client_hash"))
                    .col(text_null("idempotency_key"))
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    .col(ts_null("moderated_at"))
                    .col(big_null("moderated_by"))
                    .col(text_null("moderation_reason"))
                    .check(Expr::cust(
                        "status IN ('pending', 'approved', 'rejected', 'spam', 'deleted')",
                    ))
                    .foreign_key(&mut fk(
                        "comments",
                        "article_id",
                        "articles",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "comments",
                        "parent_id",
                        "comments",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "comments",
                        "user_id",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "comments",
                        "moderated_by",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("comment_moderations")
                    .col(id())
                    .col(big("comment_id"))
                    .col(big_null("actor_id"))
                    .col(text("action"))
                    .col(text("from_status"))
                    .col(text("to_status"))
                    .col(text_null("reason"))
                    .col(ts("created_at"))
                    .foreign_key(&mut fk(
                        "comment_moderations",
                        "comment_id",
                        "comments",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "comment_moderations",
                        "actor_id",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("comment_flags")
                    .col(id())
                    .col(big("comment_id"))
                    .col(text("reason"))
                    .col(big_null("reporter_id"))
                    .col(text_null("reporter_hash"))
                    .col(ts("created_at"))
                    .col(ts_null("resolved_at"))
                    .foreign_key(&mut fk(
                        "comment_flags",
                        "comment_id",
                        "comments",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "comment_flags",
                        "reporter_id",
                        "users",
                        ForeignKeyAction::SetNull,
                    ))
                    .take(),
            )
            .await?;
        run_all(
            manager,
            &[
                "CREATE INDEX comments_public ON comments (article_id, created_at, id) WHERE status = 'approved'",
                "CREATE INDEX comments_by_parent ON comments (parent_id, created_at, id)",
                "CREATE INDEX comments_queue ON comments (status, created_at, id)",
                "CREATE INDEX comments_by_email ON comments (author_email, status)",
                "CREATE UNIQUE INDEX comments_idempotency ON comments (idempotency_key)",
                "CREATE INDEX comment_moderations_by_comment ON comment_moderations (comment_id, created_at)",
                "CREATE INDEX comment_flags_by_comment ON comment_flags (comment_id)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &["comment_flags", "comment_moderations", "comments"],
        )
        .await
    }
}
