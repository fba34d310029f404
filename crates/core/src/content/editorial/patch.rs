//! An article patch: validated before the transaction, then compared with the stored article
//! into the columns to set, the links to replace and the changes a revision records.

use crate::content::maybe::MaybeUndefined;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use super::inputs::*;
use super::revisions::Changes;
use super::{Access, Current, SlugTable, choose_slug, referenced};
use crate::content::markdown;
use crate::entities::article;
use crate::error::AppResult;

/// A patch whose fields each obey their rule (references are resolved in the transaction).
pub(super) struct CheckedPatch {
    title: Option<String>,
    slug: Option<String>,
    standfirst: Option<String>,
    body: Option<String>,
    language: Option<String>,
    rubric: Option<String>,
    authors: Option<Vec<String>>,
    tags: Option<Vec<String>>,
    sources: Option<Vec<SourceInput>>,
    featured_image_url: MaybeUndefined<String>,
    featured_image_alt: MaybeUndefined<String>,
    seo_title: MaybeUndefined<String>,
    seo_description: MaybeUndefined<String>,
}

/// What a patch changes in one article.
#[derive(Default)]
pub(super) struct Edit {
    pub changes: Changes,
    pub columns: Vec<(article::Column, sea_orm::Value)>,
    pub authors: Option<Vec<i64>>,
    pub tags: Option<Vec<i64>>,
    pub sources: Option<Vec<SourceInput>>,
}

/// Validates a clearable field: `null` (or an empty string) clears it.
fn clearable(
    value: &MaybeUndefined<String>,
    check: impl Fn(&str) -> AppResult<Option<String>>,
) -> AppResult<MaybeUndefined<String>> {
    Ok(match value {
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Value(v) => match check(v)? {
            Some(v) => MaybeUndefined::Value(v),
            None => MaybeUndefined::Null,
        },
    })
}

/// The new value of a clearable field, given its old one.
fn apply(old: &Option<String>, new: MaybeUndefined<String>) -> Option<String> {
    match new {
        MaybeUndefined::Undefined => old.clone(),
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(v) => Some(v),
    }
}

pub(super) fn sources_json(sources: &[SourceInput]) -> Value {
    sources
        .iter()
        .map(|s| json!({ "name": s.name, "url": s.url }))
        .collect()
}

impl Edit {
    /// Sets `column` to `new` when it differs from `old`.
    fn text(&mut self, name: &str, column: article::Column, old: &String, new: Option<String>) {
        if let Some(new) = new
            && self.changes.note(name, old, &new)
        {
            self.columns.push((column, new.into()));
        }
    }

    fn optional(
        &mut self,
        name: &str,
        column: article::Column,
        old: &Option<String>,
        new: MaybeUndefined<String>,
    ) {
        let new = apply(old, new);
        if self.changes.note(name, old, &new) {
            self.columns.push((column, new.into()));
        }
    }

    /// A new body, with its renderings.
    fn body(&mut self, old: &String, new: Option<String>) {
        let Some(new) = new.filter(|b| b != old) else {
            return;
        };
        let r = markdown::render(&new);
        self.changes.note("body", old, &new);
        self.columns.extend([
            (article::Column::Body, new.into()),
            (article::Column::BodyHtml, r.html.into()),
            (article::Column::BodyText, r.text.into()),
            (article::Column::WordCount, r.word_count.into()),
            (
                article::Column::ReadingTimeMinutes,
                r.reading_time_minutes.into(),
            ),
        ]);
    }
}

