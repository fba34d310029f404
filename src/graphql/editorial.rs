//! The editorial mutations (articles, the publishing workflow, rubrics, authors, tags) and
//! the revision history query. Each field reads the caller and the input, calls one
//! `content::editorial` method (where permissions and validation live) and maps the result.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::articles::{ArticleNode, article_nodes};
use super::catalogue::{AuthorNode, RubricNode, TagNode};
use super::common::*;
use crate::content::articles::ArticleRecord;
use crate::content::editorial::{
    ArticleInput, ArticlePatch, AuthorInput, AuthorPatch, Expected, RevisionRecord, RubricInput,
    RubricPatch, TagInput, TagPatch, Transition,
};
use crate::content::ids::{self, Kind};
use crate::error::AppError;

fn node(record: ArticleRecord) -> GqlResult<ArticleNode> {
    article_nodes(vec![record])
        .into_iter()
        .next()
        .ok_or_else(|| gql(AppError::not_found("article")))
}

fn deleted(kind: Kind, id: i64) -> ID {
    ID(ids::encode(kind, id))
}

#[derive(Default)]
pub struct EditorialMutations;

#[Object]
impl EditorialMutations {
    /// Creates a draft. Authors must be in its byline.
    async fn create_article(
        &self,
        ctx: &Context<'_>,
        input: ArticleInput,
    ) -> GqlResult<ArticleNode> {
        let record = content(ctx)
            .editorial()
            .create_article(&actor(ctx), input)
            .await
            .map_err(gql)?;
        node(record)
    }

    /// Edits an article (`id`: global id or slug) if `version` is still its version
    /// (`CONFLICT` otherwise). Authors edit only their own drafts.
    async fn update_article(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: ArticlePatch,
    ) -> GqlResult<ArticleNode> {
        let record = content(ctx)
            .editorial()
            .update_article(&actor(ctx), &id, Expected::given(version), input)
            .await
            .map_err(gql)?;
        node(record)
    }

    /// Deletes an article with its comments and history; returns its id.
    async fn delete_article(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let id = content(ctx)
            .editorial()
            .delete_article(&actor(ctx), &id)
            .await
            .map_err(gql)?;
        Ok(deleted(Kind::Article, id))
    }

    /// Publishes now (or at its earlier publication time, if it had one in the past).
    async fn publish_article(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: Option<i32>,
    ) -> GqlResult<ArticleNode> {
        transition(ctx, &id, version, Transition::Publish).await
    }

    /// Takes a published or scheduled article back to draft.
    async fn unpublish_article(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: Option<i32>,
    ) -> GqlResult<ArticleNode> {
        transition(ctx, &id, version, Transition::Unpublish).await
    }

    /// Publishes at a future time; it stays invisible to the public until then.
    async fn schedule_article(
        &self,
        ctx: &Context<'_>,
        id: ID,
        publish_at: DateTime<Utc>,
        version: Option<i32>,
    ) -> GqlResult<ArticleNode> {
        transition(ctx, &id, version, Transition::Schedule(publish_at)).await
    }

    /// Archives an article (no longer public).
    async fn archive_article(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: Option<i32>,
    ) -> GqlResult<ArticleNode> {
        transition(ctx, &id, version, Transition::Archive).await
    }

    async fn create_rubric(&self, ctx: &Context<'_>, input: RubricInput) -> GqlResult<RubricNode> {
        let record = content(ctx)
            .editorial()
            .create_rubric(&actor(ctx), input)
            .await
            .map_err(gql)?;
        one(RubricNode::list(vec![record]))
    }

    /// `id`: global id or slug.
    async fn update_rubric(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: RubricPatch,
    ) -> GqlResult<RubricNode> {
        let record = content(ctx)
            .editorial()
            .update_rubric(&actor(ctx), &id, input)
            .await
            .map_err(gql)?;
        one(RubricNode::list(vec![record]))
    }

    /// Refused with `CONFLICT` while articles are filed under the rubric.
    async fn delete_rubric(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let id = content(ctx)
            .editorial()
            .delete_rubric(&actor(ctx), &id)
            .await
            .map_err(gql)?;
        Ok(deleted(Kind::Rubric, id))
    }

    async fn create_author(&self, ctx: &Context<'_>, input: AuthorInput) -> GqlResult<AuthorNode> {
        let record = content(ctx)
            .editorial()
            .create_author(&actor(ctx), input)
            .await
            .map_err(gql)?;
        one(AuthorNode::list(vec![record]))
    }

    async fn update_author(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: AuthorPatch,
    ) -> GqlResult<AuthorNode> {
        let record = content(ctx)
            .editorial()
            .update_author(&actor(ctx), &id, input)
            .await
            .map_err(gql)?;
        one(AuthorNode::list(vec![record]))
    }

    /// Refused with `CONFLICT` while the author signs articles.
    async fn delete_author(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let id = content(ctx)
            .editorial()
            .delete_author(&actor(ctx), &id)
            .await
            .map_err(gql)?;
        Ok(deleted(Kind::Author, id))
    }

    async fn create_tag(&self, ctx: &Context<'_>, input: TagInput) -> GqlResult<TagNode> {
        let record = content(ctx)
            .editorial()
            .create_tag(&actor(ctx), input)
            .await
            .map_err(gql)?;
        one(TagNode::list(vec![record]))
    }

    async fn update_tag(&self, ctx: &Context<'_>, id: ID, input: TagPatch) -> GqlResult<TagNode> {
        let record = content(ctx)
            .editorial()
            .update_tag(&actor(ctx), &id, input)
            .await
            .map_err(gql)?;
        one(TagNode::list(vec![record]))
    }

    /// Removes the tag from its articles too.
    async fn delete_tag(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ID> {
        let id = content(ctx)
            .editorial()
            .delete_tag(&actor(ctx), &id)
            .await
            .map_err(gql)?;
        Ok(deleted(Kind::Tag, id))
    }
}

fn one<T>(list: Vec<T>) -> GqlResult<T> {
    list.into_iter().next().ok_or_else(|| {
        gql(AppError::Internal(
            "a written record was not read back".into(),
        ))
    })
}

async fn transition(
    ctx: &Context<'_>,
    id: &str,
    version: Option<i32>,
    step: Transition,
) -> GqlResult<ArticleNode> {
    let record = content(ctx)
        .editorial()
        .transition(&actor(ctx), id, version.map(Expected::given), step)
        .await
        .map_err(gql)?;
    node(record)
}

/// One saved version of an article.
#[derive(SimpleObject)]
#[graphql(name = "ArticleRevision")]
pub struct RevisionNode {
    pub version: i32,
    /// The id of the user who saved it.
    pub editor_id: Option<i64>,
    /// The changed fields, `{"field": {"old": …, "new": …}}`.
    pub changes: Json<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl From<RevisionRecord> for RevisionNode {
    fn from(r: RevisionRecord) -> Self {
        Self {
            version: r.version,
            editor_id: r.editor_id,
            changes: Json(r.changes),
            created_at: r.created_at,
        }
    }
}

#[derive(Default)]
pub struct EditorialQuery;

#[Object]
impl EditorialQuery {
    /// The saved versions of an article (`id`: global id or slug), newest first. Staff only.
    async fn article_revisions(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Vec<RevisionNode>> {
        let records = content(ctx)
            .editorial()
            .revisions(&actor(ctx), &id)
            .await
            .map_err(gql)?;
        Ok(records.into_iter().map(RevisionNode::from).collect())
    }
}
