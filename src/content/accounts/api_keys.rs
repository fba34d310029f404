//! Partner API keys: random (192 bits), shown once, stored as a SHA-256 hash; looked up by
//! hash (so comparing never depends on the key's bytes), revocable with effect on the next
//! request.

use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

use crate::auth::PartnerActor;
use crate::content::Content;
use crate::content::sql::Sql;
use crate::error::{AppError, AppResult};

pub struct ApiKeys<'a> {
    pub(crate) content: &'a Content,
}

/// The stored form of a key.
pub fn hash_key(raw: &str) -> String {
    Sha256::digest(raw.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
        sql.push(" AND revoked_at IS NULL RETURNING id, scopes");
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
        })
    }
}
