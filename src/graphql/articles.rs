//! Articles in GraphQL: the `Article` type, its connection, and the article queries.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::batch::Siblings;
use super::catalogue::{AuthorNode, RubricNode, SourceNode, TagNode};
use super::comments::{CommentConnection, comment_connection};
use super::common::*;
use crate::content::articles::{
    Adjacent, ArticleBody, ArticleFilter, ArticleOrder, ArticleParts, ArticleRecord, ArticleStatus,
    BodyFormats,
};
use crate::content::catalogue::{SourceRecord, TagRecord};
use crate::content::comments::CommentScope;
use crate::content::ids::{self, Kind};
use crate::content::pagination::Page;

/// The articles of one list: the siblings that batch their relations, and the records
/// (to derive the sibling sets of their authors and rubrics).
pub(crate) struct ArticleBatch {
    siblings: Arc<Siblings>,
    records: Vec<Arc<ArticleRecord>>,
}

#[derive(Clone)]
pub struct ArticleNode {
    pub(crate) record: Arc<ArticleRecord>,
    batch: Arc<ArticleBatch>,
}

/// Wraps the articles of one list so that they batch their relations together.
pub(crate) fn article_nodes(records: Vec<ArticleRecord>) -> Vec<ArticleNode> {
    let records: Vec<Arc<ArticleRecord>> = records.into_iter().map(Arc::new).collect();
    let batch = Arc::new(ArticleBatch {
        siblings: Siblings::new(records.iter().map(|r| r.id).collect()),
        records: records.clone(),
    });
    records
        .into_iter()
        .map(|record| ArticleNode {
            record,
            batch: batch.clone(),
        })
        .collect()
}

pub(crate) fn article_connection(page: Page<ArticleRecord>) -> ArticleConnection {
    let cursors: Vec<String> = page.items.iter().map(|(c, _)| c.encode()).collect();
    let nodes = article_nodes(page.items.into_iter().map(|(_, a)| a).collect());
    ArticleConnection {
        edges: cursors
            .into_iter()
            .zip(nodes.iter().cloned())
            .map(|(cursor, node)| ArticleEdge { cursor, node })
            .collect(),
        nodes,
        page_info: page.info.into(),
        total_count: page.total,
    }
}

/// The parts of an article that the selection of a list needs.
pub(crate) fn parts_for_items(ctx: &Context<'_>) -> ArticleParts {
    ArticleParts {
        body: BodyFormats::all_if(item_selects(ctx, &["body"])),
        author_bio: item_selects(ctx, &["authors", "bio"]),
        lean: false,
    }
}

fn parts_for_list(ctx: &Context<'_>) -> ArticleParts {
    ArticleParts {
        body: BodyFormats::all_if(selects(ctx, &["body"])),
        author_bio: selects(ctx, &["authors", "bio"]),
        lean: false,
    }
}

/// How many articles `related` and `moreInRubric` list by default (the fast path reads it
/// too).
pub const RELATED_DEFAULT: i32 = 5;

#[derive(Enum, Copy, Clone, PartialEq, Eq, Default)]
pub enum BodyFormat {
    /// The Markdown source, as written by the newsroom.
    #[default]
    Markdown,
    /// Sanitised HTML (no scripts, no event handlers, safe links).
    Html,
    /// Plain text, paragraphs separated by blank lines.
    Text,
}

#[derive(SimpleObject)]
pub struct FeaturedImage {
    pub url: String,
    pub alt: Option<String>,
}

#[derive(SimpleObject)]
pub struct Seo {
    /// The SEO title, or the title.
    pub title: String,
    /// The SEO description, or the standfirst.
    pub description: String,
}

