//! Sessions: signing in with an email and a password, refreshing, signing out.
//!
//! A session is a short-lived JWT access token plus an opaque refresh token (256 random
//! bits, stored as a SHA-256 hash, valid [`REFRESH_TTL_DAYS`] days). Refreshing rotates:
//! the presented token is revoked and a new pair issued, atomically (of two concurrent
//! refreshes with one token, one wins), and a revoked token presented again ends every
//! session of its account (it was stolen, or the user's copy was). An unknown email, a
//! wrong password and a disabled account get the same answer after the same work; sign-in
//! attempts are rate-limited per email address (guessing one account's password is slow)
//! and per client address (trying one password on many accounts is slow too).

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, Set, TransactionTrait,
};

use super::secrets::{random_token, sha256_hex};
use super::users::UserRecord;
use crate::content::{Content, now};
use crate::db::dialect::Sql;
use crate::entities::{refresh_token, user};
use crate::error::{AppError, AppResult};
use crate::identity::{Role, UserActor, password};
use crate::ratelimit::Limit;

/// How long a refresh token stays valid.
pub const REFRESH_TTL_DAYS: i64 = 30;
/// How long after its revocation a refresh token may be presented again without ending
/// every session of its account (see [`Sessions::detect_reuse`]).
pub const REUSE_GRACE_SECS: i64 = 30;
/// Bytes of randomness in a refresh token.
const REFRESH_TOKEN_BYTES: usize = 32;
/// Sign-in attempts per email address, whatever their outcome (shared by every instance
/// when Redis is configured). Past it: `RATE_LIMITED` with `Retry-After`.
pub const LOGIN_ATTEMPTS: Limit = Limit::per(10, 300);
/// Sign-in attempts per client address, whatever the accounts tried: higher than the
/// per-account limit, as many readers may share an address (an office, a carrier's NAT).
pub const LOGIN_ATTEMPTS_PER_CLIENT: Limit = Limit::per(30, 300);

/// What signing in or refreshing gives.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: UserRecord,
}

pub struct Sessions<'a> {
    pub(crate) content: &'a Content,
}

fn bad_credentials() -> AppError {
    AppError::Unauthenticated("the email or the password is wrong".into())
}

fn bad_refresh_token() -> AppError {
    AppError::Unauthenticated("the refresh token is invalid, expired or revoked".into())
}

