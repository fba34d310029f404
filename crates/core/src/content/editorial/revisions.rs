//! The history of an article: one row per saved version, naming the editor and the changed
//! fields as `{"field": {"old": …, "new": …}}` (unchanged fields, the body included, are not
//! repeated).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{Editorial, SlugTable, existing};
use crate::content::permissions;
use crate::entities::article_revision;
use crate::error::AppResult;
use crate::identity::Actor;

/// One saved version of an article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevisionRecord {
    pub version: i32,
    /// The user who saved it.
    pub editor_id: Option<i64>,
    /// The changed fields, `{"field": {"old": …, "new": …}}`.
    pub changes: Value,
    pub created_at: DateTime<Utc>,
}

/// The changed fields of one edit, as they go into a revision.
#[derive(Debug, Default)]
pub(super) struct Changes(Map<String, Value>);

impl Changes {
    /// Records `field` when `old` and `new` differ; returns whether they did.
    pub fn note<T: Serialize + PartialEq>(&mut self, field: &str, old: &T, new: &T) -> bool {
        if old == new {
            return false;
        }
        self.0
            .insert(field.to_owned(), json!({ "old": old, "new": new }));
        true
    }

    pub fn insert(&mut self, field: &str, value: Value) {
        self.0.insert(field.to_owned(), value);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_json(self) -> Value {
        Value::Object(self.0)
    }
}

/// Writes the revision row of `version`.
pub(super) async fn record(
    conn: &impl ConnectionTrait,
    article_id: i64,
    version: i32,
    editor_id: i64,
    changes: Changes,
    now: DateTime<Utc>,
) -> AppResult<()> {
    article_revision::ActiveModel {
        article_id: Set(article_id),
        version: Set(version),
        editor_id: Set(Some(editor_id)),
        changes: Set(changes.into_json().to_string()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

impl Editorial<'_> {
    /// The saved versions of an article, newest first (staff only). `key` is a global id or
    /// a slug.
    pub async fn revisions(&self, actor: &Actor, key: &str) -> AppResult<Vec<RevisionRecord>> {
        permissions::staff(actor)?;
        let conn = &self.content.db.conn;
        let id = existing(conn, SlugTable::Articles, key).await?;
        let rows = article_revision::Entity::find()
            .filter(article_revision::Column::ArticleId.eq(id))
            .order_by_desc(article_revision::Column::Version)
            .order_by_desc(article_revision::Column::Id)
            .all(conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| RevisionRecord {
                version: r.version,
                editor_id: r.editor_id,
                changes: serde_json::from_str(&r.changes).unwrap_or(Value::Null),
                created_at: r.created_at,
            })
            .collect())
    }
}
