//! Rubrics, authors, tags and sources in GraphQL, and their queries. Their article lists
//! are loaded for all siblings at once.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};

use super::articles::{ArticleConnection, article_connection, parts_for_items};
use super::batch::Siblings;
use super::common::*;
use crate::content::articles::{ArticleFilter, ArticleGroup, ArticleOrder, AuthorRef, RubricRef};
use crate::content::catalogue::{AuthorRecord, RubricRecord, SourceRecord, TagRecord};
use crate::content::ids::{self, Kind};
use crate::content::pagination::PageArgs;

/// The article lists of a group of siblings (rubrics, authors or tags), loaded at once.
#[allow(clippy::too_many_arguments)]
async fn grouped_articles(
    ctx: &Context<'_>,
    siblings: &Siblings,
    group: ArticleGroup,
    id: i64,
    args: PageArgs,
    filter: Option<ArticleFilter>,
    order: ArticleOrder,
) -> GqlResult<ArticleConnection> {
    let page = page_request(ctx, args.clone())?;
    let filter = filter.unwrap_or_default();
    let with_total = selects(ctx, &["totalCount"]);
    let parts = parts_for_items(ctx);
    let viewer = viewer(ctx);
    let key = format!("articles:{args:?}:{filter:?}:{order:?}:{with_total}:{parts:?}");
    let pages = siblings
        .load(&key, |ids| async move {
            let pages = content(ctx)
                .articles()
                .list_grouped(
                    &viewer, group, &ids, &filter, order, &page, with_total, parts,
                )
                .await?;
            Ok(pages
                .into_iter()
                .map(|(id, p)| (id, article_connection(p)))
                .collect::<HashMap<_, _>>())
        })
        .await
        .map_err(gql)?;
    Ok(pages
        .get(&id)
        .cloned()
        .unwrap_or_else(|| article_connection(crate::content::pagination::Page::empty())))
}

/// A section of the magazine.
#[derive(Clone)]
pub struct RubricNode {
    id: i64,
    slug: String,
    name: String,
    full: Option<Arc<RubricRecord>>,
    siblings: Arc<Siblings>,
}

impl RubricNode {
    pub(crate) fn from_ref(r: &RubricRef, siblings: Arc<Siblings>) -> Self {
        Self {
            id: r.id,
            slug: r.slug.clone(),
            name: r.name.clone(),
            full: None,
            siblings,
        }
    }

    pub(crate) fn from_record(r: RubricRecord, siblings: Arc<Siblings>) -> Self {
        Self {
            id: r.id,
            slug: r.slug.clone(),
            name: r.name.clone(),
            full: Some(Arc::new(r)),
            siblings,
        }
    }

    pub(crate) fn list(records: Vec<RubricRecord>) -> Vec<Self> {
        let siblings = Siblings::new(records.iter().map(|r| r.id).collect());
        records
            .into_iter()
            .map(|r| Self::from_record(r, siblings.clone()))
            .collect()
    }

    async fn full(&self, ctx: &Context<'_>) -> GqlResult<Arc<RubricRecord>> {
        if let Some(full) = &self.full {
            return Ok(full.clone());
        }
        let all: Arc<HashMap<i64, Arc<RubricRecord>>> = self
            .siblings
            .load("rubric", |ids| async move {
                let records = content(ctx).catalogue().rubrics_by_ids(&ids).await?;
                Ok(records.into_iter().map(|r| (r.id, Arc::new(r))).collect())
            })
            .await
            .map_err(gql)?;
        all.get(&self.id)
            .cloned()
            .ok_or_else(|| gql(crate::error::AppError::not_found("rubric")))
    }
}

