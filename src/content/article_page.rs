//! The article page as one service call: the article with its body and byline (with bios),
//! plus the parts the caller includes — tags, sources, comment count, neighbours in the
//! rubric, more of the rubric, the first comments. Parts are read concurrently, one
//! statement each. (The GraphQL door composes the same pieces field by field.)

use crate::content::articles::{Adjacent, ArticleParts, ArticleRecord};
use crate::content::catalogue::{SourceRecord, TagRecord};
use crate::content::comments::{CommentRecord, CommentScope};
use crate::content::pagination::{Page, PageRequest};
use crate::content::{Content, Viewer};
use crate::error::{AppError, AppResult};

/// Which parts of the page to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageParts {
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
    /// A visible article by slug with the parts asked for; `NOT_FOUND` otherwise.
    pub async fn article_page(
        &self,
        viewer: &Viewer,
        slug: &str,
        parts: PageParts,
    ) -> AppResult<ArticlePage> {
        let with = ArticleParts {
            body: true,
            author_bio: true,
        };
        let article = self
            .articles()
            .find_by_slug(viewer, slug, with)
            .await?
            .ok_or_else(|| AppError::not_found("article"))?;
        let id = article.id;
        let ids = [id];
        let position = [(id, article.position().0)];
        let (articles, catalogue, comments) = (self.articles(), self.catalogue(), self.comments());
        let (tags, sources, comment_count, adjacent, more_in_rubric, first_comments) = tokio::try_join!(
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
                Ok(match parts.comment_count {
                    true => comments
                        .counts(viewer, &ids, CommentScope::All)
                        .await?
                        .remove(&id),
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
            async {
                Ok(match parts.more_in_rubric {
                    Some(n) => articles
                        .more_in_rubric(viewer, &ids, n, ArticleParts::default())
                        .await?
                        .remove(&id),
                    None => None,
                })
            },
            async {
                Ok(match parts.comments {
                    Some(n) => {
                        let request = PageRequest::first(n);
                        comments
                            .for_articles(viewer, &ids, CommentScope::All, &request, false)
                            .await?
                            .remove(&id)
                    }
                    None => None,
                })
            },
        )?;
        Ok(ArticlePage {
            article,
            tags,
            sources,
            comment_count,
            adjacent,
            more_in_rubric,
            comments: first_comments,
        })
    }
}
