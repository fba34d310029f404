//! One feed, three formats: RSS 2.0 (`rss`), Atom 1.0 (`atom_syndication`) and JSON Feed
//! 1.1 (serde). Each carries, per article: a stable id, the title, the link, the
//! standfirst as summary, the byline, the rubric and tags as categories, the publication
//! date and (Atom, JSON Feed; RSS items have no such field) the last change, and the
//! sanitised body HTML when the feed is full.
//!
//! Every field is either plain text, declared as such (titles, names, categories, Atom's
//! `type="text"`, JSON Feed's `title`/`summary`/`content_text`), or sanitised HTML (the
//! body, rendered by `content::markdown`). RSS's item `description` is HTML to every reader,
//! so the plain-text standfirst is escaped into it, never copied raw.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Links, article_urn, escape};
use crate::content::syndication::{FeedData, FeedEntry, FeedQuery};
use crate::error::AppError;

/// The three formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

impl FeedFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Rss => "application/rss+xml; charset=utf-8",
            Self::Atom => "application/atom+xml; charset=utf-8",
            Self::Json => "application/feed+json; charset=utf-8",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Self::Rss => "/v1/feeds/rss",
            Self::Atom => "/v1/feeds/atom",
            Self::Json => "/v1/feeds/json",
        }
    }
}

/// What a feed says about itself, from its query and content.
struct FeedMeta {
    title: String,
    description: String,
    /// The list this feed follows (`/v1/articles` with the same filters).
    home: String,
    /// This feed (canonical parameter order; without `limit`, so that it names the feed
    /// whatever its length, as Atom's `id` must).
    this: String,
    language: Option<String>,
    updated: DateTime<Utc>,
}

fn filters_query(query: &FeedQuery) -> String {
    let pairs: Vec<String> = [
        ("rubric", &query.rubric),
        ("author", &query.author),
        ("tag", &query.tag),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
    .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!("?{}", pairs.join("&"))
    }
}

fn meta(
    site_name: &str,
    links: &Links,
    format: FeedFormat,
    query: &FeedQuery,
    data: &FeedData,
) -> FeedMeta {
    let names: Vec<&str> = data.subjects.iter().map(|s| s.name.as_str()).collect();
    let title = if names.is_empty() {
        site_name.to_owned()
    } else {
        format!("{site_name} — {}", names.join(" · "))
    };
    let description = match data.subjects.as_slice() {
        [one] if !one.description.trim().is_empty() => one.description.clone(),
        [] => format!("The latest articles of {site_name}"),
        _ => format!("The latest articles of {site_name}: {}", names.join(" · ")),
    };
    let mut languages = data.entries.iter().map(|e| e.article.language.as_str());
    let first = languages.next();
    let language = first
        .filter(|l| languages.all(|other| other == *l))
        .map(str::to_owned);
    let filters = filters_query(query);
    FeedMeta {
        title,
        description,
        home: links.at(&format!("/v1/articles{filters}")),
        this: links.at(&format!("{}{filters}", format.path())),
        language,
        updated: data.updated().unwrap_or(DateTime::UNIX_EPOCH),
    }
}

/// The categories of an entry: its rubric, then its tags, as `(name, slug, scheme URL)`.
fn categories<'a>(
    entry: &'a FeedEntry,
    links: &Links,
) -> impl Iterator<Item = (&'a str, &'a str, String)> {
    let rubric = &entry.article.rubric;
    std::iter::once((
        rubric.name.as_str(),
        rubric.slug.as_str(),
        links.at("/v1/rubrics"),
    ))
    .chain(
        entry
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.slug.as_str(), links.at("/v1/tags"))),
    )
}

fn body_html(entry: &FeedEntry) -> Option<String> {
    entry.article.body.as_ref().map(|b| b.html.clone())
}

/// Writes `data` in `format`.
pub fn render(
    format: FeedFormat,
    site_name: &str,
    links: &Links,
    query: &FeedQuery,
    data: &FeedData,
) -> Result<String, AppError> {
    let meta = meta(site_name, links, format, query, data);
    match format {
        FeedFormat::Rss => rss(&meta, links, data),
        FeedFormat::Atom => atom(&meta, site_name, links, data),
        FeedFormat::Json => json(&meta, links, data),
    }
}

