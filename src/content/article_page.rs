//! The article page as one service call: the article with its body and byline, tags,
//! sources, comment count and neighbours in the rubric (the REST door's `find_article`; the
//! GraphQL door composes the same pieces field by field).

use futures_util::future::try_join4;

use crate::content::articles::{Adjacent, ArticleParts, ArticleRecord};
use crate::content::catalogue::{SourceRecord, TagRecord};
use crate::content::comments::CommentScope;
use crate::content::{Content, Viewer};
use crate::error::{AppError, AppResult};

pub struct ArticlePage {
    pub article: ArticleRecord,
    pub tags: Vec<TagRecord>,
    pub sources: Vec<SourceRecord>,
    pub comment_count: i64,
    pub adjacent: Adjacent,
}

impl Content {
    /// A visible article by slug with everything its page shows; `NOT_FOUND` otherwise.
    pub async fn article_page(&self, viewer: &Viewer, slug: &str) -> AppResult<ArticlePage> {
        let parts = ArticleParts {
            body: true,
            author_bio: true,
        };
        let article = self
            .articles()
            .find_by_slug(viewer, slug, parts)
            .await?
            .ok_or_else(|| AppError::not_found("article"))?;
        let ids = [article.id];
        let position = [(article.id, article.position().0)];
        let (articles, catalogue, comments) = (self.articles(), self.catalogue(), self.comments());
        let (mut tags, mut sources, counts, mut adjacent) = try_join4(
            catalogue.tags_of_articles(&ids),
            catalogue.sources_of_articles(&ids),
            comments.counts(viewer, &ids, CommentScope::All),
            articles.adjacent(viewer, &position, ArticleParts::default()),
        )
        .await?;
        Ok(ArticlePage {
            tags: tags.remove(&article.id).unwrap_or_default(),
            sources: sources.remove(&article.id).unwrap_or_default(),
            comment_count: counts.get(&article.id).copied().unwrap_or(0),
            adjacent: adjacent.remove(&article.id).unwrap_or_default(),
            article,
        })
    }
}
