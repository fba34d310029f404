//! Rubrics, authors and tags: created, edited and deleted by editors and admins. A rubric or
//! author still used by articles cannot be deleted (CONFLICT); a tag can (it is removed from
//! its articles).
//!
//! The flow is written once ([`Editorial::create_entry`], [`Editorial::update_entry`],
//! [`Editorial::delete_entry`]): the editor permission, every check before any SQL, one
//! transaction, the slug chosen or checked, the record read back. What differs between the
//! three lives in one [`Entry`] implementation each: their fields and checks, the row written,
//! and what stops a deletion.

use std::future::Future;

use crate::content::maybe::MaybeUndefined;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, Set,
};

use super::inputs::*;
use super::{Editorial, SlugTable, choose_slug, existing, referenced};
use crate::content::catalogue::{AuthorRecord, Catalogue, RubricRecord, TagRecord};
use crate::content::{now, permissions};
use crate::entities::{article, article_author, author, rubric, tag};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

const RUBRIC_NAME_MAX: usize = 100;

/// A new entry, checked: the text its slug is generated from, the slug given (if any), and
/// the rest of its fields.
pub(super) struct New<T> {
    name: String,
    slug: Option<String>,
    fields: T,
}

/// Changes to an entry, checked: the new slug (if any) and the rest.
pub(super) struct Changes<T> {
    slug: Option<String>,
    fields: T,
}

/// What differs between rubrics, authors and tags.
pub(super) trait Entry {
    const TABLE: SlugTable;
    type Input: Send;
    type Patch: Send;
    type Record: Send;
    type NewFields: Send;
    type ChangedFields: Send;

    /// Checks a new entry's fields (no SQL).
    fn check_new(input: Self::Input) -> AppResult<New<Self::NewFields>>;

    /// Checks changes (no SQL).
    fn check_changes(patch: Self::Patch) -> AppResult<Changes<Self::ChangedFields>>;

    /// Writes the new row and returns its id.
    fn insert(
        txn: &DatabaseTransaction,
        name: String,
        slug: String,
        fields: Self::NewFields,
        at: DateTime<Utc>,
    ) -> impl Future<Output = AppResult<i64>> + Send;

    /// Writes the changes (and the new slug, already checked) to row `id`.
    fn update(
        txn: &DatabaseTransaction,
        id: i64,
        slug: Option<String>,
        fields: Self::ChangedFields,
        at: DateTime<Utc>,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Deletes row `id`, or refuses (CONFLICT) while it is in use.
    fn delete(txn: &DatabaseTransaction, id: i64) -> impl Future<Output = AppResult<()>> + Send;

    /// The record of row `id`, as both doors show it.
    fn read(
        catalogue: Catalogue<'_>,
        id: i64,
    ) -> impl Future<Output = AppResult<Option<Self::Record>>> + Send;
}

/// Sets a column to a changed value (`None`: unchanged).
fn set<V: Into<sea_orm::Value>>(column: &mut ActiveValue<V>, value: Option<V>) {
    if let Some(value) = value {
        *column = Set(value);
    }
}

/// Saves `model` unless nothing but its id is set.
async fn save<A>(txn: &DatabaseTransaction, model: A) -> AppResult<()>
where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
{
    if model.is_changed() {
        model.update(txn).await?;
    }
    Ok(())
}

impl Editorial<'_> {
    pub(super) async fn create_entry<E: Entry>(
        &self,
        actor: &Actor,
        input: E::Input,
    ) -> AppResult<E::Record> {
        permissions::editor(actor)?;
        let new = E::check_new(input)?;
        let txn = self.begin().await?;
        let slug = choose_slug(&txn, E::TABLE, &new.name, new.slug.as_deref(), None).await?;
        let id = E::insert(&txn, new.name, slug, new.fields, now()).await?;
        txn.commit().await?;
        self.entry::<E>(id).await
    }

    pub(super) async fn update_entry<E: Entry>(
        &self,
        actor: &Actor,
        key: &str,
        patch: E::Patch,
    ) -> AppResult<E::Record> {
        permissions::editor(actor)?;
        let changes = E::check_changes(patch)?;
        let txn = self.begin().await?;
        let id = existing(&txn, E::TABLE, key).await?;
        let slug = match changes.slug {
            Some(slug) => Some(choose_slug(&txn, E::TABLE, &slug, Some(&slug), Some(id)).await?),
            None => None,
        };
        E::update(&txn, id, slug, changes.fields, now()).await?;
        txn.commit().await?;
        self.entry::<E>(id).await
    }

