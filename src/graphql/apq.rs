//! Automatic persisted queries (Apollo's APQ protocol, version 1): a bandwidth feature for
//! every client, and what lets a CDN cache GraphQL reads over `GET` with short URLs. A client
//! sends `extensions.persistedQuery.sha256Hash` alone; when the server does not know the
//! hash yet it answers `PERSISTED_QUERY_NOT_FOUND`, the client sends hash and text once, the
//! server checks that the text hashes to it and remembers it.
//!
//! This is NOT an allow-list: anyone may register any text (it still goes through parsing,
//! validation and the limits). The allow-list of trusted documents for restricted partner
//! keys is `trusted.rs`, with its own table; it runs first.

use std::sync::Arc;

use async_graphql::Value;
use sha2::{Digest, Sha256};

/// Remembered documents by hash, bounded (least recently used go first).
#[derive(Clone)]
pub struct Apq(Arc<quick_cache::sync::Cache<String, Arc<str>>>);

impl Default for Apq {
    fn default() -> Self {
        Self(Arc::new(quick_cache::sync::Cache::new(5_000)))
    }
}

/// Why a persisted query does not run.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The hash is not known (yet): the client resends it with the text.
    NotFound,
    /// The text does not hash to the given hash, or the extension is malformed.
    Invalid(&'static str),
}

fn persisted_hash(request: &async_graphql::Request) -> Result<Option<String>, Refused> {
    let Some(persisted) = request.extensions.0.get("persistedQuery") else {
        return Ok(None);
    };
    let Value::Object(persisted) = persisted else {
        return Err(Refused::Invalid(
            "extensions.persistedQuery must be an object",
        ));
    };
    match persisted.get("version") {
        Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
        _ => {
            return Err(Refused::Invalid(
                "only persistedQuery version 1 is supported",
            ));
        }
    }
    match persisted.get("sha256Hash") {
        Some(Value::String(hash))
            if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(Some(hash.to_ascii_lowercase()))
        }
        _ => Err(Refused::Invalid(
            "persistedQuery.sha256Hash must be 64 hexadecimal characters",
        )),
    }
}

impl Apq {
    /// Fills in the text of a request that names a known hash, or remembers the text of one
    /// that sends both. Requests without the extension pass untouched.
    pub fn resolve(
        &self,
        mut request: async_graphql::Request,
    ) -> Result<async_graphql::Request, Refused> {
        let Some(hash) = persisted_hash(&request)? else {
            return Ok(request);
        };
        if request.query.is_empty() {
            let known = self.0.get(&hash).ok_or(Refused::NotFound)?;
            request.query = known.to_string();
            return Ok(request);
        }
        let digest = Sha256::digest(request.query.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        if hex != hash {
            return Err(Refused::Invalid(
                "persistedQuery.sha256Hash is not the SHA-256 of the query text",
            ));
        }
        self.0.insert(hash, Arc::from(request.query.as_str()));
        Ok(request)
    }
}
