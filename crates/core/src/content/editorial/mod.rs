//! The write side: creating and editing articles, rubrics, authors and tags, the publishing
//! workflow, and the revision history. Every rule of writing lives here once (validation,
//! permissions, slugs, optimistic concurrency); both doors call these methods with the same
//! inputs.
//!
//! Who may write: admins and editors everything; an author creates articles that carry
//! their byline (as drafts) and edits only their own drafts; readers, partners and anonymous
//! callers nothing (403/401).

mod articles;
mod catalogue;
pub mod inputs;
mod patch;
mod publishing;
mod references;
mod revisions;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

pub use inputs::*;
pub use publishing::Transition;
pub use revisions::RevisionRecord;

use references::{SlugTable, choose_slug, existing, referenced};

use crate::content::articles::{ArticleParts, ArticleRecord, ArticleStatus, BodyFormats};
use crate::content::{Content, Viewer, permissions};
use crate::entities::{article, article_author, article_source, article_tag};
use crate::error::{AppError, AppResult};
use crate::identity::{Actor, Role, UserActor};

/// The editorial services, borrowed from [`Content`].
pub struct Editorial<'a> {
    pub(crate) content: &'a Content,
}

impl Content {
    pub fn editorial(&self) -> Editorial<'_> {
        Editorial { content: self }
    }
}

/// The version an edit is based on, and how the client gave it: a stale `If-Match` header
/// is a failed precondition (412), a stale version in the input a conflict (409).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub version: i32,
    pub if_match: bool,
}

impl Expected {
    /// The version given as an argument or in a body.
    pub fn given(version: i32) -> Self {
        Self {
            version,
            if_match: false,
        }
    }

    /// From a REST request: the `If-Match` header wins over a `version` in the body; one of
    /// them is required.
    pub fn from_request(if_match: Option<i32>, body: Option<i32>) -> AppResult<Self> {
        match (if_match, body) {
            (Some(version), _) => Ok(Self {
                version,
                if_match: true,
            }),
            (None, Some(version)) => Ok(Self::given(version)),
            (None, None) => Err(AppError::invalid(
                "version",
                "give the version the edit is based on (`version`, or an `If-Match: \"<version>\"` header)",
            )),
        }
    }

    fn check(self, current: i32) -> AppResult<()> {
        if self.version == current {
            return Ok(());
        }
        Err(self.stale(current))
    }

    fn stale(self, current: i32) -> AppError {
        let message = format!(
            "the article was changed meanwhile (version {} was edited, the current version is {current}): reload it and reapply your change",
            self.version
        );
        if self.if_match {
            AppError::PreconditionFailed(message)
        } else {
            AppError::Conflict(message)
        }
    }
}

/// What the caller may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Admins and editors: all content.
    Everything,
    /// Authors: articles carrying this byline, while they are drafts.
    OwnDrafts(i64),
}

impl Access {
    /// An author's own byline must stay on the articles they write.
    fn check_byline(self, authors: &[i64]) -> AppResult<()> {
        match self {
            Self::OwnDrafts(author_id) if !authors.contains(&author_id) => {
                Err(AppError::Forbidden(
                    "an author's own byline must be among the article's authors".into(),
                ))
            }
            _ => Ok(()),
        }
    }
}

fn writer(actor: &Actor) -> AppResult<(&UserActor, Access)> {
    let user = permissions::staff(actor)?;
    match (user.role, user.author_id) {
        (Role::Admin | Role::Editor, _) => Ok((user, Access::Everything)),
        (_, Some(author_id)) => Ok((user, Access::OwnDrafts(author_id))),
        (_, None) => Err(AppError::Forbidden(
            "an author account without a byline may not write articles".into(),
        )),
    }
}

/// An article as stored, with its links, read inside the edit's transaction.
#[derive(Debug, Clone)]
pub(super) struct Current {
    pub model: article::Model,
    pub authors: Vec<i64>,
    pub tags: Vec<i64>,
    pub sources: Vec<SourceInput>,
}

impl Current {
    fn status(&self) -> ArticleStatus {
        ArticleStatus::parse(&self.model.status).unwrap_or(ArticleStatus::Archived)
    }

    /// Authors may touch their own drafts only.
    fn check_access(&self, access: Access) -> AppResult<()> {
        match access {
            Access::Everything => Ok(()),
            Access::OwnDrafts(author_id)
                if self.authors.contains(&author_id) && self.status() == ArticleStatus::Draft =>
            {
                Ok(())
            }
            Access::OwnDrafts(_) => Err(AppError::Forbidden(
                "an author may edit only their own drafts".into(),
            )),
        }
    }
}

impl Editorial<'_> {
    /// A write transaction ([`crate::db::Db::begin_write`]).
    async fn begin(&self) -> AppResult<sea_orm::DatabaseTransaction> {
        Ok(self.content.db.begin_write().await?)
    }

    /// The article as staff read it after a write.
    async fn read_back(&self, id: i64) -> AppResult<ArticleRecord> {
        let parts = ArticleParts {
            body: BodyFormats::ALL,
            author_bio: false,
            lean: false,
        };
        self.content
            .articles()
            .find_by_ids(&Viewer::staff(), &[id], parts)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("article"))
    }
}

/// Reads an article and its links inside a transaction, or 404.
pub(super) async fn load_current(conn: &impl ConnectionTrait, id: i64) -> AppResult<Current> {
    let model = article::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("article"))?;
    let authors = article_author::Entity::find()
        .filter(article_author::Column::ArticleId.eq(id))
        .order_by_asc(article_author::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.author_id)
        .collect();
    let mut tags: Vec<i64> = article_tag::Entity::find()
        .filter(article_tag::Column::ArticleId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| t.tag_id)
        .collect();
    tags.sort_unstable();
    let sources = article_source::Entity::find()
        .filter(article_source::Column::ArticleId.eq(id))
        .order_by_asc(article_source::Column::Position)
        .order_by_asc(article_source::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| SourceInput {
            name: s.name,
            url: s.url,
        })
        .collect();
    Ok(Current {
        model,
        authors,
        tags,
        sources,
    })
}
