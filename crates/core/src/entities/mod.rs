//! SeaORM entities: the database's shape, one module per table (see `migrations/`), no behaviour.

pub mod api_key;
pub mod article;
pub mod article_author;
pub mod article_revision;
pub mod article_source;
pub mod article_tag;
pub mod article_tombstone;
pub mod author;
pub mod comment;
pub mod comment_email;
pub mod comment_flag;
pub mod comment_moderation;
pub mod idempotency_key;
pub mod refresh_token;
pub mod rubric;
pub mod share;
pub mod tag;
pub mod trusted_document;
pub mod user;
pub mod webhook;
pub mod webhook_delivery;

/// Each table's `Entity`, under the table's singular name.
pub mod prelude {
    pub use super::api_key::Entity as ApiKey;
    pub use super::article::Entity as Article;
    pub use super::article_author::Entity as ArticleAuthor;
    pub use super::article_revision::Entity as ArticleRevision;
    pub use super::article_source::Entity as ArticleSource;
    pub use super::article_tag::Entity as ArticleTag;
    pub use super::article_tombstone::Entity as ArticleTombstone;
    pub use super::author::Entity as Author;
    pub use super::comment::Entity as Comment;
    pub use super::comment_email::Entity as CommentEmail;
    pub use super::comment_flag::Entity as CommentFlag;
    pub use super::comment_moderation::Entity as CommentModeration;
    pub use super::idempotency_key::Entity as IdempotencyKey;
    pub use super::refresh_token::Entity as RefreshToken;
    pub use super::rubric::Entity as Rubric;
    pub use super::share::Entity as Share;
    pub use super::tag::Entity as Tag;
    pub use super::trusted_document::Entity as TrustedDocument;
    pub use super::user::Entity as User;
    pub use super::webhook::Entity as Webhook;
    pub use super::webhook_delivery::Entity as WebhookDelivery;
}

#[cfg(test)]
mod tests {
    use super::prelude::*;
    use sea_orm::EntityName;

    #[test]
    fn every_entity_maps_its_table() {
        let tables = [
            (Rubric.table_name(), "rubrics"),
            (Author.table_name(), "authors"),
            (Tag.table_name(), "tags"),
            (Article.table_name(), "articles"),
            (ArticleAuthor.table_name(), "article_authors"),
            (ArticleTag.table_name(), "article_tags"),
            (ArticleSource.table_name(), "article_sources"),
            (ArticleRevision.table_name(), "article_revisions"),
            (User.table_name(), "users"),
            (RefreshToken.table_name(), "refresh_tokens"),
            (ApiKey.table_name(), "api_keys"),
            (Comment.table_name(), "comments"),
            (CommentModeration.table_name(), "comment_moderations"),
            (CommentFlag.table_name(), "comment_flags"),
            (Share.table_name(), "shares"),
            (Webhook.table_name(), "webhooks"),
            (WebhookDelivery.table_name(), "webhook_deliveries"),
            (IdempotencyKey.table_name(), "idempotency_keys"),
        ];
        for (actual, expected) in tables {
            assert_eq!(actual, expected);
        }
    }
}
