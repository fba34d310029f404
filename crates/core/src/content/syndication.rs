//! What syndication reads: the latest visible articles of the site, of a rubric, an author
//! or a tag (with their tags), for feeds; the article of a printable page; the URLs of the
//! sitemap. Feeds and sitemaps always show the public's view (never a draft, whoever asks);
//! whether a feed carries full bodies is decided by the caller's rights, here.

use chrono::{DateTime, Utc};

use crate::content::article_page::PageParts;
use crate::content::articles::{ArticleParts, ArticleRecord, BodyFormats};
use crate::content::catalogue::{SourceRecord, TagRecord};
use crate::content::{Content, Viewer};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

/// Articles in a feed when the caller does not say.
pub const DEFAULT_FEED_LIMIT: u32 = 20;

/// The scope a partner key needs to read full bodies in feeds.
pub const FEEDS_SCOPE: &str = "feeds:read";

/// Which articles a feed holds: the latest visible ones, optionally of one rubric, author
/// and/or tag (combined with AND).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedQuery {
    pub rubric: Option<String>,
    pub author: Option<String>,
    pub tag: Option<String>,
    /// How many articles (`None`: [`DEFAULT_FEED_LIMIT`]).
    pub limit: Option<i64>,
}

/// What a feed is about (one per filter), named for its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Rubric,
    Author,
    Tag,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSubject {
    pub kind: SubjectKind,
    pub slug: String,
    pub name: String,
    /// The rubric's description or the author's bio (empty for tags).
    pub description: String,
}

/// One article of a feed, with its tags.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub article: ArticleRecord,
    pub tags: Vec<TagRecord>,
}

impl FeedEntry {
    /// When the article last changed as readers see it: its last edit, or its publication
    /// when that came later (a scheduled article).
    pub fn updated(&self) -> DateTime<Utc> {
        let a = &self.article;
        a.published_at.map_or(a.updated_at, |p| p.max(a.updated_at))
    }
}

/// A feed's content, before it takes a format.
#[derive(Debug, Clone)]
pub struct FeedData {
    pub subjects: Vec<FeedSubject>,
    pub entries: Vec<FeedEntry>,
    /// Whether entries carry their body (partners with `feeds:read`, and staff).
    pub full: bool,
}

impl FeedData {
    /// The latest change of any entry (`None` for an empty feed).
    pub fn updated(&self) -> Option<DateTime<Utc>> {
        self.entries.iter().map(FeedEntry::updated).max()
    }
}

/// Whether `actor` may read full bodies in feeds: staff, and partners whose key has
/// `feeds:read`. Everyone else reads standfirsts.
pub fn reads_full_feeds(actor: &Actor) -> bool {
    match actor {
        Actor::User(user) => user.role.is_staff(),
        Actor::Partner(partner) => partner.scopes.iter().any(|s| s == FEEDS_SCOPE),
        Actor::Anonymous => false,
    }
}

/// A printable article: the article with its body and byline, and its cited sources.
#[derive(Debug, Clone)]
pub struct PrintableArticle {
    pub article: ArticleRecord,
    pub sources: Vec<SourceRecord>,
}

impl Content {
    /// The latest visible articles matching `query`: the subjects' lookups and the list run
    /// concurrently (one statement each; the list loads bylines in the same statement),
    /// then one statement for the tags of the whole list. An unknown rubric, author or tag
    /// is `NOT_FOUND`; a limit outside 1..=cap is `BAD_USER_INPUT` on `limit`.
    pub async fn feed(&self, actor: &Actor, query: &FeedQuery) -> AppResult<FeedData> {
        let limit = match query.limit {
            None => DEFAULT_FEED_LIMIT.min(self.max_page_size),
            Some(n) if n < 1 => {
                return Err(AppError::invalid("limit", "limit must be at least 1"));
            }
            Some(n) => self.bounded("limit", n)?,
        };
        let viewer = Viewer::public();
        let filter = crate::content::articles::ArticleFilter {
            rubric: query.rubric.clone(),
            author: query.author.clone(),
            tag: query.tag.clone(),
            ..Default::default()
        };
        let full = reads_full_feeds(actor);
        let parts = ArticleParts {
            // Full feeds carry the HTML only.
            body: if full {
                BodyFormats::HTML
            } else {
                BodyFormats::NONE
            },
            author_bio: false,
            lean: false,
        };
        let request = crate::content::pagination::PageRequest::first(limit);
        let articles = self.articles();
        let (subjects, page) = tokio::try_join!(self.feed_subjects(query), async {
            articles
                .list(&viewer, &filter, Default::default(), &request, false, parts)
                .await
        })?;
        let records: Vec<ArticleRecord> = page.items.into_iter().map(|(_, a)| a).collect();
        let ids: Vec<i64> = records.iter().map(|a| a.id).collect();
        let mut tags = if ids.is_empty() {
            Default::default()
        } else {
            self.catalogue().tags_of_articles(&ids).await?
        };
        let entries = records
            .into_iter()
            .map(|article| FeedEntry {
                tags: tags.remove(&article.id).unwrap_or_default(),
                article,
            })
            .collect();
        Ok(FeedData {
            subjects,
            entries,
            full,
        })
    }

    /// The rubric, author and tag a feed is filtered by, each checked to exist.
    async fn feed_subjects(&self, query: &FeedQuery) -> AppResult<Vec<FeedSubject>> {
        let catalogue = self.catalogue();
        let (rubric, author, tag) = tokio::try_join!(
            async {
                match &query.rubric {
                    Some(slug) => catalogue
                        .rubric_by_slug(slug)
                        .await?
                        .map(|r| FeedSubject {
                            kind: SubjectKind::Rubric,
                            slug: r.slug,
                            name: r.name,
                            description: r.description,
                        })
                        .ok_or_else(|| AppError::not_found("rubric"))
                        .map(Some),
                    None => Ok(None),
                }
            },
            async {
                match &query.author {
                    Some(slug) => catalogue
                        .author_by_slug(slug)
                        .await?
                        .map(|a| FeedSubject {
                            kind: SubjectKind::Author,
                            slug: a.slug,
                            name: a.display_name,
                            description: a.bio,
                        })
                        .ok_or_else(|| AppError::not_found("author"))
                        .map(Some),
                    None => Ok(None),
                }
            },
            async {
                match &query.tag {
                    Some(slug) => catalogue
                        .tag_by_slug(slug)
                        .await?
                        .map(|t| FeedSubject {
                            kind: SubjectKind::Tag,
                            slug: t.slug,
                            name: t.name,
                            description: String::new(),
                        })
                        .ok_or_else(|| AppError::not_found("tag"))
                        .map(Some),
                    None => Ok(None),
                }
            },
        )?;
        Ok([rubric, author, tag].into_iter().flatten().collect())
    }

    /// A visible article with what its printable page shows; `NOT_FOUND` otherwise.
    pub async fn printable_article(
        &self,
        viewer: &Viewer,
        slug: &str,
    ) -> AppResult<PrintableArticle> {
        let parts = PageParts {
            body: BodyFormats::HTML,
            tags: false,
            sources: true,
            comment_count: false,
            adjacent: false,
            more_in_rubric: None,
            comments: None,
        };
        let page = self.article_page(viewer, slug, parts).await?;
        Ok(PrintableArticle {
            article: page.article,
            sources: page.sources.unwrap_or_default(),
        })
    }
}