/// An article of the magazine.
#[Object(name = "Article")]
impl ArticleNode {
    pub async fn id(&self) -> ID {
        ID(ids::encode(Kind::Article, self.record.id))
    }
    async fn slug(&self) -> &str {
        &self.record.slug
    }
    async fn title(&self) -> &str {
        &self.record.title
    }
    /// The lead paragraph.
    async fn standfirst(&self) -> &str {
        &self.record.standfirst
    }
    /// ISO 639-1 language code (`fr`, `en`).
    async fn language(&self) -> &str {
        &self.record.language
    }
    async fn status(&self) -> ArticleStatus {
        self.record.status
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.record.published_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.record.updated_at
    }
    async fn word_count(&self) -> i32 {
        self.record.word_count
    }
    /// Estimated reading time, in minutes (230 words a minute).
    async fn reading_time_minutes(&self) -> i32 {
        self.record.reading_time_minutes
    }
    /// The edit version (optimistic concurrency on the write side).
    async fn version(&self) -> i32 {
        self.record.version
    }
    async fn featured_image(&self) -> Option<FeaturedImage> {
        self.record
            .featured_image_url
            .clone()
            .map(|url| FeaturedImage {
                url,
                alt: self.record.featured_image_alt.clone(),
            })
    }
    async fn seo(&self) -> Seo {
        Seo {
            title: self.record.seo_title().to_owned(),
            description: self.record.seo_description().to_owned(),
        }
    }
    /// The body, in the format asked for.
    async fn body(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] format: BodyFormat,
    ) -> GqlResult<String> {
        let body = match &self.record.body {
            Some(body) => body.clone(),
            None => {
                let viewer = viewer(ctx);
                let bodies: Arc<HashMap<i64, ArticleBody>> = self
                    .batch
                    .siblings
                    .load("body", |ids| async move {
                        let parts = ArticleParts {
                            body: BodyFormats::ALL,
                            author_bio: false,
                            lean: false,
                        };
                        let records = content(ctx)
                            .articles()
                            .find_by_ids(&viewer, &ids, parts)
                            .await?;
                        Ok(records
                            .into_iter()
                            .filter_map(|r| r.body.map(|b| (r.id, b)))
                            .collect())
                    })
                    .await
                    .map_err(gql)?;
                bodies.get(&self.record.id).cloned().unwrap_or(ArticleBody {
                    markdown: String::new(),
                    html: String::new(),
                    text: String::new(),
                })
            }
        };
        Ok(match format {
            BodyFormat::Markdown => body.markdown,
            BodyFormat::Html => body.html,
            BodyFormat::Text => body.text,
        })
    }
    async fn rubric(&self) -> RubricNode {
        let siblings = self.batch.siblings.derived("rubrics", || {
            self.batch.records.iter().map(|r| r.rubric.id).collect()
        });
        RubricNode::from_ref(&self.record.rubric, siblings)
    }
    /// The byline, in order.
    async fn authors(&self) -> Vec<AuthorNode> {
        let siblings = self.batch.siblings.derived("authors", || {
            self.batch
                .records
                .iter()
                .flat_map(|r| r.authors.iter().map(|a| a.id))
                .collect()
        });
        self.record
            .authors
            .iter()
            .map(|a| AuthorNode::from_ref(a, siblings.clone()))
            .collect()
    }
    async fn tags(&self, ctx: &Context<'_>) -> GqlResult<Vec<TagNode>> {
        let tags: Arc<HashMap<i64, Vec<TagRecord>>> = self
            .batch
            .siblings
            .load("tags", |ids| async move {
                content(ctx).catalogue().tags_of_articles(&ids).await
            })
            .await
            .map_err(gql)?;
        Ok(TagNode::list(
            tags.get(&self.record.id).cloned().unwrap_or_default(),
        ))
    }
    /// Cited sources, in order.
    async fn sources(&self, ctx: &Context<'_>) -> GqlResult<Vec<SourceNode>> {
        let sources: Arc<HashMap<i64, Vec<SourceRecord>>> = self
            .batch
            .siblings
            .load("sources", |ids| async move {
                content(ctx).catalogue().sources_of_articles(&ids).await
            })
            .await
            .map_err(gql)?;
        Ok(sources
            .get(&self.record.id)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(SourceNode::from)
            .collect())
    }
    /// The number of published (approved) comments.
    async fn comment_count(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        let viewer = viewer(ctx);
        let counts: Arc<HashMap<i64, i64>> = self
            .batch
            .siblings
            .load("commentCount", |ids| async move {
                content(ctx)
                    .comments()
                    .counts(&viewer, &ids, CommentScope::All)
                    .await
            })
            .await
            .map_err(gql)?;
        Ok(counts.get(&self.record.id).copied().unwrap_or(0))
    }
    /// Published comments, oldest first, flat (each knows its parent).
    #[graphql(complexity = "connection_cost(first, last, child_complexity)")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CommentConnection> {
        self.comment_list(
            ctx,
            CommentScope::All,
            page_args(first, after, last, before),
        )
        .await
    }
    /// Thread starters, oldest first; follow `replies` for the conversation.
    #[graphql(complexity = "connection_cost(first, last, child_complexity)")]
    async fn comment_threads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> GqlResult<CommentConnection> {
        self.comment_list(
            ctx,
            CommentScope::Threads,
            page_args(first, after, last, before),
        )
        .await
    }
    /// "More in this rubric": the latest of the same rubric, then articles of other rubrics
    /// sharing the most tags.
    #[graphql(complexity = "(first.clamp(0, 100) as usize) * child_complexity + 1")]
    async fn related(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "RELATED_DEFAULT")] first: i32,
    ) -> GqlResult<Vec<ArticleNode>> {
        self.related_list(ctx, first, true).await
    }
    /// The latest other articles of the same rubric.
    #[graphql(complexity = "(first.clamp(0, 100) as usize) * child_complexity + 1")]
    async fn more_in_rubric(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "RELATED_DEFAULT")] first: i32,
    ) -> GqlResult<Vec<ArticleNode>> {
        self.related_list(ctx, first, false).await
    }
    /// The article published just before this one in its rubric.
    async fn previous(&self, ctx: &Context<'_>) -> GqlResult<Option<ArticleNode>> {
        Ok(self.adjacent(ctx).await?.0)
    }
    /// The article published just after this one in its rubric.
    async fn next(&self, ctx: &Context<'_>) -> GqlResult<Option<ArticleNode>> {
        Ok(self.adjacent(ctx).await?.1)
    }
}