    /// Returns the id of the entry deleted.
    pub(super) async fn delete_entry<E: Entry>(&self, actor: &Actor, key: &str) -> AppResult<i64> {
        permissions::editor(actor)?;
        let txn = self.begin().await?;
        let id = existing(&txn, E::TABLE, key).await?;
        E::delete(&txn, id).await?;
        txn.commit().await?;
        Ok(id)
    }

    async fn entry<E: Entry>(&self, id: i64) -> AppResult<E::Record> {
        E::read(self.content.catalogue(), id)
            .await?
            .ok_or_else(|| AppError::not_found(E::TABLE.fallback()))
    }

    pub async fn create_rubric(
        &self,
        actor: &Actor,
        input: RubricInput,
    ) -> AppResult<RubricRecord> {
        self.create_entry::<Rubrics>(actor, input).await
    }

    pub async fn update_rubric(
        &self,
        actor: &Actor,
        key: &str,
        patch: RubricPatch,
    ) -> AppResult<RubricRecord> {
        self.update_entry::<Rubrics>(actor, key, patch).await
    }

    /// Refused (CONFLICT) while articles are filed under the rubric; its sub-rubrics become
    /// top-level.
    pub async fn delete_rubric(&self, actor: &Actor, key: &str) -> AppResult<i64> {
        self.delete_entry::<Rubrics>(actor, key).await
    }

    pub async fn create_author(
        &self,
        actor: &Actor,
        input: AuthorInput,
    ) -> AppResult<AuthorRecord> {
        self.create_entry::<Authors>(actor, input).await
    }

    pub async fn update_author(
        &self,
        actor: &Actor,
        key: &str,
        patch: AuthorPatch,
    ) -> AppResult<AuthorRecord> {
        self.update_entry::<Authors>(actor, key, patch).await
    }

    /// Refused (CONFLICT) while the author signs articles.
    pub async fn delete_author(&self, actor: &Actor, key: &str) -> AppResult<i64> {
        self.delete_entry::<Authors>(actor, key).await
    }

    pub async fn create_tag(&self, actor: &Actor, input: TagInput) -> AppResult<TagRecord> {
        self.create_entry::<Tags>(actor, input).await
    }

    pub async fn update_tag(
        &self,
        actor: &Actor,
        key: &str,
        patch: TagPatch,
    ) -> AppResult<TagRecord> {
        self.update_entry::<Tags>(actor, key, patch).await
    }

    /// Removes the tag from its articles too.
    pub async fn delete_tag(&self, actor: &Actor, key: &str) -> AppResult<i64> {
        self.delete_entry::<Tags>(actor, key).await
    }
}

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

/// The given slug of an input or patch, checked.
fn slug(raw: Option<&str>) -> AppResult<Option<String>> {
    raw.map(given_slug).transpose()
}

pub(super) struct Rubrics;

pub(super) struct RubricFields {
    description: Option<String>,
    parent: MaybeUndefined<String>,
    position: Option<i32>,
}

impl Entry for Rubrics {
    const TABLE: SlugTable = SlugTable::Rubrics;
    type Input = RubricInput;
    type Patch = RubricPatch;
    type Record = RubricRecord;
    type NewFields = RubricFields;
    type ChangedFields = (Option<String>, RubricFields);

    fn check_new(input: RubricInput) -> AppResult<New<RubricFields>> {
        Ok(New {
            name: text("name", &input.name, 1, RUBRIC_NAME_MAX)?,
            slug: slug(input.slug.as_deref())?,
            fields: RubricFields {
                description: Some(prose(
                    "description",
                    input.description.as_deref().unwrap_or_default(),
                    0,
                    DESCRIPTION_MAX,
                )?),
                parent: match input.parent {
                    Some(key) => MaybeUndefined::Value(key),
                    None => MaybeUndefined::Undefined,
                },
                position: Some(position(input.position.unwrap_or(0))?),
            },
        })
    }

