//! Accounts: users and their passwords, sessions (access and refresh tokens), partner API
//! keys. Who may manage accounts (admins), how emails, names, passwords and scopes are
//! checked, and how secrets are made and stored all live here, once, for both doors and
//! the command line.

mod api_keys;
mod inputs;
mod secrets;
mod sessions;
mod trusted_documents;
mod users;

pub use api_keys::{ApiKeyRecord, ApiKeys, CreatedApiKey, KEY_PREFIX, NewApiKey, hash_key};
pub use inputs::{DisplayName, Email, KNOWN_SCOPES, Scopes};
pub use secrets::{random_token, sha256_hex};
pub use sessions::{
    LOGIN_ATTEMPTS, LOGIN_ATTEMPTS_PER_CLIENT, REFRESH_TTL_DAYS, Session, Sessions,
};
pub use trusted_documents::{TrustedDocument, TrustedDocuments, normalise_hash};
pub use users::{NewUser, UserChanges, UserRecord, Users};

use crate::content::Content;

impl Content {
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys { content: self }
    }

    pub fn trusted_documents(&self) -> TrustedDocuments<'_> {
        TrustedDocuments { content: self }
    }

    pub fn users(&self) -> Users<'_> {
        Users { content: self }
    }

    pub fn sessions(&self) -> Sessions<'_> {
        Sessions { content: self }
    }
}
