//! Trusted documents: an allow-list of GraphQL documents, by the SHA-256 (hex) of their
//! text, for partners whose API key is restricted to it (`trusted_documents_only`). Such a
//! key sends `extensions.persistedQuery.sha256Hash` and runs the registered document; it
//! cannot send query text of its own. Admins register documents and restrict keys. A
//! document is content-addressed and never changes once registered, so the doors may cache
//! it. (Automatic persisted queries, the bandwidth feature, are a separate cache.)

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};

use super::api_keys::ApiKeyRecord;
use super::inputs::DisplayName;
use super::secrets::sha256_hex;
use crate::content::{Content, now, permissions};
use crate::entities::{api_key, trusted_document};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

/// The longest document accepted (the GraphQL body limit is larger than any sane one).
const MAX_DOCUMENT_LEN: usize = 32 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedDocument {
    /// SHA-256 of the document's text, lowercase hex: what a partner sends.
    pub sha256: String,
    pub name: String,
    pub document: String,
    pub created_at: DateTime<Utc>,
}

impl From<trusted_document::Model> for TrustedDocument {
    fn from(m: trusted_document::Model) -> Self {
        Self {
            sha256: m.sha256,
            name: m.name,
            document: m.document,
            created_at: m.created_at,
        }
    }
}

pub struct TrustedDocuments<'a> {
    pub(crate) content: &'a Content,
}

/// A document hash as partners send it: 64 hex digits (either case).
pub fn normalise_hash(raw: &str) -> Option<String> {
    (raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| raw.to_ascii_lowercase())
}

impl TrustedDocuments<'_> {
    /// Registers a document (admins only); registering the same text again answers the
    /// document already stored.
    pub async fn register(
        &self,
        actor: &Actor,
        name: &str,
        document: &str,
    ) -> AppResult<TrustedDocument> {
        let admin = permissions::admin(actor)?;
        let name = DisplayName::parse("name", name)?;
        if document.trim().is_empty() || document.len() > MAX_DOCUMENT_LEN {
            return Err(AppError::invalid(
                "document",
                format!("a document has 1 to {MAX_DOCUMENT_LEN} bytes"),
            ));
        }
        let sha256 = sha256_hex(document);
        let conn = &self.content.db.conn;
        if let Some(existing) = self.find_model(&sha256).await? {
            return Ok(existing.into());
        }
        let created = trusted_document::ActiveModel {
            sha256: Set(sha256),
            name: Set(name.into_inner()),
            document: Set(document.to_owned()),
            created_by: Set(Some(admin.id)),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        tracing::info!(
            trusted_document_id = created.id,
            "trusted document registered"
        );
        Ok(created.into())
    }

    /// Every registered document, newest first (admins only).
    pub async fn list(&self, actor: &Actor) -> AppResult<Vec<TrustedDocument>> {
        permissions::admin(actor)?;
        Ok(trusted_document::Entity::find()
            .order_by_desc(trusted_document::Column::Id)
            .all(&self.content.db.conn)
            .await?
            .into_iter()
            .map(TrustedDocument::from)
            .collect())
    }

    /// The text of the document with this hash, for a restricted partner's request.
    pub async fn find(&self, hash: &str) -> AppResult<Option<String>> {
        let Some(hash) = normalise_hash(hash) else {
            return Ok(None);
        };
        Ok(self.find_model(&hash).await?.map(|m| m.document))
    }

    async fn find_model(&self, hash: &str) -> AppResult<Option<trusted_document::Model>> {
        Ok(trusted_document::Entity::find()
            .filter(trusted_document::Column::Sha256.eq(hash))
            .one(&self.content.db.conn)
            .await?)
    }

    /// Restricts a key to trusted documents, or lifts the restriction (admins only); takes
    /// effect on the key's next request.
    pub async fn restrict_key(
        &self,
        actor: &Actor,
        key_id: i64,
        only: bool,
    ) -> AppResult<ApiKeyRecord> {
        permissions::admin(actor)?;
        let conn = &self.content.db.conn;
        let existing = api_key::Entity::find_by_id(key_id)
            .one(conn)
            .await?
            .ok_or_else(|| AppError::not_found("API key"))?;
        let mut model = existing.into_active_model();
        model.trusted_documents_only = Set(only);
        let updated = model.update(conn).await?;
        tracing::info!(
            api_key_id = key_id,
            only,
            "API key trusted-documents restriction set"
        );
        Ok(updated.into())
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_hash;

    #[test]
    fn hashes_are_64_hex_digits_in_lowercase() {
        let upper = "A".repeat(64);
        assert_eq!(normalise_hash(&upper), Some("a".repeat(64)));
        assert_eq!(normalise_hash("abc"), None);
        assert_eq!(normalise_hash(&"g".repeat(64)), None);
    }
}