/// Puts the articles of several per-source lists into one batch.
fn share_batch(by_source: HashMap<i64, Vec<ArticleRecord>>) -> HashMap<i64, Vec<ArticleNode>> {
    let mut sources = Vec::new();
    let mut all = Vec::new();
    for (source, list) in by_source {
        sources.push((source, list.len()));
        all.extend(list);
    }
    let mut nodes = article_nodes(all).into_iter();
    sources
        .into_iter()
        .map(|(source, n)| (source, nodes.by_ref().take(n).collect()))
        .collect()
}

impl ArticleNode {
    /// `related` (tags as a fallback) or `moreInRubric` (same rubric only), batched.
    async fn related_list(
        &self,
        ctx: &Context<'_>,
        first: i32,
        with_tags: bool,
    ) -> GqlResult<Vec<ArticleNode>> {
        let content = content(ctx);
        let first = content.bounded("first", first.into()).map_err(gql)?;
        let viewer = viewer(ctx);
        let parts = parts_for_list(ctx);
        let key = format!(
            "related:{with_tags}:{first}:{}:{}",
            parts.body.any(),
            parts.author_bio
        );
        let related: Arc<HashMap<i64, Vec<ArticleNode>>> = self
            .batch
            .siblings
            .load(&key, |ids| async move {
                let articles = content.articles();
                let by_source = if with_tags {
                    articles.related(&viewer, &ids, first, parts).await?
                } else {
                    articles.more_in_rubric(&viewer, &ids, first, parts).await?
                };
                Ok(share_batch(by_source))
            })
            .await
            .map_err(gql)?;
        Ok(related.get(&self.record.id).cloned().unwrap_or_default())
    }

    async fn comment_list(
        &self,
        ctx: &Context<'_>,
        scope: CommentScope,
        args: crate::content::pagination::PageArgs,
    ) -> GqlResult<CommentConnection> {
        let page = page_request(ctx, args.clone())?;
        let with_total = selects(ctx, &["totalCount"]);
        let viewer = viewer(ctx);
        let key = format!("comments:{scope:?}:{args:?}:{with_total}");
        let pages = self
            .batch
            .siblings
            .load(&key, |ids| async move {
                let pages = content(ctx)
                    .comments()
                    .for_articles(&viewer, &ids, scope, &page, with_total)
                    .await?;
                Ok(pages
                    .into_iter()
                    .map(|(id, page)| (id, comment_connection(page)))
                    .collect::<HashMap<_, _>>())
            })
            .await
            .map_err(gql)?;
        Ok(pages.get(&self.record.id).cloned().unwrap_or_default())
    }

