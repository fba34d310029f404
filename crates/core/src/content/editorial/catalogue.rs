//! Rubrics, authors and tags: created, edited and deleted by editors and admins. A rubric or
//! author still used by articles cannot be deleted (CONFLICT); a tag can (it is removed from
//! its articles).

use crate::content::maybe::MaybeUndefined;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use super::inputs::*;
use super::{Editorial, SlugTable, choose_slug, existing, referenced};
use crate::content::catalogue::{AuthorRecord, RubricRecord, TagRecord};
use crate::content::{now, permissions};
use crate::entities::{article, article_author, author, rubric, tag};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

const RUBRIC_NAME_MAX: usize = 100;

fn position(value: i32) -> AppResult<i32> {
    if (0..=100_000).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::invalid(
            "position",
            "position is between 0 and 100000",
        ))
    }
}

/// The parent of rubric `id` (None for a new rubric) must exist and must not be the rubric
/// itself or one of its descendants.
async fn parent_of(conn: &impl ConnectionTrait, id: Option<i64>, key: &str) -> AppResult<i64> {
    let parent = referenced(conn, SlugTable::Rubrics, "parent", &[key.trim().to_owned()]).await?[0];
    let mut cursor = Some(parent);
    let mut steps = 0;
    while let Some(at) = cursor {
        if Some(at) == id || steps > 64 {
            return Err(AppError::invalid(
                "parent",
                "a rubric cannot be its own ancestor",
            ));
        }
        cursor = rubric::Entity::find_by_id(at)
            .one(conn)
            .await?
            .and_then(|r| r.parent_id);
        steps += 1;
    }
    Ok(parent)
}

