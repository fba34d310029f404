//! `users`: staff and reader accounts. `role` is one of `admin`, `editor`, `author`,
//! `reader` (CHECK constraint); `author_id` links a staff account to its public byline.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub email: String,
    #[sea_orm(column_type = "Text")]
    pub password_hash: String,
    #[sea_orm(column_type = "Text")]
    pub display_name: String,
    #[sea_orm(column_type = "Text")]
    pub role: String,
    pub author_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
    pub disabled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::author::Entity",
        from = "Column::AuthorId",
        to = "super::author::Column::Id",
        on_delete = "SetNull"
    )]
    Author,
    #[sea_orm(has_many = "super::refresh_token::Entity")]
    RefreshToken,
    #[sea_orm(has_many = "super::api_key::Entity", via_rel = "Relation::Creator")]
    ApiKey,
    /// Comments written by this user.
    #[sea_orm(has_many = "super::comment::Entity", via_rel = "Relation::User")]
    Comment,
    /// Comments last moderated by this user.
    #[sea_orm(has_many = "super::comment::Entity", via_rel = "Relation::Moderator")]
    ModeratedComment,
    #[sea_orm(
        has_many = "super::comment_moderation::Entity",
        via_rel = "Relation::Actor"
    )]
    CommentModeration,
    #[sea_orm(
        has_many = "super::comment_flag::Entity",
        via_rel = "Relation::Reporter"
    )]
    CommentFlag,
    #[sea_orm(has_many = "super::webhook::Entity", via_rel = "Relation::Creator")]
    Webhook,
}

impl Related<super::author::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl Related<super::refresh_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::RefreshToken.def()
    }
}

impl Related<super::api_key::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiKey.def()
    }
}

/// The comments the user wrote (not those they moderated: use `Relation::ModeratedComment`).
impl Related<super::comment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl Related<super::comment_moderation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CommentModeration.def()
    }
}

impl Related<super::comment_flag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CommentFlag.def()
    }
}

impl Related<super::webhook::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Webhook.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
