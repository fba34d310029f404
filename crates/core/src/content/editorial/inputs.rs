//! What the newsroom sends to write content, defined once for both doors (GraphQL input
//! objects, REST JSON bodies that refuse unknown fields), and the rules each field obeys.
//!
//! Clients never send `status`, `version` or `publishedAt` here: those change only through
//! the workflow (publish, unpublish, schedule, archive). A REST body carrying them is a 422.
//! References (rubric, authors, tags, parent rubric) are a global id or a slug.

use crate::content::maybe::MaybeUndefined;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::content::ids::schema::{AuthorKey, RubricKey, TagKey};
use crate::content::slug;
use crate::error::{AppError, AppResult};

pub const TITLE_MAX: usize = 300;
pub const STANDFIRST_MAX: usize = 1000;
/// Bytes of Markdown.
pub const BODY_MAX_BYTES: usize = 200 * 1024;
pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2000;
pub const BIO_MAX: usize = 5000;
pub const ALT_MAX: usize = 300;
pub const SEO_TITLE_MAX: usize = 300;
pub const SEO_DESCRIPTION_MAX: usize = 1000;
pub const URL_MAX: usize = 2048;
pub const MAX_AUTHORS: usize = 10;
pub const MAX_TAGS: usize = 30;
pub const MAX_SOURCES: usize = 50;

/// A new article. It starts as a draft.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "CreateArticleInput"))]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// 1 to 300 characters.
    #[schema(min_length = 1, max_length = 300, pattern = "text:line")]
    pub title: String,
    /// Generated from the title when absent (accents folded, `-2`, `-3`… on a clash); a
    /// given slug that is taken is a conflict.
    #[serde(default)]
    #[schema(max_length = 120, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// The lead paragraph, at most 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000, pattern = "text:prose")]
    pub standfirst: Option<String>,
    /// Markdown, at most 200 KB.
    #[serde(default)]
    #[schema(pattern = "text:markdown")]
    pub body: Option<String>,
    /// ISO 639-1 code; `fr` when absent.
    #[serde(default)]
    #[schema(pattern = "^[a-z]{2}$")]
    pub language: Option<String>,
    /// The rubric's global id or slug (an existing rubric).
    #[schema(value_type = RubricKey)]
    pub rubric: String,
    /// The byline in order: global ids or slugs of existing authors (1 to 10, no repeats).
    #[schema(min_items = 1, max_items = 10, value_type = Vec<AuthorKey>)]
    pub authors: Vec<String>,
    /// Global ids or slugs of existing tags (at most 30, no repeats).
    #[serde(default)]
    #[schema(max_items = 30, value_type = Option<Vec<TagKey>>)]
    pub tags: Option<Vec<String>>,
    /// Cited sources, in order (at most 50).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub sources: Option<Vec<SourceInput>>,
    #[serde(default)]
    #[schema(max_length = 2048, pattern = "text:http-url-or-blank")]
    pub featured_image_url: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300, pattern = "text:optional-line")]
    pub featured_image_alt: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300, pattern = "text:optional-line")]
    pub seo_title: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000, pattern = "text:optional-line")]
    pub seo_description: Option<String>,
}

/// Changes to an article: absent fields are kept; `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "UpdateArticleInput"))]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    /// REST only (GraphQL takes it as an argument): the version the change is based on. An
    /// `If-Match: "<version>"` header may give it instead; without either, the edit is a 422.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    #[serde(default)]
    #[schema(value_type = i32, required = true, minimum = 1)]
    pub version: Option<i32>,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 300, pattern = "text:line")]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(max_length = 120, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000, pattern = "text:prose")]
    pub standfirst: Option<String>,
    #[serde(default)]
    #[schema(pattern = "text:markdown")]
    pub body: Option<String>,
    #[serde(default)]
    #[schema(pattern = "^[a-z]{2}$")]
    pub language: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<RubricKey>)]
    pub rubric: Option<String>,
    #[serde(default)]
    #[schema(min_items = 1, max_items = 10, value_type = Option<Vec<AuthorKey>>)]
    pub authors: Option<Vec<String>>,
    #[serde(default)]
    #[schema(max_items = 30, value_type = Option<Vec<TagKey>>)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub sources: Option<Vec<SourceInput>>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 2048, pattern = "text:http-url-or-blank")]
    pub featured_image_url: MaybeUndefined<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 300, pattern = "text:optional-line")]
    pub featured_image_alt: MaybeUndefined<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 300, pattern = "text:optional-line")]
    pub seo_title: MaybeUndefined<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 1000, pattern = "text:optional-line")]
    pub seo_description: MaybeUndefined<String>,
}

