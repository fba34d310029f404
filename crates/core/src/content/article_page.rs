//! The article page as one service call: the article with its body and byline (with bios),
//! plus the parts the caller includes — tags, sources, comment count, neighbours in the
//! rubric, more of the rubric, the first comments. (The GraphQL door composes the same
//! pieces field by field.)

use crate::content::articles::{Adjacent, ArticleParts, ArticleRecord, BodyFormats, PageExtras};
use crate::content::catalogue::{SourceRecord, TagRecord};
use crate::content::comments::CommentRecord;
use crate::content::pagination::{Page, PageRequest};
use crate::content::{Content, Viewer};
use crate::error::{AppError, AppResult};

/// Which parts of the page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParts {
    /// The renderings of the body.
    pub body: BodyFormats,
    pub tags: bool,
    pub sources: bool,
    pub comment_count: bool,
    pub adjacent: bool,
    /// How many of the latest other articles of the rubric.
    pub more_in_rubric: Option<u32>,
    /// How many of the first comments (all visible ones, oldest first).
    pub comments: Option<u32>,
}

impl Default for PageParts {
    /// What an article page shows when the client does not choose.
    fn default() -> Self {
        Self {
            body: BodyFormats::ALL,
            tags: true,
            sources: true,
            comment_count: true,
            adjacent: true,
            more_in_rubric: None,
            comments: None,
        }
    }
}

pub struct ArticlePage {
    pub article: ArticleRecord,
    pub tags: Option<Vec<TagRecord>>,
    pub sources: Option<Vec<SourceRecord>>,
    pub comment_count: Option<i64>,
    pub adjacent: Option<Adjacent>,
    pub more_in_rubric: Option<Vec<ArticleRecord>>,
    pub comments: Option<Page<CommentRecord>>,
}

impl Content {
    /// A visible article by slug with the parts asked for; `NOT_FOUND` otherwise. The
    /// article, its comment count, "more in this rubric" and its first comments are one
    /// statement ([`PageExtras`]); tags, sources and neighbours one each, concurrently,
    /// after it.
    pub async fn article_page(
        &self,
        viewer: &Viewer,
        slug: &str,
        parts: PageParts,
    ) -> AppResult<ArticlePage> {
        let with = ArticleParts {
            body: parts.body,
            author_bio: true,
            lean: false,
        };
        let first_comments = parts.comments.map(PageRequest::first);
        let extras = PageExtras {
            more_in_rubric: parts.more_in_rubric.map(|n| (n, ArticleParts::default())),
            comments: first_comments.as_ref(),
            comment_count: parts.comment_count,
        };
        let found = self
            .articles()
            .page_by_slug(viewer, slug, with, extras)
            .await?
            .ok_or_else(|| AppError::not_found("article"))?;
        let article = found.article;
        let id = article.id;
        let ids = [id];
        let position = [(id, article.position().0)];
        let (articles, catalogue) = (self.articles(), self.catalogue());
        let (tags, sources, adjacent) = tokio::try_join!(
            async {
                Ok::<_, AppError>(match parts.tags {
                    true => catalogue.tags_of_articles(&ids).await?.remove(&id),
                    false => None,
                })
            },
            async {
                Ok(match parts.sources {
                    true => catalogue.sources_of_articles(&ids).await?.remove(&id),
                    false => None,
                })
            },
            async {
                Ok(match parts.adjacent {
                    true => Some(
                        articles
                            .adjacent(viewer, &position, ArticleParts::default())
                            .await?
                            .remove(&id)
                            .unwrap_or_default(),
                    ),
                    false => None,
                })
            },
        )?;
        Ok(ArticlePage {
            article,
            tags,
            sources,
            comment_count: found.comment_count,
            adjacent,
            more_in_rubric: found.more_in_rubric,
            comments: found.comments,
        })
    }
}