#[Object(name = "Rubric")]
impl RubricNode {
    pub async fn id(&self) -> ID {
        ID(ids::encode(Kind::Rubric, self.id))
    }
    async fn slug(&self) -> &str {
        &self.slug
    }
    async fn name(&self) -> &str {
        &self.name
    }
    async fn description(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(self.full(ctx).await?.description.clone())
    }
    /// Position in the navigation (ascending).
    async fn position(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        Ok(self.full(ctx).await?.position)
    }
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<RubricNode>> {
        let Some(parent_id) = self.full(ctx).await?.parent_id else {
            return Ok(None);
        };
        let parents = content(ctx)
            .catalogue()
            .rubrics_by_ids(&[parent_id])
            .await
            .map_err(gql)?;
        Ok(RubricNode::list(parents).into_iter().next())
    }
    /// The rubric's published articles.
    #[graphql(complexity = "connection_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ArticleFilter>,
        order_by: Option<ArticleOrder>,
    ) -> GqlResult<ArticleConnection> {
        let args = page_args(first, after, last, before);
        grouped_articles(
            ctx,
            &self.siblings,
            ArticleGroup::Rubric,
            self.id,
            args,
            filter,
            order_by.unwrap_or_default(),
        )
        .await
    }
}

/// A public byline.
#[derive(Clone)]
pub struct AuthorNode {
    id: i64,
    slug: String,
    display_name: String,
    avatar_url: Option<String>,
    bio: Option<String>,
    siblings: Arc<Siblings>,
}

impl AuthorNode {
    pub(crate) fn from_ref(a: &AuthorRef, siblings: Arc<Siblings>) -> Self {
        Self {
            id: a.id,
            slug: a.slug.clone(),
            display_name: a.display_name.clone(),
            avatar_url: a.avatar_url.clone(),
            bio: a.bio.clone(),
            siblings,
        }
    }

    pub(crate) fn list(records: Vec<AuthorRecord>) -> Vec<Self> {
        let siblings = Siblings::new(records.iter().map(|a| a.id).collect());
        records
            .into_iter()
            .map(|a| Self {
                id: a.id,
                slug: a.slug,
                display_name: a.display_name,
                avatar_url: a.avatar_url,
                bio: Some(a.bio),
                siblings: siblings.clone(),
            })
            .collect()
    }
}

#[Object(name = "Author")]
impl AuthorNode {
    pub async fn id(&self) -> ID {
        ID(ids::encode(Kind::Author, self.id))
    }
    async fn slug(&self) -> &str {
        &self.slug
    }
    /// The name shown in bylines.
    async fn name(&self) -> &str {
        &self.display_name
    }
    async fn avatar_url(&self) -> Option<&str> {
        self.avatar_url.as_deref()
    }
    async fn bio(&self, ctx: &Context<'_>) -> GqlResult<String> {
        if let Some(bio) = &self.bio {
            return Ok(bio.clone());
        }
        let bios: Arc<HashMap<i64, String>> = self
            .siblings
            .load("bio", |ids| async move {
                let records = content(ctx).catalogue().authors_by_ids(&ids).await?;
                Ok(records.into_iter().map(|a| (a.id, a.bio)).collect())
            })
            .await
            .map_err(gql)?;
        Ok(bios.get(&self.id).cloned().unwrap_or_default())
    }
    /// The author's published articles.
    #[graphql(complexity = "connection_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ArticleFilter>,
        order_by: Option<ArticleOrder>,
    ) -> GqlResult<ArticleConnection> {
        let args = page_args(first, after, last, before);
        grouped_articles(
            ctx,
            &self.siblings,
            ArticleGroup::Author,
            self.id,
            args,
            filter,
            order_by.unwrap_or_default(),
        )
        .await
    }
}

/// A tag (topic) shared by articles.
#[derive(Clone)]
pub struct TagNode {
    record: TagRecord,
    siblings: Arc<Siblings>,
}

impl TagNode {
    pub(crate) fn list(records: Vec<TagRecord>) -> Vec<Self> {
        let siblings = Siblings::new(records.iter().map(|t| t.id).collect());
        records
            .into_iter()
            .map(|record| Self {
                record,
                siblings: siblings.clone(),
            })
            .collect()
    }
}

