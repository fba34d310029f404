//! The demo newsroom as its data files say it (`demo/README.md` describes them): parsed
//! and checked before anything is written, so that a mistake in a file is one clear sentence
//! naming the file, never a half-seeded database.

use std::collections::HashSet;

use chrono::Duration;
use serde::Deserialize;

use super::{checks, files};

/// `demo/index.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    pub setup: Setup,
    pub rubrics: Vec<Rubric>,
    pub authors: Vec<Author>,
    pub tags: Vec<Tag>,
    pub sources: Vec<Source>,
    pub commenters: Vec<Commenter>,
}

/// When the newsroom was set up, and how long moderation takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    pub rubrics: Offset,
    pub authors: Offset,
    pub tags: Offset,
    pub moderation_delay: Offset,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub slug: String,
    pub name: String,
    pub parent: Option<String>,
    pub position: i32,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub slug: String,
    pub name: String,
    pub avatar: Option<String>,
    pub bio: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub key: String,
    pub name: String,
    pub url: String,
}

/// A reader who comments as a guest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commenter {
    pub key: String,
    pub name: String,
    pub email: String,
}

/// An article file: its front matter and its Markdown body.
#[derive(Debug)]
pub struct Article {
    pub front: FrontMatter,
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub slug: String,
    pub language: String,
    pub rubric: String,
    pub authors: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub standfirst: String,
    pub status: Status,
    /// When the draft was started.
    pub created: Offset,
    /// The last edit, which added the body's last section (see [`Article::first_body`]).
    pub updated: Option<Offset>,
    /// When it was published (published and archived articles).
    pub published: Option<Offset>,
    /// When it was archived.
    pub archived: Option<Offset>,
    /// A scheduled article's publication time (in the future).
    pub scheduled: Option<Offset>,
    /// When it was scheduled (its creation time when absent).
    pub scheduled_on: Option<Offset>,
    /// Keys of `index.toml`'s sources, in order.
    #[serde(default)]
    pub sources: Vec<String>,
    pub image: Option<Image>,
    pub seo: Option<Seo>,
    /// Readers' comments, oldest first.
    #[serde(default)]
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Published,
    Scheduled,
    Archived,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub url: String,
    pub alt: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// A commenter's key.
    pub by: String,
    /// The comment this one answers: its number in the article's list, from 1.
    pub reply_to: Option<usize>,
    pub posted: Offset,
    pub status: CommentStatus,
    pub body: String,
}

/// What moderation decided (`pending`: nothing yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Pending,
    Approved,
    Rejected,
    Spam,
}

/// A time relative to the seeding run: `"-37d 4h"`, `"+48h"`, `"7m"` (units d, h, m, s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Offset(pub Duration);

impl TryFrom<String> for Offset {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        let bad = || format!("`{raw}` is not a relative time such as \"-37d 4h\" or \"+48h\"");
        let text = raw.trim();
        let (sign, rest) = match text.as_bytes().first() {
            Some(b'-') => (-1, &text[1..]),
            Some(b'+') => (1, &text[1..]),
            _ => (1, text),
        };
        let mut seconds: i64 = 0;
        let mut parts = 0;
        for part in rest.split_whitespace() {
            let unit = match part.as_bytes().last() {
                Some(b'd') => 86_400,
                Some(b'h') => 3_600,
                Some(b'm') => 60,
                Some(b's') => 1,
                _ => return Err(bad()),
            };
            let n: i64 = part[..part.len() - 1].parse().map_err(|_| bad())?;
            seconds = n
                .checked_mul(unit)
                .and_then(|s| seconds.checked_add(s))
                .ok_or_else(bad)?;
            parts += 1;
        }
        if parts == 0 {
            return Err(bad());
        }
        Ok(Self(Duration::seconds(sign * seconds)))
    }
}

