//! Where a comment stands in moderation: one enum for the services, both doors and the
//! database's text column (whose CHECK constraint allows exactly these five values).

use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Where a comment stands in moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Pending,
    Approved,
    Rejected,
    Spam,
    Deleted,
}

impl CommentStatus {
    pub const ALL: [Self; 5] = [
        Self::Pending,
        Self::Approved,
        Self::Rejected,
        Self::Spam,
        Self::Deleted,
    ];

    /// The value stored in `comments.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Spam => "spam",
            Self::Deleted => "deleted",
        }
    }

    /// A status as stored. Anything else is a fault of the data, never a default.
    pub fn parse(raw: &str) -> AppResult<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| AppError::Internal(format!("unknown comment status {raw:?}")))
    }

    /// [`CommentStatus::parse`] for a column read from a row.
    pub fn read(raw: &str) -> Result<Self, sea_orm::DbErr> {
        Self::parse(raw).map_err(|e| sea_orm::DbErr::Type(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_and_an_unknown_one_is_an_error() {
        for status in CommentStatus::ALL {
            assert_eq!(CommentStatus::parse(status.as_str()).unwrap(), status);
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::json!(status.as_str())
            );
        }
        assert!(matches!(
            CommentStatus::parse("approved "),
            Err(AppError::Internal(_))
        ));
        assert!(CommentStatus::parse("").is_err());
    }

    #[test]
    fn the_database_allows_exactly_these_statuses() {
        let migration =
            include_str!("../../../../../migrations/src/m20261125_000004_create_comments.rs");
        let allowed = "'pending', 'approved', 'rejected', 'spam', 'deleted'";
        assert!(
            migration.contains(allowed),
            "the CHECK constraint lists {allowed}"
        );
    }
}
