//! Full-text search over title, standfirst and body, per engine.
//!
//! PostgreSQL: a stored, generated `tsvector` in the article's language (French or English
//! stemming, accents folded through `unaccent`), with a GIN index.
//! SQLite: an external-content FTS5 table (`porter unicode61 remove_diacritics 2`) kept in
//! step by triggers; it folds accents and stems English, but has no French stemmer.

use crate::support::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    "CREATE TEXT SEARCH CONFIGURATION kiosque_fr (COPY = pg_catalog.french)",
    "ALTER TEXT SEARCH CONFIGURATION kiosque_fr ALTER MAPPING FOR hword, hword_part, word \
     WITH public.unaccent, french_stem",
    "CREATE TEXT SEARCH CONFIGURATION kiosque_en (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION kiosque_en ALTER MAPPING FOR hword, hword_part, word \
     WITH public.unaccent, english_stem",
    "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ( \
       setweight(to_tsvector(CASE WHEN language = 'en' THEN 'kiosque_en'::regconfig ELSE 'kiosque_fr'::regconfig END, title), 'A') || \
       setweight(to_tsvector(CASE WHEN language = 'en' THEN 'kiosque_en'::regconfig ELSE 'kiosque_fr'::regconfig END, standfirst), 'B') || \
       setweight(to_tsvector(CASE WHEN language = 'en' THEN 'kiosque_en'::regconfig ELSE 'kiosque_fr'::regconfig END, body_text), 'C') \
     ) STORED",
    "CREATE INDEX articles_search ON articles USING GIN (search_vector)",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS articles_search",
    "ALTER TABLE articles DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS kiosque_en",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS kiosque_fr",
];

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE articles_fts USING fts5( \
       title, standfirst, body_text, content='articles', content_rowid='id', \
       tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN \
       INSERT INTO articles_fts(rowid, title, standfirst, body_text) \
       VALUES (new.id, new.title, new.standfirst, new.body_text); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN \
       INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body_text) \
       VALUES ('delete', old.id, old.title, old.standfirst, old.body_text); END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, standfirst, body_text ON articles BEGIN \
       INSERT INTO articles_fts(articles_fts, rowid, title, standfirst, body_text) \
       VALUES ('delete', old.id, old.title, old.standfirst, old.body_text); \
       INSERT INTO articles_fts(rowid, title, standfirst, body_text) \
       VALUES (new.id, new.title, new.standfirst, new.body_text); END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, POSTGRES_UP).await,
            DatabaseBackend::Sqlite => run_all(manager, SQLITE_UP).await,
            other => Err(DbErr::Migration(format!(
                "unsupported database backend {other:?}"
            ))),
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => run_all(manager, POSTGRES_DOWN).await,
            DatabaseBackend::Sqlite => run_all(manager, SQLITE_DOWN).await,
            other => Err(DbErr::Migration(format!(
                "unsupported database backend {other:?}"
            ))),
        }
    }
}
