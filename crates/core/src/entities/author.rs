//! `authors`: public bylines, credited on articles through `article_authors`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "authors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(column_type = "Text", unique)]
    pub slug: String,
    #[sea_orm(column_type = "Text")]
    pub display_name: String,
    #[sea_orm(column_type = "Text")]
    pub bio: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub avatar_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::article_author::Entity")]
    ArticleAuthor,
    #[sea_orm(has_many = "super::user::Entity")]
    User,
}

impl Related<super::article_author::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ArticleAuthor.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::article::Entity> for Entity {
    fn to() -> RelationDef {
        super::article_author::Relation::Article.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::article_author::Relation::Author.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
