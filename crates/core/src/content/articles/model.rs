//! Read models of articles: what both doors serialise (never an entity `Model`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl ArticleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "draft" => Self::Draft,
            "scheduled" => Self::Scheduled,
            "published" => Self::Published,
            "archived" => Self::Archived,
            _ => return None,
        })
    }
}

/// The rubric of an article, as joined into every article row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RubricRef {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

/// An author of an article, in byline order. `bio` is read only where it is shown (the
/// article page); elsewhere it is `None` and loaded on demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuthorRef {
    pub id: i64,
    pub slug: String,
    pub display_name: String,
    pub avatar_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
}

/// The body in its renderings. A rendering that the query did not read
/// ([`ArticleParts::body`]) is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleBody {
    pub markdown: String,
    pub html: String,
    pub text: String,
}

/// One article as read from the database, with its rubric and authors.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRecord {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub standfirst: String,
    pub language: String,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub featured_image_url: Option<String>,
    pub featured_image_alt: Option<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub word_count: i32,
    pub reading_time_minutes: i32,
    pub version: i32,
    pub rubric: RubricRef,
    pub authors: Vec<AuthorRef>,
    /// Present when the query asked for bodies.
    pub body: Option<ArticleBody>,
}

impl ArticleRecord {
    /// The SEO title: the one the newsroom set, or the title.
    pub fn seo_title(&self) -> &str {
        self.seo_title.as_deref().unwrap_or(&self.title)
    }

    /// The SEO description: the one the newsroom set, or the standfirst.
    pub fn seo_description(&self) -> &str {
        self.seo_description.as_deref().unwrap_or(&self.standfirst)
    }

    /// Where the article stands in date order: its publication time (its creation time
    /// while it has none), then its id.
    pub fn position(&self) -> (DateTime<Utc>, i64) {
        (self.published_at.unwrap_or(self.created_at), self.id)
    }
}

/// Which optional parts of an article a query reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ArticleParts {
    /// The renderings of the body to read (none: no body).
    pub body: BodyFormats,
    pub author_bio: bool,
    /// The featured image and the SEO title and description are not read (they are `None`
    /// in the records): for answers that do not show them, such as the GraphQL fast path and
    /// REST lists without `featured_image`. On a list page they were a fifth of the columns
    /// decoded and copied for nothing.
    pub lean: bool,
}

/// A set of renderings of the body: the columns an article query reads. An article page
/// that shows the HTML does not need the Markdown source and the plain text read, decoded
/// and sent as well.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct BodyFormats(u8);

impl BodyFormats {
    pub const NONE: Self = Self(0);
    pub const MARKDOWN: Self = Self(1);
    pub const HTML: Self = Self(2);
    pub const TEXT: Self = Self(4);
    pub const ALL: Self = Self(7);

    /// Every rendering when `yes`, none otherwise.
    pub fn all_if(yes: bool) -> Self {
        if yes { Self::ALL } else { Self::NONE }
    }

    /// Whether any rendering is read (the article has a body).
    pub fn any(self) -> bool {
        self.0 != 0
    }

    pub fn has(self, format: Self) -> bool {
        self.0 & format.0 == format.0
    }
}

impl std::ops::BitOr for BodyFormats {
    type Output = Self;
    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for BodyFormats {
    fn bitor_assign(&mut self, other: Self) {
        self.0 |= other.0;
    }
}

// One shape for the services, the GraphQL input object (through the `graphql` feature) and
// the GraphQL fast path (which parses it with the same derive); REST's query parameters are
// parsed into it here (`ArticleFilterParams`).
/// Filters of article lists; all optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "ArticleFilter"))]
pub struct ArticleFilter {
    /// Rubric slug.
    pub rubric: Option<String>,
    /// Author slug.
    pub author: Option<String>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Language code (`fr`, `en`).
    pub language: Option<String>,
    /// Published at or after this time.
    pub published_after: Option<DateTime<Utc>>,
    /// Published before this time.
    pub published_before: Option<DateTime<Utc>>,
    /// Staff only (for the public it never widens what is visible).
    pub status: Option<ArticleStatus>,
}

impl ArticleFilter {
    pub fn validate(&self) -> Result<(), AppError> {
        if let Some(lang) = &self.language
            && !(lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()))
        {
            return Err(AppError::invalid(
                "language",
                "a language is a two-letter code such as `fr` or `en`",
            ));
        }
        if let (Some(after), Some(before)) = (self.published_after, self.published_before)
            && after > before
        {
            return Err(AppError::invalid(
                "publishedAfter",
                "publishedAfter must not be later than publishedBefore",
            ));
        }
        for (field, value) in [
            ("rubric", &self.rubric),
            ("author", &self.author),
            ("tag", &self.tag),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 200) {
                return Err(AppError::invalid(
                    field,
                    "a slug has at most 200 characters",
                ));
            }
        }
        Ok(())
    }
}

/// Filters of article lists, combined with AND, as a query string carries them: REST hands
/// them over as text and [`ArticleFilterParams::filter`] parses each value under its
/// parameter's name.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleFilterParams {
    /// Rubric slug.
    #[param(max_length = 200)]
    pub rubric: Option<String>,
    /// Author slug.
    #[param(max_length = 200)]
    pub author: Option<String>,
    /// Tag slug.
    #[param(max_length = 200)]
    pub tag: Option<String>,
    /// Two-letter language code (`fr`, `en`).
    #[param(pattern = "^[a-z]{2}$")]
    pub language: Option<String>,
    /// Published at or after this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub published_after: Option<String>,
    /// Published before this time (RFC 3339).
    #[param(value_type = Option<String>, format = DateTime)]
    pub published_before: Option<String>,
}

impl ArticleFilterParams {
    pub fn filter(self) -> Result<ArticleFilter, AppError> {
        use crate::rfc3339::parse_query;
        Ok(ArticleFilter {
            published_after: parse_query("published_after", self.published_after.as_deref())?,
            published_before: parse_query("published_before", self.published_before.as_deref())?,
            rubric: self.rubric,
            author: self.author,
            tag: self.tag,
            language: self.language,
            status: None,
        })
    }
}

#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ArticleOrder {
    /// Newest first (the default).
    #[default]
    PublishedAtDesc,
    PublishedAtAsc,
    TitleAsc,
    TitleDesc,
}

impl ArticleOrder {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "PUBLISHED_AT_DESC" | "-published_at" | "published_at_desc" => Self::PublishedAtDesc,
            "PUBLISHED_AT_ASC" | "published_at" | "published_at_asc" => Self::PublishedAtAsc,
            "TITLE_ASC" | "title" | "title_asc" => Self::TitleAsc,
            "TITLE_DESC" | "-title" | "title_desc" => Self::TitleDesc,
            _ => return None,
        })
    }

    pub(crate) fn is_desc(self) -> bool {
        matches!(self, Self::PublishedAtDesc | Self::TitleDesc)
    }

    pub(crate) fn by_title(self) -> bool {
        matches!(self, Self::TitleAsc | Self::TitleDesc)
    }
}
