//! "More in this rubric": related articles (same rubric first, then articles of other
//! rubrics sharing the most tags) and previous/next in the rubric by publication date.
//! Both are batched over many source articles: a constant number of statements.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Articles;
use super::model::*;
use super::rows::{sort_expr, visible};
use crate::content::Viewer;
use crate::db::dialect::Sql;
use crate::error::AppResult;

/// The neighbours of an article in its rubric, by publication date.
#[derive(Debug, Clone, Default)]
pub struct Adjacent {
    /// The article published just before (older).
    pub previous: Option<ArticleRecord>,
    /// The article published just after (newer).
    pub next: Option<ArticleRecord>,
}

/// Writes ` FROM articles {alias} WHERE …` up to its `LIMIT n`: the `n` latest other visible
/// articles of the rubric `rubric` than the article `id`. The caller writes what is
/// selected.
pub(super) fn latest_of_rubric(
    sql: &mut Sql,
    viewer: &Viewer,
    n: u32,
    alias: &str,
    (id, rubric): (&str, &str),
) {
    let key = sort_expr(ArticleOrder::PublishedAtDesc, viewer, alias);
    sql.push(&format!(" FROM articles {alias} WHERE "));
    visible(sql, alias, viewer);
    sql.push(&format!(
        " AND {alias}.rubric_id = {rubric} AND {alias}.id <> {id} ORDER BY {key} DESC, {alias}.id DESC LIMIT {n}"
    ));
}

impl Articles<'_> {
    /// Up to `n` of the latest other articles of the rubric of each source article: one
    /// statement.
    pub async fn more_in_rubric(
        &self,
        viewer: &Viewer,
        ids: &[i64],
        n: u32,
        parts: ArticleParts,
    ) -> AppResult<HashMap<i64, Vec<ArticleRecord>>> {
        let mut out: HashMap<i64, Vec<ArticleRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        if ids.is_empty() || n == 0 {
            return Ok(out);
        }
        let same_rubric = |sql: &mut Sql| -> AppResult<()> {
            sql.push("SELECT s.id");
            latest_of_rubric(sql, viewer, n, "s", ("g.id", "g.rubric_id"));
            Ok(())
        };
        let outer = sort_expr(ArticleOrder::PublishedAtDesc, viewer, "p");
        for (source, article) in self
            .grouped(
                "articles",
                ids,
                parts,
                &[&same_rubric],
                "",
                &format!("{outer} DESC, p.id DESC"),
            )
            .await?
        {
            out.entry(source).or_default().push(article);
        }
        Ok(out)
    }

    /// Up to `n` related articles for each source article id: the latest of the same
    /// rubric, then (only when the rubric has too few) articles of other rubrics sharing the
    /// most tags, which costs one more statement.
    pub async fn related(
        &self,
        viewer: &Viewer,
        ids: &[i64],
        n: u32,
        parts: ArticleParts,
    ) -> AppResult<HashMap<i64, Vec<ArticleRecord>>> {
        let mut out = self.more_in_rubric(viewer, ids, n, parts).await?;
        if ids.is_empty() || n == 0 {
            return Ok(out);
        }
        let key = sort_expr(ArticleOrder::PublishedAtDesc, viewer, "s");
        let outer = sort_expr(ArticleOrder::PublishedAtDesc, viewer, "p");
        let short: Vec<i64> = out
            .iter()
            .filter(|(_, v)| v.len() < n as usize)
            .map(|(id, _)| *id)
            .collect();
        if short.is_empty() {
            return Ok(out);
        }
        // Fill from other rubrics, most shared tags first. Only sources whose rubric had too
        // few articles get here, so this is at most one more statement.
        let sharing_tags = |sql: &mut Sql| -> AppResult<()> {
            sql.push(
                "SELECT t2.article_id AS id FROM article_tags t1 JOIN article_tags t2 ON t2.tag_id = t1.tag_id \
                 JOIN articles s ON s.id = t2.article_id WHERE t1.article_id = g.id AND s.rubric_id <> g.rubric_id AND ",
            );
            visible(sql, "s", viewer);
            sql.push(&format!(" GROUP BY t2.article_id ORDER BY count(*) DESC, max({key}) DESC, t2.article_id DESC LIMIT {n}"));
            Ok(())
        };
        let shared_rank = "(SELECT count(*) FROM article_tags x1 JOIN article_tags x2 ON x2.tag_id = x1.tag_id \
                           WHERE x1.article_id = g.id AND x2.article_id = a.id)";
        for (source, article) in self
            .grouped(
                "articles",
                &short,
                parts,
                &[&sharing_tags],
                &format!(", {shared_rank} AS shared_tags"),
                &format!("p.shared_tags DESC, {outer} DESC, p.id DESC"),
            )
            .await?
        {
            let list = out.entry(source).or_default();
            if list.len() < n as usize {
                list.push(article);
            }
        }
        Ok(out)
    }

    /// The previous and next article in the rubric of each source article, given as
    /// `(id, publication time)` (its position in the rubric's order).
    pub async fn adjacent(
        &self,
        viewer: &Viewer,
        sources: &[(i64, DateTime<Utc>)],
        parts: ArticleParts,
    ) -> AppResult<HashMap<i64, Adjacent>> {
        let mut out: HashMap<i64, Adjacent> = HashMap::new();
        if sources.is_empty() {
            return Ok(out);
        }
        let ids: Vec<i64> = sources.iter().map(|(id, _)| *id).collect();
        let ids = ids.as_slice();
        let key_s = sort_expr(ArticleOrder::PublishedAtDesc, viewer, "s");
        let key_g = sort_expr(ArticleOrder::PublishedAtDesc, viewer, "g");
        let side = |cmp: &'static str, dir: &'static str| {
            let (key_s, key_g) = (key_s.clone(), key_g.clone());
            move |sql: &mut Sql| -> AppResult<()> {
                sql.push("SELECT s.id FROM articles s WHERE ");
                visible(sql, "s", viewer);
                sql.push(&format!(
                    " AND s.rubric_id = g.rubric_id AND ({key_s}, s.id) {cmp} ({key_g}, g.id) \
                     ORDER BY {key_s} {dir}, s.id {dir} LIMIT 1"
                ));
                Ok(())
            }
        };
        let previous = side("<", "DESC");
        let next = side(">", "ASC");
        let outer = sort_expr(ArticleOrder::PublishedAtDesc, viewer, "p");
        let rows = self
            .grouped(
                "articles",
                ids,
                parts,
                &[&previous, &next],
                "",
                &format!("{outer} DESC, p.id DESC"),
            )
            .await?;
        // Rows come newest first within a source: with both neighbours present, the newer is
        // "next"; with one, compare it with the source's position.
        let mut by_source: HashMap<i64, Vec<ArticleRecord>> = HashMap::new();
        for (source, article) in rows {
            by_source.entry(source).or_default().push(article);
        }
        let positions: HashMap<i64, (DateTime<Utc>, i64)> =
            sources.iter().map(|(id, at)| (*id, (*at, *id))).collect();
        for (source, found) in by_source {
            let Some(position) = positions.get(&source) else {
                continue;
            };
            let entry = out.entry(source).or_default();
            for article in found {
                if article.position() < *position {
                    entry.previous = Some(article);
                } else {
                    entry.next = Some(article);
                }
            }
        }
        Ok(out)
    }
}
