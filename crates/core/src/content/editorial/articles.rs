//! Creating, editing and deleting articles. Bodies are rendered at write time; every edit is
//! checked against the version it is based on (`UPDATE … WHERE version = $expected` in a
//! transaction: never a silent overwrite) and leaves a revision.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use super::inputs::*;
use super::patch::CheckedPatch;
use super::revisions::{self, Changes};
use super::{
    Current, Editorial, Expected, SlugTable, choose_slug, existing, load_current, referenced,
    writer,
};
use crate::content::articles::{ArticleRecord, ArticleStatus};
use crate::content::webhooks::outbox;
use crate::content::{markdown, now, permissions, sync};
use crate::entities::{article, article_author, article_source, article_tag};
use crate::error::AppResult;
use crate::identity::Actor;

/// Replaces the byline, tags and sources given (`None` keeps them).
async fn write_links(
    conn: &impl ConnectionTrait,
    id: i64,
    authors: Option<&[i64]>,
    tags: Option<&[i64]>,
    sources: Option<&[SourceInput]>,
) -> AppResult<()> {
    if let Some(authors) = authors {
        article_author::Entity::delete_many()
            .filter(article_author::Column::ArticleId.eq(id))
            .exec(conn)
            .await?;
        for (position, author_id) in authors.iter().enumerate() {
            article_author::ActiveModel {
                article_id: Set(id),
                author_id: Set(*author_id),
                position: Set(position as i32),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
    }
    if let Some(tags) = tags {
        article_tag::Entity::delete_many()
            .filter(article_tag::Column::ArticleId.eq(id))
            .exec(conn)
            .await?;
        for tag_id in tags {
            article_tag::ActiveModel {
                article_id: Set(id),
                tag_id: Set(*tag_id),
            }
            .insert(conn)
            .await?;
        }
    }
    if let Some(sources) = sources {
        article_source::Entity::delete_many()
            .filter(article_source::Column::ArticleId.eq(id))
            .exec(conn)
            .await?;
        for (position, source) in sources.iter().enumerate() {
            article_source::ActiveModel {
                article_id: Set(id),
                position: Set(position as i32),
                name: Set(source.name.clone()),
                url: Set(source.url.clone()),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
    }
    Ok(())
}

/// Runs the versioned UPDATE: sets `columns`, bumps the version, and fails as stale when
/// someone saved in between.
pub(super) async fn save(
    conn: &impl ConnectionTrait,
    current: &Current,
    expected: Expected,
    columns: Vec<(article::Column, sea_orm::Value)>,
    at: DateTime<Utc>,
) -> AppResult<i32> {
    let next = current.model.version + 1;
    let mut update = article::Entity::update_many()
        .col_expr(article::Column::Version, Expr::value(next))
        .col_expr(article::Column::UpdatedAt, Expr::value(at));
    for (column, value) in columns {
        update = update.col_expr(column, Expr::value(value));
    }
    let result = update
        .filter(article::Column::Id.eq(current.model.id))
        .filter(article::Column::Version.eq(expected.version))
        .exec(conn)
        .await?;
    if result.rows_affected != 1 {
        return Err(expected.stale(current.model.version));
    }
    Ok(next)
}

impl Editorial<'_> {
    /// Creates a draft. An author must be in its byline.
    pub async fn create_article(
        &self,
        actor: &Actor,
        input: ArticleInput,
    ) -> AppResult<ArticleRecord> {
        let (user, access) = writer(actor)?;
        let title = text("title", &input.title, 1, TITLE_MAX)?;
        let slug = input.slug.as_deref().map(given_slug).transpose()?;
        let standfirst = prose(
            "standfirst",
            input.standfirst.as_deref().unwrap_or_default(),
            0,
            STANDFIRST_MAX,
        )?;
        let body = body(input.body.as_deref().unwrap_or_default())?;
        let language = language(input.language.as_deref().unwrap_or("fr"))?;
        let author_keys = references("authors", &input.authors, 1, MAX_AUTHORS)?;
        let tag_keys = references(
            "tags",
            input.tags.as_deref().unwrap_or_default(),
            0,
            MAX_TAGS,
        )?;
        let sources = sources(input.sources.as_deref().unwrap_or_default())?;
        let featured_image_url =
            optional_url("featuredImageUrl", input.featured_image_url.as_deref())?;
        let featured_image_alt = optional_text(
            "featuredImageAlt",
            input.featured_image_alt.as_deref(),
            ALT_MAX,
        )?;
        let seo_title = optional_text("seoTitle", input.seo_title.as_deref(), SEO_TITLE_MAX)?;
        let seo_description = optional_text(
            "seoDescription",
            input.seo_description.as_deref(),
            SEO_DESCRIPTION_MAX,
        )?;

        let txn = self.begin().await?;
        let rubric_id = referenced(
            &txn,
            SlugTable::Rubrics,
            "rubric",
            &[input.rubric.trim().to_owned()],
        )
        .await?[0];
        let authors = referenced(&txn, SlugTable::Authors, "authors", &author_keys).await?;
        access.check_byline(&authors)?;
        let tags = referenced(&txn, SlugTable::Tags, "tags", &tag_keys).await?;
        let slug = choose_slug(&txn, SlugTable::Articles, &title, slug.as_deref(), None).await?;
        let rendered = markdown::render(&body);
        let at = now();
        let model = article::ActiveModel {
            slug: Set(slug.clone()),
            title: Set(title.clone()),
            standfirst: Set(standfirst),
            body: Set(body),
            body_html: Set(rendered.html),
            body_text: Set(rendered.text),
            language: Set(language),
            status: Set(ArticleStatus::Draft.as_str().to_owned()),
            published_at: Set(None),
            rubric_id: Set(rubric_id),
            featured_image_url: Set(featured_image_url),
            featured_image_alt: Set(featured_image_alt),
            seo_title: Set(seo_title),
            seo_description: Set(seo_description),
            word_count: Set(rendered.word_count),
            reading_time_minutes: Set(rendered.reading_time_minutes),
            version: Set(1),
            created_by: Set(Some(user.id)),
            created_at: Set(at),
            updated_at: Set(at),
            deleted_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        write_links(&txn, model.id, Some(&authors), Some(&tags), Some(&sources)).await?;
        let mut changes = Changes::default();
        changes.insert(
            "created",
            json!({ "title": title, "slug": slug, "status": "draft" }),
        );
        revisions::record(&txn, model.id, 1, user.id, changes, at).await?;
        txn.commit().await?;
        self.read_back(model.id).await
    }

    /// Applies `patch` to the article named by `key` (global id or slug), if `expected` is
    /// still its version.
    pub async fn update_article(
        &self,
        actor: &Actor,
        key: &str,
        expected: Expected,
        patch: ArticlePatch,
    ) -> AppResult<ArticleRecord> {
        let (user, access) = writer(actor)?;
        let patch = CheckedPatch::new(&patch)?;
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Articles, key).await?;
        let current = load_current(&txn, id).await?;
        current.check_access(access)?;
        expected.check(current.model.version)?;
        let edit = patch.compare(&txn, access, &current).await?;
        if edit.changes.is_empty() {
            txn.commit().await?;
            return self.read_back(id).await;
        }
        let at = now();
        let version = save(&txn, &current, expected, edit.columns, at).await?;
        write_links(
            &txn,
            id,
            edit.authors.as_deref(),
            edit.tags.as_deref(),
            edit.sources.as_deref(),
        )
        .await?;
        revisions::record(&txn, id, version, user.id, edit.changes, at).await?;
        let public_url = &self.content.protection.public_url;
        outbox::article_changed(&txn, id, &current.model, public_url, at).await?;
        txn.commit().await?;
        self.read_back(id).await
    }

    /// Deletes an article with its links, comments and history (editors and admins).
    /// Returns its id.
    pub async fn delete_article(&self, actor: &Actor, key: &str) -> AppResult<i64> {
        let user = permissions::editor(actor)?;
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Articles, key).await?;
        // Partners hear of the deletion: a tombstone for sync, an event for webhooks.
        let at = now();
        let before = load_current(&txn, id).await?.model;
        sync::tombstone(&txn, &before, user.id, at).await?;
        let public_url = &self.content.protection.public_url;
        outbox::article_deleted(&txn, &before, public_url, at).await?;
        article::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(id)
    }
}