#[Object(name = "Tag")]
impl TagNode {
    pub async fn id(&self) -> ID {
        ID(ids::encode(Kind::Tag, self.record.id))
    }
    async fn slug(&self) -> &str {
        &self.record.slug
    }
    async fn name(&self) -> &str {
        &self.record.name
    }
    /// Published articles with this tag.
    #[graphql(complexity = "connection_cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn articles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ArticleFilter>,
        order_by: Option<ArticleOrder>,
    ) -> GqlResult<ArticleConnection> {
        let args = page_args(first, after, last, before);
        grouped_articles(
            ctx,
            &self.siblings,
            ArticleGroup::Tag,
            self.record.id,
            args,
            filter,
            order_by.unwrap_or_default(),
        )
        .await
    }
}

/// A source cited by an article.
#[derive(SimpleObject, Clone)]
#[graphql(name = "Source")]
pub struct SourceNode {
    pub name: String,
    pub url: Option<String>,
}

impl From<SourceRecord> for SourceNode {
    fn from(s: SourceRecord) -> Self {
        Self {
            name: s.name,
            url: s.url,
        }
    }
}

#[derive(Default)]
pub struct CatalogueQuery;

#[Object]
impl CatalogueQuery {
    /// Every rubric, in navigation order.
    async fn rubrics(&self, ctx: &Context<'_>) -> GqlResult<Vec<RubricNode>> {
        Ok(RubricNode::list(
            content(ctx).catalogue().rubrics().await.map_err(gql)?,
        ))
    }
    async fn rubric(&self, ctx: &Context<'_>, slug: String) -> GqlResult<Option<RubricNode>> {
        let found = content(ctx)
            .catalogue()
            .rubric_by_slug(&slug)
            .await
            .map_err(gql)?;
        Ok(found.map(|r| RubricNode::list(vec![r]).remove(0)))
    }
    /// Authors, alphabetically.
    #[graphql(complexity = "connection_cost(first, last, child_complexity)")]
    async fn authors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<AuthorConnection> {
        let page = page_request(ctx, page_args(first, after, last, before))?;
        let page = content(ctx).catalogue().authors(&page).await.map_err(gql)?;
        let cursors: Vec<String> = page.items.iter().map(|(c, _)| c.encode()).collect();
        let nodes = AuthorNode::list(page.items.into_iter().map(|(_, a)| a).collect());
        Ok(AuthorConnection {
            edges: cursors
                .into_iter()
                .zip(nodes.iter().cloned())
                .map(|(cursor, node)| AuthorEdge { cursor, node })
                .collect(),
            nodes,
            page_info: page.info.into(),
            total_count: page.total.unwrap_or(0),
        })
    }
    async fn author(&self, ctx: &Context<'_>, slug: String) -> GqlResult<Option<AuthorNode>> {
        let found = content(ctx)
            .catalogue()
            .author_by_slug(&slug)
            .await
            .map_err(gql)?;
        Ok(found.map(|a| AuthorNode::list(vec![a]).remove(0)))
    }
    /// Every tag, alphabetically.
    async fn tags(&self, ctx: &Context<'_>) -> GqlResult<Vec<TagNode>> {
        Ok(TagNode::list(
            content(ctx).catalogue().tags().await.map_err(gql)?,
        ))
    }
    async fn tag(&self, ctx: &Context<'_>, slug: String) -> GqlResult<Option<TagNode>> {
        let found = content(ctx)
            .catalogue()
            .tag_by_slug(&slug)
            .await
            .map_err(gql)?;
        Ok(found.map(|t| TagNode::list(vec![t]).remove(0)))
    }
}

#[derive(SimpleObject, Clone)]
pub struct AuthorConnection {
    pub edges: Vec<AuthorEdge>,
    pub nodes: Vec<AuthorNode>,
    pub page_info: PageInfo,
    pub total_count: i64,
}

#[derive(SimpleObject, Clone)]
pub struct AuthorEdge {
    pub cursor: String,
    pub node: AuthorNode,
}
