//! `articles`. `status` is one of `draft`, `scheduled`, `published`, `archived` (CHECK
//! constraint); the PostgreSQL-only generated `search_vector` column is not mapped.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "articles")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub slug: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub standfirst: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    #[sea_orm(column_type = "Text")]
    pub body_html: String,
    #[sea_orm(column_type = "Text")]
    pub body_text: String,
    #[sea_orm(column_type = "Text")]
    pub language: String,
    #[sea_orm(column_type = "Text")]
    pub status: String,
    pub published_at: Option<DateTimeUtc>,
    /// When the article first became (or, scheduled, becomes) public; `None` while it never
    /// has been: partner sync lists only articles past this time.
    pub first_public_at: Option<DateTimeUtc>,
    pub rubric_id: i64,
    #[sea_orm(column_type = "Text", nullable)]
    pub featured_image_url: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub featured_image_alt: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub seo_title: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub seo_description: Option<String>,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub version: i32,
    /// A user id, without a foreign key.
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub deleted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::rubric::Entity",
        from = "Column::RubricId",
        to = "super::rubric::Column::Id",
        on_delete = "Restrict"
    )]
    Rubric,
    #[sea_orm(has_many = "super::article_author::Entity")]
    ArticleAuthor,
    #[sea_orm(has_many = "super::article_tag::Entity")]
    ArticleTag,
    #[sea_orm(has_many = "super::article_source::Entity")]
    ArticleSource,
    #[sea_orm(has_many = "super::article_revision::Entity")]
    ArticleRevision,
    #[sea_orm(has_many = "super::comment::Entity")]
    Comment,
    #[sea_orm(has_many = "super::share::Entity")]
    Share,
}

impl Related<super::rubric::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Rubric.def()
    }
}

impl Related<super::article_author::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleAuthor.def()
    }
}

impl Related<super::article_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleTag.def()
    }
}

impl Related<super::article_source::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleSource.def()
    }
}

impl Related<super::article_revision::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleRevision.def()
    }
}

impl Related<super::comment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Comment.def()
    }
}

impl Related<super::share::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Share.def()
    }
}

impl Related<super::author::Entity> for Entity {
    fn to() -> RelationDef {
        super::article_author::Relation::Author.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::article_author::Relation::Article.def().rev())
    }
}

impl Related<super::tag::Entity> for Entity {
    fn to() -> RelationDef {
        super::article_tag::Relation::Tag.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::article_tag::Relation::Article.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
