//! The Relay `Node` interface: any object by its global id.

use async_graphql::{Context, ID, Interface, Object};

use super::articles::{ArticleNode, article_nodes};
use super::catalogue::{AuthorNode, RubricNode, TagNode};
use super::comments::{CommentNode, comment_nodes};
use super::common::*;
use crate::content::articles::{ArticleParts, BodyFormats};
use crate::content::ids::{self, Kind};
use crate::error::AppError;

#[derive(Interface, Clone)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Article(ArticleNode),
    Author(AuthorNode),
    Rubric(RubricNode),
    Tag(TagNode),
    Comment(CommentNode),
}

/// Fetches nodes of one kind in one statement.
async fn fetch(ctx: &Context<'_>, kind: Kind, ids: &[i64]) -> Result<Vec<(i64, Node)>, AppError> {
    let content = content(ctx);
    let viewer = viewer(ctx);
    Ok(match kind {
        Kind::Article => {
            let parts = ArticleParts {
                body: BodyFormats::ALL,
                author_bio: true,
                lean: false,
            };
            let found = content.articles().find_by_ids(&viewer, ids, parts).await?;
            article_nodes(found)
                .into_iter()
                .map(|n| (n.record.id, Node::Article(n)))
                .collect()
        }
        Kind::Author => {
            let found = content.catalogue().authors_by_ids(ids).await?;
            let keys: Vec<i64> = found.iter().map(|a| a.id).collect();
            keys.into_iter()
                .zip(AuthorNode::list(found))
                .map(|(id, n)| (id, Node::Author(n)))
                .collect()
        }
        Kind::Rubric => {
            let found = content.catalogue().rubrics_by_ids(ids).await?;
            let keys: Vec<i64> = found.iter().map(|r| r.id).collect();
            keys.into_iter()
                .zip(RubricNode::list(found))
                .map(|(id, n)| (id, Node::Rubric(n)))
                .collect()
        }
        Kind::Tag => {
            let found = content.catalogue().tags_by_ids(ids).await?;
            let keys: Vec<i64> = found.iter().map(|t| t.id).collect();
            keys.into_iter()
                .zip(TagNode::list(found))
                .map(|(id, n)| (id, Node::Tag(n)))
                .collect()
        }
        Kind::Comment => {
            let found = content.comments().find_by_ids(&viewer, ids).await?;
            comment_nodes(found)
                .into_iter()
                .map(|n| (n.record.id, Node::Comment(n)))
                .collect()
        }
    })
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id; null when it does not exist or is not visible.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Node>> {
        let (kind, id) = ids::decode("id", &id).map_err(gql)?;
        Ok(fetch(ctx, kind, &[id])
            .await
            .map_err(gql)?
            .into_iter()
            .next()
            .map(|(_, n)| n))
    }

    /// Several objects by global id, in the order asked (null where not visible); one
    /// statement per kind.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> GqlResult<Vec<Option<Node>>> {
        let max = content(ctx).max_page_size as usize;
        if ids.len() > max {
            return Err(gql(AppError::invalid(
                "ids",
                format!("at most {max} ids at once"),
            )));
        }
        let decoded: Vec<(Kind, i64)> = ids
            .iter()
            .map(|id| ids::decode("ids", id))
            .collect::<Result<_, _>>()
            .map_err(gql)?;
        let mut found = std::collections::HashMap::new();
        for kind in [
            Kind::Article,
            Kind::Author,
            Kind::Rubric,
            Kind::Tag,
            Kind::Comment,
        ] {
            let wanted: Vec<i64> = decoded
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, id)| *id)
                .collect();
            if !wanted.is_empty() {
                for (id, node) in fetch(ctx, kind, &wanted).await.map_err(gql)? {
                    found.insert((kind, id), node);
                }
            }
        }
        Ok(decoded.iter().map(|key| found.get(key).cloned()).collect())
    }
}