    async fn adjacent(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<(Option<ArticleNode>, Option<ArticleNode>)> {
        let viewer = viewer(ctx);
        let parts = ArticleParts::default();
        let records = self.batch.records.clone();
        let adjacent: Arc<HashMap<i64, (Option<ArticleNode>, Option<ArticleNode>)>> = self
            .batch
            .siblings
            .load("adjacent", |_| async move {
                let sources: Vec<(i64, DateTime<Utc>)> =
                    records.iter().map(|r| (r.id, r.position().0)).collect();
                let found = content(ctx)
                    .articles()
                    .adjacent(&viewer, &sources, parts)
                    .await?;
                let mut order = Vec::new();
                let mut all = Vec::new();
                for (id, Adjacent { previous, next }) in found {
                    order.push((id, previous.is_some(), next.is_some()));
                    all.extend(previous);
                    all.extend(next);
                }
                let mut nodes = article_nodes(all).into_iter();
                Ok(order
                    .into_iter()
                    .map(|(id, p, n)| {
                        let previous = if p { nodes.next() } else { None };
                        let next = if n { nodes.next() } else { None };
                        (id, (previous, next))
                    })
                    .collect::<HashMap<_, _>>())
            })
            .await
            .map_err(gql)?;
        Ok(adjacent
            .get(&self.record.id)
            .cloned()
            .unwrap_or((None, None)))
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct ArticleConnection {
    pub edges: Vec<ArticleEdge>,
    pub nodes: Vec<ArticleNode>,
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total_count: Option<i64>,
}

#[ComplexObject]
impl ArticleConnection {
    /// The number of articles in the whole filtered list (not just this page).
    async fn total_count(&self) -> i64 {
        self.total_count.unwrap_or(0)
    }
}

#[derive(SimpleObject, Clone)]
pub struct ArticleEdge {
    pub cursor: String,
    pub node: ArticleNode,
}

/// The home page.
pub struct HomeNode {
    latest: Vec<ArticleNode>,
    rubrics: Vec<RubricSection>,
}

#[derive(SimpleObject, Clone)]
pub struct RubricSection {
    pub rubric: RubricNode,
    pub articles: Vec<ArticleNode>,
}

#[Object(name = "Home")]
impl HomeNode {
    /// The latest published articles.
    async fn latest(&self) -> &[ArticleNode] {
        &self.latest
    }
    /// Every rubric, in navigation order, with its latest articles.
    async fn rubrics(&self) -> &[RubricSection] {
        &self.rubrics
    }
}

#[derive(Default)]
pub struct ArticleQuery;

#[Object]
impl ArticleQuery {
    /// One article, by slug or by id.
    async fn article(
        &self,
        ctx: &Context<'_>,
        slug: Option<String>,
        id: Option<ID>,
    ) -> GqlResult<Option<ArticleNode>> {
        let content = content(ctx);
        let viewer = viewer(ctx);
        let parts = parts_for_list(ctx);
        let record = match (slug, id) {
            (Some(slug), None) => content.articles().find_by_slug(&viewer, &slug, parts).await,
            (None, Some(id)) => match ids::decode("id", &id).map_err(gql)? {
                (Kind::Article, id) => content
                    .articles()
                    .find_by_ids(&viewer, &[id], parts)
                    .await
                    .map(|v| v.into_iter().next()),
                _ => Ok(None),
            },
            _ => Err(crate::error::AppError::invalid(
                "slug",
                "give exactly one of slug and id",
            )),
        }
        .map_err(gql)?;
        Ok(record.map(|r| article_nodes(vec![r]).remove(0)))
    }

    /// Published articles, filtered and sorted, with cursor pagination.
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
        let page = page_request(ctx, page_args(first, after, last, before))?;
        let filter = filter.unwrap_or_default();
        let page = content(ctx)
            .articles()
            .list(
                &viewer(ctx),
                &filter,
                order_by.unwrap_or_default(),
                &page,
                selects(ctx, &["totalCount"]),
                parts_for_items(ctx),
            )
            .await
            .map_err(gql)?;
        Ok(article_connection(page))
    }

    /// Full-text search over title, standfirst and body, best matches first.
    /// Each search costs a fixed price in complexity and counts against the client's search
    /// rate limit (`RATE_LIMITED` past it).
    #[graphql(complexity = "search_cost(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ArticleFilter>,
    ) -> GqlResult<ArticleConnection> {
        let page = page_request(ctx, page_args(first, after, None, None))?;
        let filter = filter.unwrap_or_default();
        let page = content(ctx)
            .articles()
            .search_for(
                client_ip(ctx),
                &viewer(ctx),
                &query,
                &filter,
                &page,
                selects(ctx, &["totalCount"]),
                parts_for_items(ctx),
            )
            .await
            .map_err(gql)?;
        Ok(article_connection(page))
    }

    /// The home page in one round trip.
    #[graphql(
        complexity = "(latest.clamp(0, 100) as usize + per_rubric.clamp(0, 100) as usize * 10) * child_complexity + 1"
    )]
    async fn home(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] latest: i32,
        #[graphql(default = 3)] per_rubric: i32,
    ) -> GqlResult<HomeNode> {
        let parts = ArticleParts {
            body: BodyFormats::all_if(
                selects(ctx, &["latest", "body"]) || selects(ctx, &["rubrics", "articles", "body"]),
            ),
            author_bio: selects(ctx, &["latest", "authors", "bio"])
                || selects(ctx, &["rubrics", "articles", "authors", "bio"]),
            lean: false,
        };
        let home = content(ctx)
            .home(&viewer(ctx), latest.into(), per_rubric.into(), parts)
            .await
            .map_err(gql)?;
        let rubric_siblings = Siblings::new(home.rubrics.iter().map(|(r, _)| r.id).collect());
        let mut counts = Vec::new();
        let mut all = Vec::new();
        for (_, articles) in &home.rubrics {
            counts.push(articles.len());
            all.extend(articles.iter().cloned());
        }
        let mut nodes = article_nodes(all).into_iter();
        Ok(HomeNode {
            latest: article_nodes(home.latest),
            rubrics: home
                .rubrics
                .into_iter()
                .zip(counts)
                .map(|((rubric, _), n)| RubricSection {
                    rubric: RubricNode::from_record(rubric, rubric_siblings.clone()),
                    articles: nodes.by_ref().take(n).collect(),
                })
                .collect(),
        })
    }
}
