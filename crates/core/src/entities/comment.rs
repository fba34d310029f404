//! `comments`: readers' comments, threaded through `parent_id`. `status` is one of
//! `pending`, `approved`, `rejected`, `spam`, `deleted` (CHECK constraint).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub user_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub author_name: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub author_email: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub client_hash: Option<String>,
    #[sea_orm(column_type = "Text", nullable, unique)]
    pub idempotency_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub moderated_at: Option<DateTimeUtc>,
    pub moderated_by: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub moderation_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::article::Entity",
        from = "Column::ArticleId",
        to = "super::article::Column::Id",
        on_delete = "Cascade"
    )]
    Article,
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_delete = "SetNull"
    )]
    Parent,
    #[sea_orm(has_many = "Entity", via_rel = "Relation::Parent")]
    Replies,
    /// The signed-in reader who wrote the comment, if any.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "SetNull"
    )]
    User,
    /// The staff member who last moderated the comment.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::ModeratedBy",
        to = "super::user::Column::Id",
        on_delete = "SetNull"
    )]
    Moderator,
    #[sea_orm(has_many = "super::comment_moderation::Entity")]
    CommentModeration,
    #[sea_orm(has_many = "super::comment_flag::Entity")]
    CommentFlag,
}

impl Related<super::article::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Article.def()
    }
}

/// The comment's writer (the moderator is `Relation::Moderator`).
impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
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

impl ActiveModelBehavior for ActiveModel {}
