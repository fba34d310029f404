//! The URLs of the sitemap: every rubric and author page, then every visible article
//! (newest first), read a slice at a time so that a sitemap of a million articles is cut
//! into files without loading them all.

use chrono::{DateTime, Utc};

use super::Articles;
use super::rows::visible;
use crate::content::Viewer;
use crate::db::dialect::Sql;
use crate::error::AppResult;

/// The most URLs one sitemap file may hold (the protocol's limit).
pub const MAX_SITEMAP_URLS_PER_FILE: usize = 50_000;

/// What a sitemap URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapKind {
    Rubric,
    Author,
    Article,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapEntry {
    pub kind: SitemapKind,
    pub slug: String,
    /// Articles only: the later of the last edit and the publication.
    pub last_modified: Option<DateTime<Utc>>,
}

/// How many URLs the sitemap has, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SitemapSize {
    pub catalogue: i64,
    pub articles: i64,
}

impl SitemapSize {
    pub fn total(&self) -> i64 {
        self.catalogue + self.articles
    }
}

impl Articles<'_> {
    /// The number of sitemap URLs: one statement.
    pub async fn sitemap_size(&self, viewer: &Viewer) -> AppResult<SitemapSize> {
        let mut sql = Sql::new(self.content.backend());
        sql.push(
            "SELECT (SELECT count(*) FROM rubrics) + (SELECT count(*) FROM authors) AS catalogue, \
             (SELECT count(*) FROM articles c WHERE ",
        );
        visible(&mut sql, "c", viewer);
        sql.push(") AS articles");
        let row = self.content.db.read_one(sql.build()).await?;
        Ok(match row {
            Some(row) => SitemapSize {
                catalogue: row.try_get("", "catalogue")?,
                articles: row.try_get("", "articles")?,
            },
            None => SitemapSize::default(),
        })
    }

    /// The sitemap URLs `offset .. offset + limit` (rubrics and authors first, then
    /// articles newest first): at most one statement for each of the two parts the slice
    /// overlaps.
    pub async fn sitemap_slice(
        &self,
        viewer: &Viewer,
        size: SitemapSize,
        offset: i64,
        limit: i64,
    ) -> AppResult<Vec<SitemapEntry>> {
        let mut out = Vec::new();
        let end = offset + limit;
        if offset < size.catalogue {
            let mut sql = Sql::new(self.content.backend());
            sql.push(
                "SELECT kind, slug FROM (SELECT 0 AS kind, slug, position AS k, id FROM rubrics \
                 UNION ALL SELECT 1 AS kind, slug, 0 AS k, id FROM authors) u \
                 ORDER BY kind, k, id LIMIT ",
            );
            sql.bind(end.min(size.catalogue) - offset)
                .push(" OFFSET ")
                .bind(offset);
            for row in self.content.db.read_all(sql.build()).await? {
                let kind: i32 = row.try_get("", "kind")?;
                out.push(SitemapEntry {
                    kind: if kind == 0 {
                        SitemapKind::Rubric
                    } else {
                        SitemapKind::Author
                    },
                    slug: row.try_get("", "slug")?,
                    last_modified: None,
                });
            }
        }
        if end > size.catalogue {
            let from = (offset - size.catalogue).max(0);
            let mut sql = Sql::new(self.content.backend());
            sql.push("SELECT a.slug, a.published_at, a.updated_at FROM articles a WHERE ");
            visible(&mut sql, "a", viewer);
            sql.push(" ORDER BY a.published_at DESC, a.id DESC LIMIT ")
                .bind(end - size.catalogue - from)
                .push(" OFFSET ")
                .bind(from);
            for row in self.content.db.read_all(sql.build()).await? {
                let published: Option<DateTime<Utc>> = row.try_get("", "published_at")?;
                let updated: DateTime<Utc> = row.try_get("", "updated_at")?;
                out.push(SitemapEntry {
                    kind: SitemapKind::Article,
                    slug: row.try_get("", "slug")?,
                    last_modified: Some(published.map_or(updated, |p| p.max(updated))),
                });
            }
        }
        Ok(out)
    }
}