/// A source cited by an article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    /// 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120, pattern = "text:line")]
    pub name: String,
    /// `http` or `https`, at most 2048 characters.
    #[serde(default)]
    #[schema(max_length = 2048, pattern = "text:http-url-or-blank")]
    pub url: Option<String>,
}

/// A new rubric.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "CreateRubricInput"))]
#[serde(deny_unknown_fields)]
pub struct RubricInput {
    #[schema(min_length = 1, max_length = 100, pattern = "text:line")]
    pub name: String,
    /// Generated from the name when absent.
    #[serde(default)]
    #[schema(max_length = 120, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000, pattern = "text:prose")]
    pub description: Option<String>,
    /// The parent rubric's global id or slug.
    #[serde(default)]
    #[schema(value_type = Option<RubricKey>)]
    pub parent: Option<String>,
    /// Position in the navigation (ascending), 0 by default.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

/// Changes to a rubric; `parent: null` makes it top-level.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "UpdateRubricInput"))]
#[serde(deny_unknown_fields)]
pub struct RubricPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100, pattern = "text:line")]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 120, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000, pattern = "text:prose")]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<RubricKey>)]
    pub parent: MaybeUndefined<String>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

/// A new public byline.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "CreateAuthorInput"))]
#[serde(deny_unknown_fields)]
pub struct AuthorInput {
    /// The name shown in bylines.
    #[schema(min_length = 1, max_length = 120, pattern = "text:line")]
    pub name: String,
    /// Generated from the name when absent.
    #[serde(default)]
    #[schema(max_length = 120, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = "text:prose")]
    pub bio: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2048, pattern = "text:http-url-or-blank")]
    pub avatar_url: Option<String>,
}

/// Changes to an author; `avatarUrl: null` removes the avatar.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "UpdateAuthorInput"))]
#[serde(deny_unknown_fields)]
pub struct AuthorPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 120, pattern = "text:line")]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 120, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(max_length = 5000, pattern = "text:prose")]
    pub bio: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    #[schema(max_length = 2048, pattern = "text:http-url-or-blank")]
    pub avatar_url: MaybeUndefined<String>,
}

/// A new tag.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "CreateTagInput"))]
#[serde(deny_unknown_fields)]
pub struct TagInput {
    #[schema(min_length = 1, max_length = 120, pattern = "text:line")]
    pub name: String,
    /// Generated from the name when absent.
    #[serde(default)]
    #[schema(max_length = 120, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
}

/// Changes to a tag.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[cfg_attr(feature = "graphql", derive(async_graphql::InputObject))]
#[cfg_attr(feature = "graphql", graphql(name = "UpdateTagInput"))]
#[serde(deny_unknown_fields)]
pub struct TagPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 120, pattern = "text:line")]
    pub name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 120, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
}

/// A required single-line text of `min..=max` characters, trimmed (see `content::text`).
pub fn text(field: &str, raw: &str, min: usize, max: usize) -> AppResult<String> {
    crate::content::text::line(field, raw, min, max)
}

/// A prose text (line breaks allowed), trimmed, of `min..=max` characters.
pub fn prose(field: &str, raw: &str, min: usize, max: usize) -> AppResult<String> {
    crate::content::text::prose(field, raw, min, max)
}

/// An optional text: empty means none.
pub fn optional_text(field: &str, raw: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match raw {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Ok(None),
        Some(v) => text(field, v, 0, max).map(Some),
    }
}