fn rss(meta: &FeedMeta, links: &Links, data: &FeedData) -> Result<String, AppError> {
    let items = data
        .entries
        .iter()
        .map(|entry| {
            let a = &entry.article;
            rss::Item {
                title: Some(a.title.clone()),
                link: Some(links.article(&a.slug)),
                // HTML: the standfirst is plain text, so its markup is shown, not run.
                description: Some(escape(&a.standfirst)),
                guid: Some(rss::Guid {
                    value: article_urn(a.id),
                    permalink: false,
                }),
                pub_date: a.published_at.map(|p| p.to_rfc2822()),
                categories: categories(entry, links)
                    .map(|(name, _, scheme)| rss::Category {
                        name: name.to_owned(),
                        domain: Some(scheme),
                    })
                    .collect(),
                content: body_html(entry),
                // RSS's own `author` holds an email address; names go in `dc:creator`.
                dublin_core_ext: Some(rss::extension::dublincore::DublinCoreExtension {
                    creators: a.authors.iter().map(|x| x.display_name.clone()).collect(),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let channel = rss::Channel {
        title: meta.title.clone(),
        link: meta.home.clone(),
        description: meta.description.clone(),
        language: meta.language.clone(),
        last_build_date: Some(meta.updated.to_rfc2822()),
        generator: Some("Kiosque".into()),
        docs: Some("https://www.rssboard.org/rss-specification".into()),
        items,
        ..Default::default()
    };
    let bytes = channel
        .write_to(Vec::new())
        .map_err(|e| AppError::Internal(format!("writing an RSS feed: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(format!("RSS feed: {e}")))
}

fn atom(
    meta: &FeedMeta,
    site_name: &str,
    links: &Links,
    data: &FeedData,
) -> Result<String, AppError> {
    use atom_syndication as atom;
    let entries = data
        .entries
        .iter()
        .map(|entry| {
            let a = &entry.article;
            atom::Entry {
                title: atom::Text::plain(a.title.clone()),
                id: article_urn(a.id),
                updated: entry.updated().fixed_offset(),
                published: a.published_at.map(|p| p.fixed_offset()),
                authors: a
                    .authors
                    .iter()
                    .map(|x| atom::Person {
                        name: x.display_name.clone(),
                        uri: Some(links.author(&x.slug)),
                        ..Default::default()
                    })
                    .collect(),
                categories: categories(entry, links)
                    .map(|(name, slug, scheme)| atom::Category {
                        term: slug.to_owned(),
                        scheme: Some(scheme),
                        label: Some(name.to_owned()),
                    })
                    .collect(),
                links: vec![atom::Link {
                    href: links.article(&a.slug),
                    rel: "alternate".into(),
                    hreflang: Some(a.language.clone()),
                    ..Default::default()
                }],
                summary: Some(atom::Text::plain(a.standfirst.clone())),
                content: body_html(entry).map(|html| atom::Content {
                    value: Some(html),
                    content_type: Some("html".into()),
                    lang: Some(a.language.clone()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let feed = atom::Feed {
        title: atom::Text::plain(meta.title.clone()),
        id: meta.this.clone(),
        updated: meta.updated.fixed_offset(),
        // Every entry names its authors; the feed's author covers one that has none.
        authors: vec![atom::Person {
            name: site_name.to_owned(),
            ..Default::default()
        }],
        links: vec![
            atom::Link {
                href: meta.this.clone(),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            atom::Link {
                href: meta.home.clone(),
                rel: "alternate".into(),
                ..Default::default()
            },
        ],
        subtitle: Some(atom::Text::plain(meta.description.clone())),
        lang: meta.language.clone(),
        entries,
        ..Default::default()
    };
    let bytes = feed
        .write_to(Vec::new())
        .map_err(|e| AppError::Internal(format!("writing an Atom feed: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(format!("Atom feed: {e}")))
}

/// JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>).
#[derive(Serialize)]
struct JsonFeed {
    version: &'static str,
    title: String,
    home_page_url: String,
    feed_url: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    items: Vec<JsonItem>,
}

#[derive(Serialize)]
struct JsonItem {
    id: String,
    url: String,
    title: String,
    summary: String,
    /// The body for full feeds; otherwise `content_text` repeats the summary (an item must
    /// have one or the other).
    #[serde(skip_serializing_if = "Option::is_none")]
    content_html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<DateTime<Utc>>,
    date_modified: DateTime<Utc>,
    authors: Vec<JsonAuthor>,
    tags: Vec<String>,
    language: String,
}

#[derive(Serialize)]
struct JsonAuthor {
    name: String,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    avatar: Option<String>,
}

fn json(meta: &FeedMeta, links: &Links, data: &FeedData) -> Result<String, AppError> {
    let items = data
        .entries
        .iter()
        .map(|entry| {
            let a = &entry.article;
            let content_html = body_html(entry);
            JsonItem {
                id: article_urn(a.id),
                url: links.article(&a.slug),
                title: a.title.clone(),
                summary: a.standfirst.clone(),
                content_text: content_html.is_none().then(|| a.standfirst.clone()),
                content_html,
                image: a.featured_image_url.clone(),
                date_published: a.published_at,
                date_modified: entry.updated(),
                authors: a
                    .authors
                    .iter()
                    .map(|x| JsonAuthor {
                        name: x.display_name.clone(),
                        url: links.author(&x.slug),
                        avatar: x.avatar_url.clone(),
                    })
                    .collect(),
                tags: categories(entry, links)
                    .map(|(name, _, _)| name.to_owned())
                    .collect(),
                language: a.language.clone(),
            }
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: meta.title.clone(),
        home_page_url: meta.home.clone(),
        feed_url: meta.this.clone(),
        description: meta.description.clone(),
        language: meta.language.clone(),
        items,
    };
    serde_json::to_string(&feed).map_err(|e| AppError::Internal(format!("JSON feed: {e}")))
}