impl Editorial<'_> {
    async fn rubric_record(&self, id: i64) -> AppResult<RubricRecord> {
        self.content
            .catalogue()
            .rubrics_by_ids(&[id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("rubric"))
    }

    async fn author_record(&self, id: i64) -> AppResult<AuthorRecord> {
        self.content
            .catalogue()
            .authors_by_ids(&[id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("author"))
    }

    async fn tag_record(&self, id: i64) -> AppResult<TagRecord> {
        self.content
            .catalogue()
            .tags_by_ids(&[id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("tag"))
    }

    pub async fn create_rubric(
        &self,
        actor: &Actor,
        input: RubricInput,
    ) -> AppResult<RubricRecord> {
        permissions::editor(actor)?;
        let name = text("name", &input.name, 1, RUBRIC_NAME_MAX)?;
        let slug = input.slug.as_deref().map(given_slug).transpose()?;
        let description = prose(
            "description",
            input.description.as_deref().unwrap_or_default(),
            0,
            DESCRIPTION_MAX,
        )?;
        let position = position(input.position.unwrap_or(0))?;
        let txn = self.begin().await?;
        let parent_id = match &input.parent {
            Some(key) => Some(parent_of(&txn, None, key).await?),
            None => None,
        };
        let slug = choose_slug(&txn, SlugTable::Rubrics, &name, slug.as_deref(), None).await?;
        let at = now();
        let model = rubric::ActiveModel {
            slug: Set(slug),
            name: Set(name),
            description: Set(description),
            parent_id: Set(parent_id),
            position: Set(position),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.rubric_record(model.id).await
    }

    pub async fn update_rubric(
        &self,
        actor: &Actor,
        key: &str,
        patch: RubricPatch,
    ) -> AppResult<RubricRecord> {
        permissions::editor(actor)?;
        let name = patch
            .name
            .as_deref()
            .map(|n| text("name", n, 1, RUBRIC_NAME_MAX))
            .transpose()?;
        let slug = patch.slug.as_deref().map(given_slug).transpose()?;
        let description = patch
            .description
            .as_deref()
            .map(|d| prose("description", d, 0, DESCRIPTION_MAX))
            .transpose()?;
        let position = patch.position.map(position).transpose()?;
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Rubrics, key).await?;
        let mut model: rubric::ActiveModel = rubric::ActiveModel {
            id: Set(id),
            updated_at: Set(now()),
            ..Default::default()
        };
        if let Some(slug) = slug {
            model.slug =
                Set(choose_slug(&txn, SlugTable::Rubrics, &slug, Some(&slug), Some(id)).await?);
        }
        if let Some(name) = name {
            model.name = Set(name);
        }
        if let Some(description) = description {
            model.description = Set(description);
        }
        if let Some(position) = position {
            model.position = Set(position);
        }
        match &patch.parent {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => model.parent_id = Set(None),
            MaybeUndefined::Value(key) => {
                model.parent_id = Set(Some(parent_of(&txn, Some(id), key).await?))
            }
        }
        model.update(&txn).await?;
        txn.commit().await?;
        self.rubric_record(id).await
    }

    /// Refused (CONFLICT) while articles are filed under the rubric; its sub-rubrics become
    /// top-level.
    pub async fn delete_rubric(&self, actor: &Actor, key: &str) -> AppResult<i64> {
        permissions::editor(actor)?;
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Rubrics, key).await?;
        let used = article::Entity::find()
            .filter(article::Column::RubricId.eq(id))
            .count(&txn)
            .await?;
        if used > 0 {
            return Err(AppError::Conflict(format!(
                "{used} article(s) are filed under this rubric: move them first"
            )));
        }
        rubric::Entity::update_many()
            .col_expr(rubric::Column::ParentId, Expr::value(Option::<i64>::None))
            .filter(rubric::Column::ParentId.eq(id))
            .exec(&txn)
            .await?;
        rubric::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(id)
    }

    pub async fn create_author(
        &self,
        actor: &Actor,
        input: AuthorInput,
    ) -> AppResult<AuthorRecord> {
        permissions::editor(actor)?;
        let name = text("name", &input.name, 1, NAME_MAX)?;
        let slug = input.slug.as_deref().map(given_slug).transpose()?;
        let bio = prose("bio", input.bio.as_deref().unwrap_or_default(), 0, BIO_MAX)?;
        let avatar_url = optional_url("avatarUrl", input.avatar_url.as_deref())?;
        let txn = self.begin().await?;
        let slug = choose_slug(&txn, SlugTable::Authors, &name, slug.as_deref(), None).await?;
        let at = now();
        let model = author::ActiveModel {
            slug: Set(slug),
            display_name: Set(name),
            bio: Set(bio),
            avatar_url: Set(avatar_url),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.author_record(model.id).await
    }

    pub async fn update_author(
        &self,
        actor: &Actor,
        key: &str,
        patch: AuthorPatch,
    ) -> AppResult<AuthorRecord> {
        permissions::editor(actor)?;
        let name = patch
            .name
            .as_deref()
            .map(|n| text("name", n, 1, NAME_MAX))
            .transpose()?;
        let slug = patch.slug.as_deref().map(given_slug).transpose()?;
        let bio = patch
            .bio
            .as_deref()
            .map(|b| prose("bio", b, 0, BIO_MAX))
            .transpose()?;
        let avatar_url = match &patch.avatar_url {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(optional_url("avatarUrl", Some(v))?),
        };
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Authors, key).await?;
        let mut model = author::ActiveModel {
            id: Set(id),
            updated_at: Set(now()),
            ..Default::default()
        };
        if let Some(slug) = slug {
            model.slug =
                Set(choose_slug(&txn, SlugTable::Authors, &slug, Some(&slug), Some(id)).await?);
        }
        if let Some(name) = name {
            model.display_name = Set(name);
        }
        if let Some(bio) = bio {
            model.bio = Set(bio);
        }
        if let Some(avatar_url) = avatar_url {
            model.avatar_url = Set(avatar_url);
        }
        model.update(&txn).await?;
        txn.commit().await?;
        self.author_record(id).await
    }

    /// Refused (CONFLICT) while the author signs articles.
    pub async fn delete_author(&self, actor: &Actor, key: &str) -> AppResult<i64> {
        permissions::editor(actor)?;
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Authors, key).await?;
        let used = article_author::Entity::find()
            .filter(article_author::Column::AuthorId.eq(id))
            .count(&txn)
            .await?;
        if used > 0 {
            return Err(AppError::Conflict(format!(
                "this author signs {used} article(s): change their bylines first"
            )));
        }
        author::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(id)
    }

    pub async fn create_tag(&self, actor: &Actor, input: TagInput) -> AppResult<TagRecord> {
        permissions::editor(actor)?;
        let name = text("name", &input.name, 1, NAME_MAX)?;
        let slug = input.slug.as_deref().map(given_slug).transpose()?;
        let txn = self.begin().await?;
        let slug = choose_slug(&txn, SlugTable::Tags, &name, slug.as_deref(), None).await?;
        let model = tag::ActiveModel {
            slug: Set(slug),
            name: Set(name),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.tag_record(model.id).await
    }

    pub async fn update_tag(
        &self,
        actor: &Actor,
        key: &str,
        patch: TagPatch,
    ) -> AppResult<TagRecord> {
        permissions::editor(actor)?;
        let name = patch
            .name
            .as_deref()
            .map(|n| text("name", n, 1, NAME_MAX))
            .transpose()?;
        let slug = patch.slug.as_deref().map(given_slug).transpose()?;
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Tags, key).await?;
        if name.is_none() && slug.is_none() {
            txn.commit().await?;
            return self.tag_record(id).await;
        }
        let mut model = tag::ActiveModel {
            id: Set(id),
            ..Default::default()
        };
        if let Some(slug) = slug {
            model.slug =
                Set(choose_slug(&txn, SlugTable::Tags, &slug, Some(&slug), Some(id)).await?);
        }
        if let Some(name) = name {
            model.name = Set(name);
        }
        model.update(&txn).await?;
        txn.commit().await?;
        self.tag_record(id).await
    }

    /// Removes the tag from its articles too.
    pub async fn delete_tag(&self, actor: &Actor, key: &str) -> AppResult<i64> {
        permissions::editor(actor)?;
        let txn = self.begin().await?;
        let id = existing(&txn, SlugTable::Tags, key).await?;
        tag::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(id)
    }
}