impl Sessions<'_> {
    /// Signs in. The email is normalised as at sign-up; the password is checked with
    /// argon2id off the async threads, against a dummy hash when there is no such account.
    /// `client` is the caller's address (`None` when unknown: such callers share one count).
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> AppResult<Session> {
        let email = email.trim().to_lowercase();
        if email.is_empty() {
            return Err(AppError::invalid("email", "email is required"));
        }
        if password.is_empty() {
            return Err(AppError::invalid("password", "password is required"));
        }
        if email.len() > super::inputs::EMAIL_MAX_LEN
            || password.chars().count() > password::MAX_LEN
        {
            // No account can have these: refuse without spending a hash.
            return Err(bad_credentials());
        }
        // Counted by hashes: the limiter's keys (in Redis, perhaps) never hold an email or
        // an address.
        let protection = &self.content.protection;
        protection
            .hit(
                "login:client",
                &protection.client_hash(client),
                LOGIN_ATTEMPTS_PER_CLIENT,
            )
            .await?;
        self.content
            .protection
            .hit("login:email", &sha256_hex(&email), LOGIN_ATTEMPTS)
            .await?;
        let conn = &self.content.db.conn;
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(&email))
            .one(conn)
            .await?;
        let stored = found.as_ref().map(|u| u.password_hash.clone());
        let matches = password::verify(stored, password.to_owned()).await;
        let account = match found {
            Some(account) if matches && account.disabled_at.is_none() => account,
            _ => return Err(bad_credentials()),
        };
        let txn = conn.begin().await?;
        let at = now();
        let mut model = account.into_active_model();
        model.last_login_at = Set(Some(at));
        let account = model.update(&txn).await?;
        let refresh = Self::store_refresh_token(&txn, account.id).await?;
        txn.commit().await?;
        tracing::info!(user_id = account.id, "signed in");
        self.session(account.into(), refresh)
    }

    /// Exchanges a refresh token for a new pair; the presented one is revoked.
    pub async fn refresh(&self, raw: &str) -> AppResult<Session> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 256 {
            return Err(bad_refresh_token());
        }
        let txn = self.content.db.conn.begin().await?;
        let at = now();
        // One statement finds and revokes the token, so a token is used at most once.
        let mut sql = Sql::new(self.content.backend());
        sql.push("UPDATE refresh_tokens SET revoked_at = ").bind(at);
        sql.push(" WHERE token_hash = ").bind(sha256_hex(raw));
        sql.push(" AND revoked_at IS NULL AND expires_at > ")
            .bind(at);
        sql.push(" RETURNING user_id");
        let Some(row) = txn.query_one_raw(sql.build()).await? else {
            txn.rollback().await?;
            self.detect_reuse(raw, at).await?;
            return Err(bad_refresh_token());
        };
        let user_id: i64 = row.try_get("", "user_id")?;
        let account = user::Entity::find_by_id(user_id)
            .one(&txn)
            .await?
            .filter(|u| u.disabled_at.is_none())
            .ok_or_else(bad_refresh_token)?;
        let refresh = Self::store_refresh_token(&txn, account.id).await?;
        txn.commit().await?;
        self.session(account.into(), refresh)
    }

    /// A refresh token used again after it was revoked was copied: by a thief, or by the
    /// user from a thief's copy. Which one cannot be told, so every session of the account
    /// ends (OAuth 2.0 Security BCP, RFC 9700 §4.14.2). A token revoked in the last
    /// [`REUSE_GRACE_SECS`] seconds is spared that: two tabs refreshing at once, or a retry
    /// after a lost answer, is not theft.
    async fn detect_reuse(&self, raw: &str, at: DateTime<Utc>) -> AppResult<()> {
        let conn = &self.content.db.conn;
        let replayed = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(sha256_hex(raw)))
            .filter(refresh_token::Column::RevokedAt.lt(at - Duration::seconds(REUSE_GRACE_SECS)))
            .filter(refresh_token::Column::ExpiresAt.gt(at))
            .one(conn)
            .await?;
        if let Some(token) = replayed {
            tracing::warn!(
                user_id = token.user_id,
                "a revoked refresh token was used again: every session of the account ends"
            );
            revoke_all(conn, token.user_id, at).await?;
        }
        Ok(())
    }

    /// Revokes a refresh token. Signing out twice, or with a token that was never valid,
    /// is not an error: either way the token cannot be used afterwards.
    pub async fn logout(&self, raw: &str) -> AppResult<()> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(AppError::invalid(
                "refreshToken",
                "refreshToken is required",
            ));
        }
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(Some(now())))
            .filter(refresh_token::Column::TokenHash.eq(sha256_hex(raw)))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&self.content.db.conn)
            .await?;
        Ok(())
    }

    async fn store_refresh_token(conn: &impl ConnectionTrait, user_id: i64) -> AppResult<String> {
        let raw = random_token(REFRESH_TOKEN_BYTES);
        let at = now();
        refresh_token::ActiveModel {
            user_id: Set(user_id),
            token_hash: Set(sha256_hex(&raw)),
            expires_at: Set(at + Duration::days(REFRESH_TTL_DAYS)),
            revoked_at: Set(None),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        Ok(raw)
    }

    /// The caller behind a verified access token, as their account is now: the stored role
    /// and byline are the ones in force (a demotion or a promotion counts from the next
    /// request, not the next refresh), and a deleted or disabled account is refused like an
    /// expired token. The token's own `role` claim decides nothing. One primary-key read per
    /// signed-in request and no cache, so a change made through any instance holds on every
    /// instance at once.
    pub async fn current(&self, claimed: &UserActor) -> AppResult<UserActor> {
        let stored = user::Entity::find_by_id(claimed.id)
            .select_only()
            .columns([
                user::Column::Role,
                user::Column::AuthorId,
                user::Column::DisabledAt,
            ])
            .into_tuple::<(String, Option<i64>, Option<DateTime<Utc>>)>()
            .one(&self.content.db.conn)
            .await?;
        match stored {
            Some((role, author_id, None)) => Ok(UserActor {
                id: claimed.id,
                // The CHECK constraint allows only the four roles; the weakest is the safe
                // default.
                role: Role::parse(&role).unwrap_or(Role::Reader),
                author_id,
            }),
            _ => Err(AppError::Unauthenticated(
                "the access token is invalid or expired".into(),
            )),
        }
    }

    fn session(&self, user: UserRecord, refresh_token: String) -> AppResult<Session> {
        let keys = self
            .content
            .keys
            .as_ref()
            .ok_or_else(|| AppError::Internal("no signing key configured".into()))?;
        let access_token = keys.issue(&UserActor {
            id: user.id,
            role: user.role,
            author_id: user.author_id,
        })?;
        Ok(Session {
            access_token,
            token_type: "Bearer",
            expires_in: keys.ttl_secs(),
            refresh_token,
            user,
        })
    }
}

/// Revokes every live refresh token of a user (their account was disabled).
pub(super) async fn revoke_all(
    conn: &impl ConnectionTrait,
    user_id: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Some(at)))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
