//! Bylines carry their article's visibility and order keys, so that "articles of this author
//! (in this rubric, in this date range), newest first, with the total" is ONE range scan of
//! one index instead of a join of every byline of a prolific author with the articles.
//!
//! `article_authors.rubric_id`, `.status` and `.published_at` are copies of the article's,
//! kept in step by triggers in the same transaction as any write (whatever door or tool makes
//! it), and filled for existing rows here.

use crate::support::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: &[&str] = &[
    "ALTER TABLE article_authors ADD COLUMN rubric_id BIGINT NULL",
    "ALTER TABLE article_authors ADD COLUMN status TEXT NULL",
];

const INDEXES: &[&str] = &[
    "UPDATE article_authors SET rubric_id = (SELECT a.rubric_id FROM articles a WHERE a.id = article_authors.article_id), \
     status = (SELECT a.status FROM articles a WHERE a.id = article_authors.article_id), \
     published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_authors.article_id)",
    "CREATE INDEX article_authors_visible_by_rubric ON article_authors \
     (author_id, rubric_id, published_at DESC, article_id DESC) WHERE status IN ('published', 'scheduled')",
    "CREATE INDEX article_authors_visible_by_date ON article_authors \
     (author_id, published_at DESC, article_id DESC) WHERE status IN ('published', 'scheduled')",
];

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE article_authors ADD COLUMN published_at TIMESTAMP WITH TIME ZONE NULL",
    "CREATE FUNCTION kiosque_byline_fill() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       SELECT a.rubric_id, a.status, a.published_at INTO NEW.rubric_id, NEW.status, NEW.published_at \
       FROM articles a WHERE a.id = NEW.article_id; \
       RETURN NEW; \
     END $$",
    "CREATE TRIGGER article_authors_fill BEFORE INSERT OR UPDATE OF article_id ON article_authors \
     FOR EACH ROW EXECUTE FUNCTION kiosque_byline_fill()",
    "CREATE FUNCTION kiosque_byline_follow() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       UPDATE article_authors SET rubric_id = NEW.rubric_id, status = NEW.status, published_at = NEW.published_at \
       WHERE article_id = NEW.id; \
       RETURN NULL; \
     END $$",
    "CREATE TRIGGER articles_byline_follow AFTER UPDATE OF rubric_id, status, published_at ON articles \
     FOR EACH ROW WHEN (OLD.rubric_id IS DISTINCT FROM NEW.rubric_id OR OLD.status IS DISTINCT FROM NEW.status \
       OR OLD.published_at IS DISTINCT FROM NEW.published_at) \
     EXECUTE FUNCTION kiosque_byline_follow()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS articles_byline_follow ON articles",
    "DROP FUNCTION IF EXISTS kiosque_byline_follow()",
    "DROP TRIGGER IF EXISTS article_authors_fill ON article_authors",
    "DROP FUNCTION IF EXISTS kiosque_byline_fill()",
];

const SQLITE_UP: &[&str] = &[
    "ALTER TABLE article_authors ADD COLUMN published_at TEXT NULL",
    "CREATE TRIGGER article_authors_fill AFTER INSERT ON article_authors BEGIN \
       UPDATE article_authors SET \
         rubric_id = (SELECT a.rubric_id FROM articles a WHERE a.id = new.article_id), \
         status = (SELECT a.status FROM articles a WHERE a.id = new.article_id), \
         published_at = (SELECT a.published_at FROM articles a WHERE a.id = new.article_id) \
       WHERE article_id = new.article_id AND author_id = new.author_id; END",
    "CREATE TRIGGER articles_byline_follow AFTER UPDATE OF rubric_id, status, published_at ON articles \
     WHEN old.rubric_id IS NOT new.rubric_id OR old.status IS NOT new.status \
       OR old.published_at IS NOT new.published_at BEGIN \
       UPDATE article_authors SET rubric_id = new.rubric_id, status = new.status, published_at = new.published_at \
       WHERE article_id = new.id; END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS articles_byline_follow",
    "DROP TRIGGER IF EXISTS article_authors_fill",
];

const DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS article_authors_visible_by_date",
    "DROP INDEX IF EXISTS article_authors_visible_by_rubric",
    "ALTER TABLE article_authors DROP COLUMN published_at",
    "ALTER TABLE article_authors DROP COLUMN status",
    "ALTER TABLE article_authors DROP COLUMN rubric_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let engine = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_UP,
            DatabaseBackend::Sqlite => SQLITE_UP,
            other => {
                return Err(DbErr::Migration(format!(
                    "unsupported database backend {other:?}"
                )));
            }
        };
        run_all(manager, COLUMNS).await?;
        run_all(manager, engine).await?;
        run_all(manager, INDEXES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let engine = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_DOWN,
            DatabaseBackend::Sqlite => SQLITE_DOWN,
            other => {
                return Err(DbErr::Migration(format!(
                    "unsupported database backend {other:?}"
                )));
            }
        };
        run_all(manager, engine).await?;
        run_all(manager, DOWN).await
    }
}