impl Article {
    /// The body as first saved when the article has a later edit: without its last
    /// section (from its last `## ` heading on), which the edit adds.
    pub fn first_body(&self) -> String {
        match self.body.rfind("\n## ") {
            Some(cut) if self.front.updated.is_some() => {
                format!("{}\n", self.body[..cut].trim_end())
            }
            None | Some(_) => self.body.clone(),
        }
    }
}

/// The whole newsroom, parsed and checked.
#[derive(Debug)]
pub struct Newsroom {
    pub index: Index,
    pub articles: Vec<Article>,
}

impl Newsroom {
    /// The embedded files, or what is wrong with them.
    pub fn load() -> Result<Self, String> {
        let index: Index =
            toml::from_str(files::INDEX).map_err(|e| format!("demo/index.toml: {e}"))?;
        checks::index(&index).map_err(|e| format!("demo/index.toml: {e}"))?;
        let mut articles = Vec::with_capacity(files::ARTICLES.len());
        let mut slugs = HashSet::new();
        for (slug, text) in files::ARTICLES {
            let name = format!("demo/articles/{slug}.md");
            let article = parse_article(text).map_err(|e| format!("{name}: {e}"))?;
            if article.front.slug != *slug {
                return Err(format!("{name}: its slug must be its file name"));
            }
            if !slugs.insert(*slug) {
                return Err(format!("{name}: listed twice"));
            }
            checks::article(&index, &article).map_err(|e| format!("{name}: {e}"))?;
            articles.push(article);
        }
        Ok(Self { index, articles })
    }

    pub fn source(&self, key: &str) -> Option<&Source> {
        self.index.sources.iter().find(|s| s.key == key)
    }

    pub fn commenter(&self, key: &str) -> Option<&Commenter> {
        self.index.commenters.iter().find(|c| c.key == key)
    }
}

/// Splits `+++` front matter from the body (the blank lines after the front matter are
/// not part of the body).
pub(super) fn parse_article(text: &str) -> Result<Article, String> {
    let rest = text
        .strip_prefix("+++\n")
        .ok_or("the file starts with a `+++` line")?;
    let (front, body) = rest
        .split_once("\n+++\n")
        .ok_or("the front matter ends with a `+++` line")?;
    let front: FrontMatter = toml::from_str(front).map_err(|e| e.to_string())?;
    Ok(Article {
        front,
        body: body.trim_start_matches('\n').to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_parses_and_every_reference_exists() {
        let newsroom = Newsroom::load().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(newsroom.articles.len(), files::ARTICLES.len());
        assert!(newsroom.index.rubrics.len() >= 8 && newsroom.index.authors.len() == 10);
    }

    #[test]
    fn the_embedded_list_is_the_articles_folder() {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/articles");
        let mut on_disk: Vec<String> = std::fs::read_dir(&folder)
            .expect("demo/articles")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = files::ARTICLES
            .iter()
            .map(|(slug, _)| format!("{slug}.md"))
            .collect();
        listed.sort();
        assert_eq!(
            on_disk, listed,
            "list every file of demo/articles in files.rs"
        );
    }

    #[test]
    fn relative_times_read_as_written() {
        let read = |s: &str| Offset::try_from(s.to_owned()).map(|o| o.0.num_seconds());
        assert_eq!(read("-37d 4h"), Ok(-(37 * 86_400 + 4 * 3_600)));
        assert_eq!(read("+48h"), Ok(48 * 3_600));
        assert_eq!(read("7m"), Ok(420));
        assert_eq!(read("-1d 2h 3m 4s"), Ok(-93_784));
        for bad in ["", "-", "37", "-3w", "-d", "+1h x"] {
            assert!(read(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_edited_article_is_first_saved_without_its_last_section() {
        let newsroom = Newsroom::load().unwrap();
        let edited = newsroom
            .articles
            .iter()
            .find(|a| a.front.updated.is_some())
            .expect("an edited article");
        let first = edited.first_body();
        assert!(edited.body.starts_with(&first) && first.len() < edited.body.len());
        assert!(edited.body[first.len()..].trim_start().starts_with("## "));
    }
}
