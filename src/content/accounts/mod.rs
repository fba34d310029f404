//! Accounts: users and their passwords, refresh tokens, partner API keys.

mod api_keys;

pub use api_keys::ApiKeys;

use crate::content::Content;

impl Content {
    pub fn api_keys(&self) -> ApiKeys<'_> {
        ApiKeys { content: self }
    }
}