    fn check_changes(patch: RubricPatch) -> AppResult<Changes<(Option<String>, RubricFields)>> {
        let name = patch
            .name
            .as_deref()
            .map(|n| text("name", n, 1, RUBRIC_NAME_MAX))
            .transpose()?;
        Ok(Changes {
            slug: slug(patch.slug.as_deref())?,
            fields: (
                name,
                RubricFields {
                    description: patch
                        .description
                        .as_deref()
                        .map(|d| prose("description", d, 0, DESCRIPTION_MAX))
                        .transpose()?,
                    parent: patch.parent,
                    position: patch.position.map(position).transpose()?,
                },
            ),
        })
    }

    async fn insert(
        txn: &DatabaseTransaction,
        name: String,
        slug: String,
        fields: RubricFields,
        at: DateTime<Utc>,
    ) -> AppResult<i64> {
        let parent_id = match &fields.parent {
            MaybeUndefined::Value(key) => Some(parent_of(txn, None, key).await?),
            _ => None,
        };
        let model = rubric::ActiveModel {
            slug: Set(slug),
            name: Set(name),
            description: Set(fields.description.unwrap_or_default()),
            parent_id: Set(parent_id),
            position: Set(fields.position.unwrap_or(0)),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(model.id)
    }

    async fn update(
        txn: &DatabaseTransaction,
        id: i64,
        slug: Option<String>,
        (name, fields): (Option<String>, RubricFields),
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        let mut model = rubric::ActiveModel {
            id: ActiveValue::Unchanged(id),
            updated_at: Set(at),
            ..Default::default()
        };
        set(&mut model.slug, slug);
        set(&mut model.name, name);
        set(&mut model.description, fields.description);
        set(&mut model.position, fields.position);
        match &fields.parent {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => model.parent_id = Set(None),
            MaybeUndefined::Value(key) => {
                model.parent_id = Set(Some(parent_of(txn, Some(id), key).await?))
            }
        }
        save(txn, model).await
    }

    /// Refused while articles are filed under the rubric; its sub-rubrics become top-level.
    async fn delete(txn: &DatabaseTransaction, id: i64) -> AppResult<()> {
        let used = article::Entity::find()
            .filter(article::Column::RubricId.eq(id))
            .count(txn)
            .await?;
        if used > 0 {
            return Err(AppError::Conflict(format!(
                "{used} article(s) are filed under this rubric: move them first"
            )));
        }
        rubric::Entity::update_many()
            .col_expr(rubric::Column::ParentId, Expr::value(Option::<i64>::None))
            .filter(rubric::Column::ParentId.eq(id))
            .exec(txn)
            .await?;
        rubric::Entity::delete_by_id(id).exec(txn).await?;
        Ok(())
    }

    async fn read(catalogue: Catalogue<'_>, id: i64) -> AppResult<Option<RubricRecord>> {
        Ok(catalogue.rubrics_by_ids(&[id]).await?.into_iter().next())
    }
}

pub(super) struct Authors;

pub(super) struct AuthorFields {
    bio: Option<String>,
    /// `Some(None)` removes the avatar.
    avatar_url: Option<Option<String>>,
}

impl Entry for Authors {
    const TABLE: SlugTable = SlugTable::Authors;
    type Input = AuthorInput;
    type Patch = AuthorPatch;
    type Record = AuthorRecord;
    type NewFields = AuthorFields;
    type ChangedFields = (Option<String>, AuthorFields);

    fn check_new(input: AuthorInput) -> AppResult<New<AuthorFields>> {
        Ok(New {
            name: text("name", &input.name, 1, NAME_MAX)?,
            slug: slug(input.slug.as_deref())?,
            fields: AuthorFields {
                bio: Some(prose(
                    "bio",
                    input.bio.as_deref().unwrap_or_default(),
                    0,
                    BIO_MAX,
                )?),
                avatar_url: Some(optional_url("avatarUrl", input.avatar_url.as_deref())?),
            },
        })
    }

