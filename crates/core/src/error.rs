//! One error type for the whole service and its table: each error has one machine code, one
//! HTTP status and one public message. The server renders it twice from this table (as
//! `application/problem+json`, RFC 9457, for REST and as `extensions.code` for GraphQL; see
//! the server's `problem` module). Internal details are logged once ([`AppError::log`]) and
//! never sent to the client.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("{0} not found")]
    NotFound(String),
    /// Invalid input; `field` names the offending input field (GraphQL argument path or
    /// REST query/body field).
    #[error("{message}")]
    InvalidInput {
        field: Option<String>,
        message: String,
    },
    /// A request that could not be parsed at all (malformed JSON, bad encoding).
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    /// A request body past the configured limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("too many requests, retry in {retry_after} s")]
    RateLimited { retry_after: u64 },
    #[error("the service is temporarily unavailable")]
    Unavailable,
    /// Anything else. The string is for the log only.
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    /// The machine code shared by both doors (GraphQL `extensions.code`, problem `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NOT_FOUND",
            Self::InvalidInput { .. } | Self::Malformed(_) => "BAD_USER_INPUT",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Conflict(_) | Self::PreconditionFailed(_) => "CONFLICT",
            Self::PayloadTooLarge(_) => "PAYLOAD_TOO_LARGE",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The HTTP status both doors answer with (GraphQL over HTTP too, for request errors).
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound(_) => 404,
            Self::InvalidInput { .. } => 422,
            Self::Malformed(_) => 400,
            Self::Unauthenticated(_) => 401,
            Self::Forbidden(_) => 403,
            Self::Conflict(_) => 409,
            Self::PreconditionFailed(_) => 412,
            Self::PayloadTooLarge(_) => 413,
            Self::RateLimited { .. } => 429,
            Self::Unavailable => 503,
            Self::Internal(_) => 500,
        }
    }

    /// Seconds a client should wait before retrying, where that is known.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            Self::Unavailable => Some(2),
            _ => None,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Self::InvalidInput { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The message a client may read (never internals).
    pub fn public_message(&self) -> String {
        self.to_string()
    }

    /// Logs what the operator must see (internal details, lost databases), once, where the
    /// error is rendered.
    pub fn log(&self) {
        match self {
            Self::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            Self::Unavailable => tracing::warn!("database unavailable"),
            _ => {}
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(detail)) = err.sql_err() {
            return Self::Conflict(conflict_message(&detail));
        }
        if is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            return Self::Unavailable;
        }
        Self::Internal(err.to_string())
    }
}

/// Maps a unique-constraint violation to a sentence naming the field, without echoing SQL.
fn conflict_message(detail: &str) -> String {
    for (needle, field) in [
        ("slug", "slug"),
        ("email", "email"),
        ("idempotency", "Idempotency-Key"),
    ] {
        if detail.contains(needle) {
            return format!("{field} is already taken");
        }
    }
    "this resource already exists".into()
}

/// Connection loss, pool exhaustion, server shutdown, statement timeout or a locked SQLite
/// file: the request may succeed if retried, so it is a 503, not a 500.
fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as E;
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(r) | DbErr::Exec(r) | DbErr::Query(r) => r,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return matches!(err, DbErr::Conn(_));
    };
    match sqlx.as_ref() {
        E::Io(_)
        | E::PoolTimedOut
        | E::PoolClosed
        | E::WorkerCrashed
        | E::Tls(_)
        | E::Protocol(_) => true,
        E::Database(db) => {
            let code = db.code().unwrap_or_default();
            // PostgreSQL: connection exceptions (08…), shutdown (57P0…), statement timeout
            // (57014). SQLite: SQLITE_BUSY (5) and SQLITE_LOCKED (6) with extended codes, and
            // SQLITE_INTERRUPT (9), a statement stopped at its request's deadline.
            code == "9"
                || code.starts_with("08")
                || code.starts_with("57P0")
                || code == "57014"
                || code == "53300"
                || code == "5"
                || code == "6"
                || code
                    .parse::<i32>()
                    .is_ok_and(|c| c & 0xff == 5 || c & 0xff == 6)
        }
        _ => false,
    }
}

/// A field as HTTP problem details spell it (REST's wire names): the services name fields
/// once, as GraphQL does (`perRubric`, `sources[0].name`); REST bodies and queries spell them
/// in snake_case (`per_rubric`). Applied when a problem is rendered, so that no REST answer
/// (whichever path its error took) names a field the GraphQL way.
/// Only a lower-case letter or digit followed by an upper-case one is a word boundary, so
/// snake_case names and header names (`If-Match`) pass unchanged.
pub fn rest_field_name(field: &str) -> String {
    let mut out = String::with_capacity(field.len() + 4);
    let mut previous: Option<char> = None;
    for c in field.chars() {
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
        previous = Some(c);
    }
    out
}

impl AppError {
    /// The error with its field as REST spells it ([`rest_field_name`]), in `field` and in
    /// the message that names it. Idempotent.
    pub fn spelled_for_rest(self) -> Self {
        match self {
            Self::InvalidInput {
                field: Some(field),
                message,
            } => {
                let rest = rest_field_name(&field);
                Self::InvalidInput {
                    message: message.replace(&field, &rest),
                    field: Some(rest),
                }
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_one_code_and_one_status() {
        let cases = [
            (AppError::not_found("article"), "NOT_FOUND", 404),
            (
                AppError::invalid("first", "too large"),
                "BAD_USER_INPUT",
                422,
            ),
            (
                AppError::Malformed("bad json".into()),
                "BAD_USER_INPUT",
                400,
            ),
            (
                AppError::Unauthenticated("no".into()),
                "UNAUTHENTICATED",
                401,
            ),
            (AppError::Forbidden("no".into()), "FORBIDDEN", 403),
            (AppError::Conflict("stale".into()), "CONFLICT", 409),
            (
                AppError::PreconditionFailed("stale".into()),
                "CONFLICT",
                412,
            ),
            (
                AppError::RateLimited { retry_after: 3 },
                "RATE_LIMITED",
                429,
            ),
            (AppError::Unavailable, "UNAVAILABLE", 503),
            (AppError::Internal("boom".into()), "INTERNAL", 500),
        ];
        for (err, code, status) in cases {
            assert_eq!((err.code(), err.status()), (code, status), "{err:?}");
        }
    }

    #[test]
    fn a_lost_or_refused_database_connection_is_unavailable_not_internal() {
        use sea_orm::sqlx::Error as E;
        use std::sync::Arc;
        let io = |kind| RuntimeErr::SqlxError(Arc::new(E::Io(std::io::Error::new(kind, "gone"))));
        let cases = [
            DbErr::ConnectionAcquire(sea_orm::error::ConnAcquireErr::Timeout),
            DbErr::Conn(io(std::io::ErrorKind::ConnectionRefused)),
            DbErr::Query(io(std::io::ErrorKind::ConnectionReset)),
            DbErr::Exec(io(std::io::ErrorKind::BrokenPipe)),
            DbErr::Query(RuntimeErr::SqlxError(Arc::new(E::PoolTimedOut))),
            DbErr::Query(RuntimeErr::SqlxError(Arc::new(E::Protocol(
                "expected to read 5 bytes, got 0 bytes at EOF".into(),
            )))),
        ];
        for err in cases {
            let app = AppError::from(err);
            assert!(matches!(app, AppError::Unavailable), "{app:?}");
            assert_eq!(app.retry_after(), Some(2));
        }
    }

    #[test]
    fn internal_details_are_not_public() {
        assert_eq!(
            AppError::Internal("password=hunter2".into()).public_message(),
            "internal error"
        );
    }
}
