//! Readers' comments of an article: flat (every approved comment, oldest first, each
//! naming its parent) or as threads (thread starters, their replies nested).

use std::collections::HashMap;

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::envelope::{Here, Public, envelopes};
use super::error::ApiResult;
use super::openapi::{InvalidRequest, NotFound};
use super::params::{ApiPath, ApiQuery, PageParams, flag};
use crate::app::AppState;
use crate::auth::extract::Reader;
use crate::content::Viewer;
use crate::content::articles::ArticleParts;
use crate::content::comments::{CommentRecord, CommentScope, Comments};
use crate::content::ids::{self, Kind};
use crate::error::{AppError, AppResult};

/// Replies shown under each comment in the threads view.
const REPLIES_PER_COMMENT: u32 = 50;
/// Levels of replies nested in the threads view (one statement each).
const MAX_THREAD_DEPTH: usize = 8;

envelopes! {
    list CommentList(Comment);
}

/// A reader's comment (the author's email is never exposed).
#[derive(Debug, Serialize, ToSchema)]
pub struct Comment {
    pub id: String,
    /// The visible comment this one answers (flat view; in threads, the enclosing comment).
    pub parent_id: Option<String>,
    /// The name the reader signed with.
    pub author_name: String,
    /// Plain text.
    pub body: String,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub created_at: DateTime<Utc>,
    /// Threads view only: the first replies, oldest first (absent past the deepest level shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub replies: Option<Vec<Comment>>,
    /// Threads view only: whether there are replies beyond those shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_more_replies: Option<bool>,
}

impl From<CommentRecord> for Comment {
    /// A comment in a flat list: its parent is the visible one it answers.
    fn from(c: CommentRecord) -> Self {
        let parent = c.parent_id;
        Self::new(c, parent)
    }
}

impl Comment {
    fn new(c: CommentRecord, parent_id: Option<i64>) -> Self {
        Self {
            id: ids::encode(Kind::Comment, c.id),
            parent_id: parent_id.map(|p| ids::encode(Kind::Comment, p)),
            author_name: c.author_name,
            body: c.body,
            created_at: c.created_at,
            replies: None,
            has_more_replies: None,
        }
    }
}

/// How the comments are laid out.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommentView {
    Flat,
    Threads,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentListParams {
    /// `flat` (default): every comment, oldest first; `threads`: thread starters with their
    /// replies nested (up to 50 per comment).
    #[param(value_type = Option<CommentView>)]
    pub view: Option<String>,
    /// Whether `page.total` counts the whole list.
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
}

impl CommentListParams {
    fn scope(&self) -> Result<CommentScope, AppError> {
        match self.view.as_deref() {
            None | Some("flat") => Ok(CommentScope::All),
            Some("threads") => Ok(CommentScope::Threads),
            Some(_) => Err(AppError::invalid("view", "view is `flat` or `threads`")),
        }
    }
}

/// The published comments of an article, a page at a time.
#[utoipa::path(
    get,
    path = "/v1/articles/{slug}/comments",
    tag = "articles",
    params(("slug" = String, Path, description = "The article's slug"), PageParams, CommentListParams),
    responses((status = 200, description = "A page of comments", body = CommentList), NotFound, InvalidRequest)
)]
pub async fn list_article_comments(
    State(state): State<AppState>,
    Reader(viewer): Reader,
    here: Here,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageParams>,
    ApiQuery(params): ApiQuery<CommentListParams>,
) -> ApiResult<Public<CommentList>> {
    let request = page.request(state.content.max_page_size)?;
    let (scope, with_total) = (
        params.scope()?,
        flag("include_total", params.include_total.as_deref())?,
    );
    let article = state
        .content
        .articles()
        .find_by_slug(&viewer, &slug, ArticleParts::default())
        .await?
        .ok_or_else(|| AppError::not_found("article"))?;
    let comments = state.content.comments();
    let page = comments
        .for_articles(&viewer, &[article.id], scope, &request, with_total)
        .await?
        .remove(&article.id)
        .unwrap_or_else(crate::content::pagination::Page::empty);
    let list = match scope {
        CommentScope::All => here.list(page, &request, true, Comment::from),
        CommentScope::Threads => {
            let starters: Vec<i64> = page.items.iter().map(|(_, c)| c.id).collect();
            let mut levels = reply_levels(&comments, &viewer, starters).await?;
            // A thread starter may answer a comment that is no longer visible: it has no parent.
            here.list(page, &request, true, |c| {
                let id = c.id;
                nest(Comment::new(c, None), id, &mut levels)
            })
        }
    };
    Ok(Public::new(&state, list.into()))
}

/// The replies under the thread starters, level by level (one statement per level): level
/// `n` maps a comment at depth `n` to its first replies (one more than shown, to tell whether
/// there are more). When every branch has ended, a last empty level says so.
async fn reply_levels(
    comments: &Comments<'_>,
    viewer: &Viewer,
    starters: Vec<i64>,
) -> AppResult<Vec<HashMap<i64, Vec<CommentRecord>>>> {
    let mut levels = Vec::new();
    let mut parents = starters;
    loop {
        if parents.is_empty() {
            levels.push(HashMap::new());
            return Ok(levels);
        }
        if levels.len() == MAX_THREAD_DEPTH {
            return Ok(levels);
        }
        let level = comments
            .replies(viewer, &parents, REPLIES_PER_COMMENT + 1)
            .await?;
        parents = level
            .values()
            .flat_map(|r| r.iter().take(REPLIES_PER_COMMENT as usize).map(|c| c.id))
            .collect();
        levels.push(level);
    }
}

/// Hangs the replies of `id` (and theirs, level after level) under `comment`.
fn nest(mut comment: Comment, id: i64, levels: &mut [HashMap<i64, Vec<CommentRecord>>]) -> Comment {
    let Some((level, deeper)) = levels.split_first_mut() else {
        return comment;
    };
    let mut replies = level.remove(&id).unwrap_or_default();
    let more = replies.len() > REPLIES_PER_COMMENT as usize;
    replies.truncate(REPLIES_PER_COMMENT as usize);
    comment.has_more_replies = Some(more);
    comment.replies = Some(
        replies
            .into_iter()
            .map(|r| {
                let reply_id = r.id;
                nest(Comment::new(r, Some(id)), reply_id, deeper)
            })
            .collect(),
    );
    comment
}