impl CheckedPatch {
    pub fn new(p: &ArticlePatch) -> AppResult<Self> {
        let text_of = |field: &str, value: &Option<String>, min: usize, max: usize| {
            value
                .as_deref()
                .map(|v| text(field, v, min, max))
                .transpose()
        };
        Ok(Self {
            title: text_of("title", &p.title, 1, TITLE_MAX)?,
            slug: p.slug.as_deref().map(given_slug).transpose()?,
            standfirst: p
                .standfirst
                .as_deref()
                .map(|v| prose("standfirst", v, 0, STANDFIRST_MAX))
                .transpose()?,
            body: p.body.as_deref().map(body).transpose()?,
            language: p.language.as_deref().map(language).transpose()?,
            rubric: p.rubric.as_ref().map(|r| r.trim().to_owned()),
            authors: p
                .authors
                .as_deref()
                .map(|a| references("authors", a, 1, MAX_AUTHORS))
                .transpose()?,
            tags: p
                .tags
                .as_deref()
                .map(|t| references("tags", t, 0, MAX_TAGS))
                .transpose()?,
            sources: p.sources.as_deref().map(sources).transpose()?,
            featured_image_url: clearable(&p.featured_image_url, |v| {
                optional_url("featuredImageUrl", Some(v))
            })?,
            featured_image_alt: clearable(&p.featured_image_alt, |v| {
                optional_text("featuredImageAlt", Some(v), ALT_MAX)
            })?,
            seo_title: clearable(&p.seo_title, |v| {
                optional_text("seoTitle", Some(v), SEO_TITLE_MAX)
            })?,
            seo_description: clearable(&p.seo_description, |v| {
                optional_text("seoDescription", Some(v), SEO_DESCRIPTION_MAX)
            })?,
        })
    }

    /// What the patch changes in `current`, its references resolved (an author must stay
    /// in the byline of what they edit).
    pub async fn compare(
        self,
        conn: &impl ConnectionTrait,
        access: Access,
        current: &Current,
    ) -> AppResult<Edit> {
        use article::Column as C;
        let old = &current.model;
        let mut edit = Edit::default();
        edit.text("title", C::Title, &old.title, self.title);
        edit.text(
            "standfirst",
            C::Standfirst,
            &old.standfirst,
            self.standfirst,
        );
        edit.text("language", C::Language, &old.language, self.language);
        edit.body(&old.body, self.body);
        let url = self.featured_image_url;
        edit.optional(
            "featuredImageUrl",
            C::FeaturedImageUrl,
            &old.featured_image_url,
            url,
        );
        let alt = self.featured_image_alt;
        edit.optional(
            "featuredImageAlt",
            C::FeaturedImageAlt,
            &old.featured_image_alt,
            alt,
        );
        edit.optional("seoTitle", C::SeoTitle, &old.seo_title, self.seo_title);
        let description = self.seo_description;
        edit.optional(
            "seoDescription",
            C::SeoDescription,
            &old.seo_description,
            description,
        );
        if let Some(slug) = self.slug.filter(|s| s != &old.slug) {
            let slug =
                choose_slug(conn, SlugTable::Articles, &slug, Some(&slug), Some(old.id)).await?;
            edit.text("slug", C::Slug, &old.slug, Some(slug));
        }
        if let Some(rubric) = self.rubric {
            let id = referenced(conn, SlugTable::Rubrics, "rubric", &[rubric]).await?[0];
            if edit.changes.note("rubric", &old.rubric_id, &id) {
                edit.columns.push((C::RubricId, id.into()));
            }
        }
        if let Some(keys) = self.authors {
            let ids = referenced(conn, SlugTable::Authors, "authors", &keys).await?;
            access.check_byline(&ids)?;
            edit.authors = edit
                .changes
                .note("authors", &current.authors, &ids)
                .then_some(ids);
        }
        if let Some(keys) = self.tags {
            let mut ids = referenced(conn, SlugTable::Tags, "tags", &keys).await?;
            ids.sort_unstable();
            edit.tags = edit
                .changes
                .note("tags", &current.tags, &ids)
                .then_some(ids);
        }
        if let Some(sources) = self.sources {
            let (old, new) = (sources_json(&current.sources), sources_json(&sources));
            edit.sources = edit.changes.note("sources", &old, &new).then_some(sources);
        }
        Ok(edit)
    }
}
