//! `comment_emails`: a guest commenter's email (normalised as `comments.author_email`), its
//! confirmation (`confirmed_at`, the hash of the guest key given then), the hash of the
//! current link's token, and the confirmation email as an outbox row (`status`, `attempts`,
//! `next_attempt_at`, as in `shares`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comment_emails")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub email: String,
    pub confirmed_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub key_hash: Option<String>,
    #[sea_orm(column_type = "Text", nullable, unique)]
    pub token_hash: Option<String>,
    pub token_expires_at: Option<DateTimeUtc>,
    pub token_used_at: Option<DateTimeUtc>,
    pub requested_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub next_attempt_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
