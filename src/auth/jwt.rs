//! Access tokens: HS256 JWTs with a pinned algorithm, a key id (`kid`) naming the signing
//! key so that keys can be rotated (the previous key still verifies during the overlap),
//! and `exp`, `iat`, `nbf`, `iss`, `aud` checked with at most 30 s of leeway.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Role, UserActor};
use crate::error::AppError;

pub const LEEWAY_SECS: u64 = 30;
/// The only token type accepted as an access token (refresh tokens are opaque, not JWTs).
const ACCESS: &str = "access";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub sub: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aid: Option<i64>,
    pub typ: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Key {
    fn new(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        let kid = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        Self {
            kid,
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
        }
    }
}

/// The signing key, the previous one (accepted until it is removed from the
/// configuration), and the token rules.
pub struct Keys {
    current: Key,
    previous: Option<Key>,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("kid", &self.current.kid)
            .finish_non_exhaustive()
    }
}

fn invalid() -> AppError {
    AppError::Unauthenticated("the access token is invalid or expired".into())
}

impl Keys {
    pub fn new(
        secret: &str,
        previous: Option<&str>,
        issuer: &str,
        audience: &str,
        ttl_secs: i64,
    ) -> Self {
        Self {
            current: Key::new(secret),
            previous: previous.filter(|p| !p.is_empty()).map(Key::new),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    /// Signs an access token for `user`.
    pub fn issue(&self, user: &UserActor) -> Result<String, AppError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.to_string(),
            role: user.role,
            aid: user.author_id,
            typ: ACCESS.into(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + self.ttl_secs,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.current.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.current.encoding)
            .map_err(|e| AppError::Internal(format!("could not sign a token: {e}")))
    }

    /// Verifies an access token. Every failure is the same 401, whatever its cause.
    pub fn verify(&self, token: &str) -> Result<UserActor, AppError> {
        if token.len() > 4096 {
            return Err(invalid());
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
        if header.alg != Algorithm::HS256 {
            return Err(invalid());
        }
        let key = match header.kid.as_deref() {
            Some(kid) if kid == self.current.kid => &self.current,
            Some(kid) if self.previous.as_ref().is_some_and(|p| p.kid == kid) => {
                self.previous.as_ref().ok_or_else(invalid)?
            }
            _ => return Err(invalid()),
        };
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation)
            .map_err(|_| invalid())?;
        let claims = data.claims;
        if claims.typ != ACCESS {
            return Err(invalid());
        }
        let id = claims.sub.parse::<i64>().map_err(|_| invalid())?;
        Ok(UserActor {
            id,
            role: claims.role,
            author_id: claims.aid,
        })
    }
}

/// The content services open sessions with these keys.
impl crate::auth::TokenIssuer for Keys {
    fn issue(&self, user: &UserActor) -> Result<String, AppError> {
        Keys::issue(self, user)
    }

    fn ttl_secs(&self) -> i64 {
        Keys::ttl_secs(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> UserActor {
        UserActor {
            id: 7,
            role: Role::Editor,
            author_id: Some(3),
        }
    }

    #[test]
    fn a_token_round_trips_and_a_tampered_one_does_not() {
        let keys = Keys::new(
            "a secret long enough for tests",
            None,
            "kiosque",
            "kiosque-api",
            900,
        );
        let token = keys.issue(&user()).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), user());
        let mut bytes = token.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert!(keys.verify(&String::from_utf8(bytes).unwrap()).is_err());
    }

    #[test]
    fn the_previous_key_verifies_during_rotation_only() {
        let old = Keys::new("old secret old secret", None, "kiosque", "kiosque-api", 900);
        let token = old.issue(&user()).unwrap();
        let rotating = Keys::new(
            "new secret new secret",
            Some("old secret old secret"),
            "kiosque",
            "kiosque-api",
            900,
        );
        assert!(rotating.verify(&token).is_ok());
        let rotated = Keys::new("new secret new secret", None, "kiosque", "kiosque-api", 900);
        assert!(rotated.verify(&token).is_err());
    }

    #[test]
    fn a_wrong_audience_or_issuer_is_refused() {
        let keys = Keys::new("s3cret s3cret s3cret", None, "kiosque", "kiosque-api", 900);
        let other = Keys::new("s3cret s3cret s3cret", None, "kiosque", "someone-else", 900);
        assert!(keys.verify(&other.issue(&user()).unwrap()).is_err());
        let other = Keys::new("s3cret s3cret s3cret", None, "evil", "kiosque-api", 900);
        assert!(keys.verify(&other.issue(&user()).unwrap()).is_err());
    }
}
