//! Articles with their ordered authors, tags, cited sources and revisions.
//!
//! The partial indexes carry the public visibility predicate (`status IN ('published',
//! 'scheduled')`) and the id tie-breaker, so every public list is an index range scan in
//! the order it is served.

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
                    .table("articles")
                    .col(id())
                    .col(text("slug").unique_key().take())
                    .col(text("title"))
                    .col(text_default("standfirst", ""))
                    .col(text_default("body", ""))
                    .col(text_default("body_html", ""))
                    .col(text_default("body_text", ""))
                    .col(text_default("language", "fr"))
                    .col(text_default("status", "draft"))
                    .col(ts_null("published_at"))
                    .col(big("rubric_id"))
                    .col(text_null("featured_image_url"))
                    .col(text_null("featured_image_alt"))
                    .col(text_null("seo_title"))
                    .col(text_null("seo_description"))
                    .col(int("word_count", 0))
                    .col(int("reading_time_minutes", 1))
                    .col(int("version", 1))
                    .col(big_null("created_by"))
                    .col(ts("created_at"))
                    .col(ts("updated_at"))
                    .col(ts_null("deleted_at"))
                    .check(Expr::cust(
                        "status IN ('draft', 'scheduled', 'published', 'archived')",
                    ))
                    .check(Expr::cust(
                        "status NOT IN ('published', 'scheduled') OR published_at IS NOT NULL",
                    ))
                    .foreign_key(&mut fk(
                        "articles",
                        "rubric_id",
                        "rubrics",
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("article_authors")
                    .col(big("article_id"))
                    .col(big("author_id"))
                    .col(int("position", 0))
                    .primary_key(Index::create().col("article_id").col("author_id"))
                    .foreign_key(&mut fk(
                        "article_authors",
                        "article_id",
                        "articles",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "article_authors",
                        "author_id",
                        "authors",
                        ForeignKeyAction::Restrict,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("article_tags")
                    .col(big("article_id"))
                    .col(big("tag_id"))
                    .primary_key(Index::create().col("article_id").col("tag_id"))
                    .foreign_key(&mut fk(
                        "article_tags",
                        "article_id",
                        "articles",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "article_tags",
                        "tag_id",
                        "tags",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("article_sources")
                    .col(id())
                    .col(big("article_id"))
                    .col(int("position", 0))
                    .col(text("name"))
                    .col(text_null("url"))
                    .foreign_key(&mut fk(
                        "article_sources",
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
                    .table("article_revisions")
                    .col(id())
                    .col(big("article_id"))
                    .col(int("version", 1))
                    .col(big_null("editor_id"))
                    .col(text_default("changes", "{}"))
                    .col(ts("created_at"))
                    .foreign_key(&mut fk(
                        "article_revisions",
                        "article_id",
                        "articles",
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        run_all(
            manager,
            &[
                "CREATE INDEX articles_visible_by_date ON articles (published_at DESC, id DESC) \
                 WHERE status IN ('published', 'scheduled')",
                "CREATE INDEX articles_visible_by_rubric ON articles (rubric_id, published_at DESC, id DESC) \
                 WHERE status IN ('published', 'scheduled')",
                "CREATE INDEX articles_visible_by_title ON articles (title, id) \
                 WHERE status IN ('published', 'scheduled')",
                "CREATE INDEX articles_by_status ON articles (status, updated_at DESC, id DESC)",
                "CREATE INDEX articles_by_update ON articles (updated_at, id)",
                "CREATE INDEX article_authors_by_author ON article_authors (author_id, article_id)",
                "CREATE INDEX article_tags_by_tag ON article_tags (tag_id, article_id)",
                "CREATE INDEX article_sources_by_article ON article_sources (article_id, position)",
                "CREATE INDEX article_revisions_by_article ON article_revisions (article_id, version)",
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "article_revisions",
                "article_sources",
                "article_tags",
                "article_authors",
                "articles",
            ],
        )
        .await
    }
}
