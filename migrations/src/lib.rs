//! Kiosque's schema, one ordered migration per change. A landed migration is never edited:
//! a change to the schema is a new file.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_catalogue;
mod m20261125_000002_create_articles;
mod m20261125_000003_create_accounts;
mod m20261125_000004_create_comments;
mod m20261125_000005_create_outboxes;
mod m20261125_000006_create_search;
mod m20261125_000007_create_article_tombstones;
mod m20261125_000008_byline_index;
mod m20261125_000009_trusted_documents;
mod m20261125_000010_article_bylines;
mod m20261126_000011_scheduled_webhooks;
mod m20261207_000012_planner_statistics;
mod m20261207_000013_comment_emails;
mod m20261207_000014_first_public_at;
mod support;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_catalogue::Migration),
            Box::new(m20261125_000002_create_articles::Migration),
            Box::new(m20261125_000003_create_accounts::Migration),
            Box::new(m20261125_000004_create_comments::Migration),
            Box::new(m20261125_000005_create_outboxes::Migration),
            Box::new(m20261125_000006_create_search::Migration),
            Box::new(m20261125_000007_create_article_tombstones::Migration),
            Box::new(m20261125_000008_byline_index::Migration),
            Box::new(m20261125_000009_trusted_documents::Migration),
            Box::new(m20261125_000010_article_bylines::Migration),
            Box::new(m20261126_000011_scheduled_webhooks::Migration),
            Box::new(m20261207_000012_planner_statistics::Migration),
            Box::new(m20261207_000013_comment_emails::Migration),
            Box::new(m20261207_000014_first_public_at::Migration),
        ]
    }
}