    fn check_changes(patch: AuthorPatch) -> AppResult<Changes<(Option<String>, AuthorFields)>> {
        let name = patch
            .name
            .as_deref()
            .map(|n| text("name", n, 1, NAME_MAX))
            .transpose()?;
        let avatar_url = match &patch.avatar_url {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(optional_url("avatarUrl", Some(v))?),
        };
        Ok(Changes {
            slug: slug(patch.slug.as_deref())?,
            fields: (
                name,
                AuthorFields {
                    bio: patch
                        .bio
                        .as_deref()
                        .map(|b| prose("bio", b, 0, BIO_MAX))
                        .transpose()?,
                    avatar_url,
                },
            ),
        })
    }

    async fn insert(
        txn: &DatabaseTransaction,
        name: String,
        slug: String,
        fields: AuthorFields,
        at: DateTime<Utc>,
    ) -> AppResult<i64> {
        let model = author::ActiveModel {
            slug: Set(slug),
            display_name: Set(name),
            bio: Set(fields.bio.unwrap_or_default()),
            avatar_url: Set(fields.avatar_url.flatten()),
            created_at: Set(at),
            updated_at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(model.id)
    }

    async fn update(
        txn: &DatabaseTransaction,
        id: i64,
        slug: Option<String>,
        (name, fields): (Option<String>, AuthorFields),
        at: DateTime<Utc>,
    ) -> AppResult<()> {
        let mut model = author::ActiveModel {
            id: ActiveValue::Unchanged(id),
            updated_at: Set(at),
            ..Default::default()
        };
        set(&mut model.slug, slug);
        set(&mut model.display_name, name);
        set(&mut model.bio, fields.bio);
        set(&mut model.avatar_url, fields.avatar_url);
        save(txn, model).await
    }

    /// Refused while the author signs articles.
    async fn delete(txn: &DatabaseTransaction, id: i64) -> AppResult<()> {
        let used = article_author::Entity::find()
            .filter(article_author::Column::AuthorId.eq(id))
            .count(txn)
            .await?;
        if used > 0 {
            return Err(AppError::Conflict(format!(
                "this author signs {used} article(s): change their bylines first"
            )));
        }
        author::Entity::delete_by_id(id).exec(txn).await?;
        Ok(())
    }

    async fn read(catalogue: Catalogue<'_>, id: i64) -> AppResult<Option<AuthorRecord>> {
        Ok(catalogue.authors_by_ids(&[id]).await?.into_iter().next())
    }
}

pub(super) struct Tags;

impl Entry for Tags {
    const TABLE: SlugTable = SlugTable::Tags;
    type Input = TagInput;
    type Patch = TagPatch;
    type Record = TagRecord;
    type NewFields = ();
    /// The new name.
    type ChangedFields = Option<String>;

    fn check_new(input: TagInput) -> AppResult<New<()>> {
        Ok(New {
            name: text("name", &input.name, 1, NAME_MAX)?,
            slug: slug(input.slug.as_deref())?,
            fields: (),
        })
    }

    fn check_changes(patch: TagPatch) -> AppResult<Changes<Option<String>>> {
        Ok(Changes {
            slug: slug(patch.slug.as_deref())?,
            fields: patch
                .name
                .as_deref()
                .map(|n| text("name", n, 1, NAME_MAX))
                .transpose()?,
        })
    }

    async fn insert(
        txn: &DatabaseTransaction,
        name: String,
        slug: String,
        (): (),
        at: DateTime<Utc>,
    ) -> AppResult<i64> {
        let model = tag::ActiveModel {
            slug: Set(slug),
            name: Set(name),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        Ok(model.id)
    }

    /// Tags keep no update time: an empty patch writes nothing.
    async fn update(
        txn: &DatabaseTransaction,
        id: i64,
        slug: Option<String>,
        name: Option<String>,
        _: DateTime<Utc>,
    ) -> AppResult<()> {
        let mut model = tag::ActiveModel {
            id: ActiveValue::Unchanged(id),
            ..Default::default()
        };
        set(&mut model.slug, slug);
        set(&mut model.name, name);
        save(txn, model).await
    }

    /// Removes the tag from its articles too (the foreign key cascades).
    async fn delete(txn: &DatabaseTransaction, id: i64) -> AppResult<()> {
        tag::Entity::delete_by_id(id).exec(txn).await?;
        Ok(())
    }

    async fn read(catalogue: Catalogue<'_>, id: i64) -> AppResult<Option<TagRecord>> {
        Ok(catalogue.tags_by_ids(&[id]).await?.into_iter().next())
    }
}
