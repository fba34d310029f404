//! The query root: the areas merged into one type.

use async_graphql::MergedObject;

use super::accounts::AccountQuery;
use super::articles::ArticleQuery;
use super::catalogue::CatalogueQuery;
use super::comment_mutations::ModerationQuery;
use super::editorial::EditorialQuery;
use super::node::NodeQuery;
use super::webhooks::WebhookQuery;

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    ArticleQuery,
    CatalogueQuery,
    NodeQuery,
    AccountQuery,
    EditorialQuery,
    ModerationQuery,
    WebhookQuery,
);