/// The Markdown body, bounded in bytes (what it costs to store and render).
pub fn body(raw: &str) -> AppResult<String> {
    if raw.len() > BODY_MAX_BYTES {
        return Err(AppError::invalid(
            "body",
            format!("body has at most {} KB", BODY_MAX_BYTES / 1024),
        ));
    }
    crate::content::text::check_prose("body", raw)?;
    Ok(raw.to_owned())
}

/// A two-letter ISO 639-1 code, lowercase.
pub fn language(raw: &str) -> AppResult<String> {
    let value = raw.trim();
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(value.to_owned())
    } else {
        Err(AppError::invalid(
            "language",
            "a language is a two-letter code such as `fr` or `en`",
        ))
    }
}

/// An absolute `http`/`https` URL with a host, at most 2048 characters, no spaces.
pub fn url(field: &str, raw: &str) -> AppResult<String> {
    let value = raw.trim();
    let bad = || {
        AppError::invalid(
            field,
            format!("{field} must be an http or https URL of at most {URL_MAX} characters"),
        )
    };
    if value.len() > URL_MAX || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let lower = value.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(bad());
    }
    Ok(value.to_owned())
}

pub fn optional_url(field: &str, raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => url(field, v).map(Some),
    }
}

/// A slug given by a client.
pub fn given_slug(raw: &str) -> AppResult<String> {
    slug::validate("slug", raw)?;
    Ok(raw.to_owned())
}

/// Cited sources, validated in order.
pub fn sources(list: &[SourceInput]) -> AppResult<Vec<SourceInput>> {
    if list.len() > MAX_SOURCES {
        return Err(AppError::invalid(
            "sources",
            format!("an article cites at most {MAX_SOURCES} sources"),
        ));
    }
    list.iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(SourceInput {
                name: text(&format!("sources[{i}].name"), &s.name, 1, NAME_MAX)?,
                url: optional_url(&format!("sources[{i}].url"), s.url.as_deref())?,
            })
        })
        .collect()
}

/// A list of references, bounded and without repeats (order kept).
pub fn references(field: &str, list: &[String], min: usize, max: usize) -> AppResult<Vec<String>> {
    if list.len() < min || list.len() > max {
        return Err(AppError::invalid(
            field,
            format!("{field} lists {min} to {max} entries"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(list.len());
    for raw in list {
        let value = raw.trim().to_owned();
        if value.is_empty() || value.len() > 200 {
            return Err(AppError::invalid(
                field,
                "each entry is a global id or a slug",
            ));
        }
        if out.contains(&value) {
            return Err(AppError::invalid(
                field,
                format!("`{value}` is listed twice"),
            ));
        }
        out.push(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_http_or_https_with_a_host() {
        for good in [
            "https://example.org",
            "http://a.b/c?d#e",
            "HTTPS://X.FR/path",
        ] {
            assert!(url("url", good).is_ok(), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "ftp://x.org",
            "https://",
            "https:///path",
            "https://a b.org",
            "//x.org",
            &format!("https://x.org/{}", "a".repeat(URL_MAX)),
        ] {
            assert_eq!(url("url", bad).unwrap_err().field(), Some("url"), "{bad}");
        }
    }

    #[test]
    fn lengths_count_characters_as_sent_and_trim() {
        assert_eq!(text("title", "  Été  ", 1, 7).unwrap(), "Été");
        // Bounded as sent (the contract's maxLength), not once trimmed.
        assert!(text("title", " Été ", 1, 3).is_err());
        assert!(text("title", "   ", 1, 300).is_err());
        assert!(text("title", &"é".repeat(301), 1, 300).is_err());
        assert!(language("FR").is_err());
        assert!(language("fra").is_err());
        assert_eq!(language("en").unwrap(), "en");
    }

    #[test]
    fn references_refuse_repeats_and_empty_lists() {
        assert!(references("authors", &[], 1, 10).is_err());
        assert!(references("authors", &["a".into(), "a".into()], 1, 10).is_err());
        assert_eq!(
            references("tags", &["a".into(), "b".into()], 0, 10).unwrap(),
            vec!["a", "b"]
        );
    }
}
