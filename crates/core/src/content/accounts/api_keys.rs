//! Partner API keys: `kq_` + 256 random bits (base64url), shown once, stored as a SHA-256
//! hash; looked up by hash (so comparing never depends on the key's bytes), revocable with
//! effect on the next request. Only admins create, list and revoke keys; the list shows the
//! first characters of each key (`prefix`), never the key.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryOrder, Set};

use super::inputs::{DisplayName, Scopes};
use super::secrets::{random_token, sha256_hex};
use crate::content::{Content, now, permissions};
use crate::db::dialect::Sql;
use crate::entities::api_key;
use crate::error::{AppError, AppResult};
use crate::identity::{Actor, PartnerActor};

/// What every key starts with, so that a leaked key is recognisable (secret scanners).
pub const KEY_PREFIX: &str = "kq_";
/// Characters of a key kept in clear, to tell keys apart in the list.
const SHOWN_CHARS: usize = 8;

/// A key as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: i64,
    pub name: String,
    /// The first characters of the key (`kq_` and five more).
    pub prefix: String,
    pub scopes: Vec<String>,
    /// Restricted to trusted GraphQL documents.
    pub trusted_documents_only: bool,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_key::Model> for ApiKeyRecord {
    fn from(m: api_key::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            prefix: m.prefix,
            scopes: m.scopes.split_whitespace().map(str::to_owned).collect(),
            trusted_documents_only: m.trusted_documents_only,
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// A new key, as given by an admin.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Who the key is for (a partner's name).
    pub name: String,
    pub scopes: Vec<String>,
}

/// A key just created: the only time the key itself is available.
#[derive(Debug, Clone)]
pub struct CreatedApiKey {
    pub key: String,
    pub record: ApiKeyRecord,
}

pub struct ApiKeys<'a> {
    pub(crate) content: &'a Content,
}

/// The stored form of a key.
pub fn hash_key(raw: &str) -> String {
    sha256_hex(raw)
}

fn rejected() -> AppError {
    AppError::Unauthenticated("the API key is invalid or revoked".into())
}

impl ApiKeys<'_> {
    /// The partner holding this key, if it is valid and not revoked; records its use.
    pub async fn authenticate(&self, raw: &str) -> AppResult<PartnerActor> {
        if raw.is_empty() || raw.len() > 128 {
            return Err(rejected());
        }
        let mut sql = Sql::new(self.content.backend());
        sql.push("UPDATE api_keys SET last_used_at = ")
            .bind(crate::content::now());
        sql.push(" WHERE key_hash = ").bind(hash_key(raw.trim()));
        sql.push(" AND revoked_at IS NULL RETURNING id, scopes, trusted_documents_only");
        let row = self
            .content
            .db
            .conn
            .query_one_raw(sql.build())
            .await?
            .ok_or_else(rejected)?;
        let scopes: String = row.try_get("", "scopes")?;
        Ok(PartnerActor {
            key_id: row.try_get("", "id")?,
            scopes: scopes.split_whitespace().map(str::to_owned).collect(),
            trusted_documents_only: row.try_get("", "trusted_documents_only")?,
        })
    }
}

impl ApiKeys<'_> {
    /// Creates a key (admins only) and returns it, once.
    pub async fn create(&self, actor: &Actor, input: NewApiKey) -> AppResult<CreatedApiKey> {
        let admin = permissions::admin(actor)?;
        let name = DisplayName::parse("name", &input.name)?;
        let scopes = Scopes::parse(&input.scopes)?;
        let key = format!("{KEY_PREFIX}{}", random_token(32));
        let created = api_key::ActiveModel {
            name: Set(name.into_inner()),
            prefix: Set(key.chars().take(SHOWN_CHARS).collect()),
            key_hash: Set(hash_key(&key)),
            scopes: Set(scopes.joined()),
            trusted_documents: Set(String::new()),
            trusted_documents_only: Set(false),
            created_by: Set(Some(admin.id)),
            created_at: Set(now()),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.content.db.conn)
        .await?;
        tracing::info!(api_key_id = created.id, "API key created");
        Ok(CreatedApiKey {
            key,
            record: created.into(),
        })
    }

    /// Every key, newest first, revoked ones included (admins only).
    pub async fn list(&self, actor: &Actor) -> AppResult<Vec<ApiKeyRecord>> {
        permissions::admin(actor)?;
        Ok(api_key::Entity::find()
            .order_by_desc(api_key::Column::Id)
            .all(&self.content.db.conn)
            .await?
            .into_iter()
            .map(ApiKeyRecord::from)
            .collect())
    }

    /// Revokes a key (admins only); the next request with it is refused. Revoking a revoked
    /// key changes nothing.
    pub async fn revoke(&self, actor: &Actor, id: i64) -> AppResult<ApiKeyRecord> {
        permissions::admin(actor)?;
        let conn = &self.content.db.conn;
        let existing = api_key::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("API key"))?;
        if existing.revoked_at.is_some() {
            return Ok(existing.into());
        }
        let mut model = existing.into_active_model();
        model.revoked_at = Set(Some(now()));
        let revoked = model.update(conn).await?;
        tracing::info!(api_key_id = id, "API key revoked");
        Ok(revoked.into())
    }
}
