//! Comments in GraphQL: only approved comments are ever visible to the public.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::batch::Siblings;
use super::common::*;
use crate::content::comments::CommentRecord;
use crate::content::ids::{self, Kind};
use crate::content::pagination::Page;

#[derive(Clone)]
pub struct CommentNode {
    pub(crate) record: Arc<CommentRecord>,
    siblings: Arc<Siblings>,
}

pub(crate) fn comment_nodes(records: Vec<CommentRecord>) -> Vec<CommentNode> {
    let siblings = Siblings::new(records.iter().map(|c| c.id).collect());
    records
        .into_iter()
        .map(|c| CommentNode {
            record: Arc::new(c),
            siblings: siblings.clone(),
        })
        .collect()
}

pub(crate) fn comment_connection(page: Page<CommentRecord>) -> CommentConnection {
    let cursors: Vec<String> = page.items.iter().map(|(c, _)| c.encode()).collect();
    let nodes = comment_nodes(page.items.into_iter().map(|(_, c)| c).collect());
    CommentConnection {
        edges: cursors
            .into_iter()
            .zip(nodes.iter().cloned())
            .map(|(cursor, node)| CommentEdge { cursor, node })
            .collect(),
        nodes,
        page_info: page.info.into(),
        total_count: page.total,
    }
}

/// A reader's comment.
#[Object(name = "Comment")]
impl CommentNode {
    pub async fn id(&self) -> ID {
        ID(ids::encode(Kind::Comment, self.record.id))
    }
    /// The name the reader signed with (their email is never exposed).
    async fn author_name(&self) -> &str {
        &self.record.author_name
    }
    /// Plain text.
    async fn body(&self) -> &str {
        &self.record.body
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.record.created_at
    }
    /// The comment this one answers, if it is visible.
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<CommentNode>> {
        let Some(parent_id) = self.record.parent_id else {
            return Ok(None);
        };
        let viewer = viewer(ctx);
        let parents: Arc<HashMap<i64, CommentNode>> = self
            .siblings
            .load("parent", |ids| async move {
                let found = content(ctx).comments().parents_of(&viewer, &ids).await?;
                Ok(comment_nodes(found)
                    .into_iter()
                    .map(|c| (c.record.id, c))
                    .collect())
            })
            .await
            .map_err(gql)?;
        Ok(parents.get(&parent_id).cloned())
    }
    /// Visible replies, oldest first.
    #[graphql(complexity = "(first.clamp(0, 100) as usize) * child_complexity + 1")]
    async fn replies(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> GqlResult<Vec<CommentNode>> {
        let first = content(ctx).bounded("first", first.into()).map_err(gql)?;
        let viewer = viewer(ctx);
        let replies: Arc<HashMap<i64, Vec<CommentNode>>> = self
            .siblings
            .load(&format!("replies:{first}"), |ids| async move {
                let by_parent = content(ctx)
                    .comments()
                    .replies(&viewer, &ids, first)
                    .await?;
                let mut order = Vec::new();
                let mut all = Vec::new();
                for (parent, list) in by_parent {
                    order.push((parent, list.len()));
                    all.extend(list);
                }
                let mut nodes = comment_nodes(all).into_iter();
                Ok(order
                    .into_iter()
                    .map(|(p, n)| (p, nodes.by_ref().take(n).collect()))
                    .collect())
            })
            .await
            .map_err(gql)?;
        Ok(replies.get(&self.record.id).cloned().unwrap_or_default())
    }
    async fn reply_count(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        let viewer = viewer(ctx);
        let counts: Arc<HashMap<i64, i64>> = self
            .siblings
            .load("replyCount", |ids| async move {
                content(ctx).comments().reply_counts(&viewer, &ids).await
            })
            .await
            .map_err(gql)?;
        Ok(counts.get(&self.record.id).copied().unwrap_or(0))
    }
}

#[derive(SimpleObject, Clone, Default)]
#[graphql(complex)]
pub struct CommentConnection {
    pub edges: Vec<CommentEdge>,
    pub nodes: Vec<CommentNode>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total_count: Option<i64>,
}

#[ComplexObject]
impl CommentConnection {
    async fn total_count(&self) -> i64 {
        self.total_count.unwrap_or(0)
    }
}

#[derive(SimpleObject, Clone)]
pub struct CommentEdge {
    pub cursor: String,
    pub node: CommentNode,
}
