//! Article lookups and lists. Each method is ONE statement on the hot path (lists carry
//! their total in the same statement), whatever the page size.

use std::collections::HashMap;

use sea_orm::DatabaseBackend;

use super::Articles;
use super::model::*;
use super::rows::{self, cursor_of, from_row, sort_expr, visible};
use crate::content::Viewer;
use crate::content::pagination::{Cursor, Direction, Page, PageRequest, SortValue};
use crate::db::dialect::search::{self, SearchPlan, candidate_join};
use crate::db::dialect::{self, Sql};
use crate::db::reads::Plan;
use crate::error::{AppError, AppResult};

/// What a nested article list hangs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArticleGroup {
    Rubric,
    Author,
    Tag,
}

impl ArticleGroup {
    fn table(self) -> &'static str {
        match self {
            Self::Rubric => "rubrics",
            Self::Author => "authors",
            Self::Tag => "tags",
        }
    }

    /// "`x` belongs to the group row `g`".
    fn condition(self, x: &str) -> String {
        match self {
            Self::Rubric => format!("{x}.rubric_id = g.id"),
            Self::Author => format!(
                "EXISTS (SELECT 1 FROM article_authors ga WHERE ga.article_id = {x}.id AND ga.author_id = g.id)"
            ),
            Self::Tag => format!(
                "EXISTS (SELECT 1 FROM article_tags gt WHERE gt.article_id = {x}.id AND gt.tag_id = g.id)"
            ),
        }
    }
}

/// Writes ` AND …` for each filter on `alias`.
fn filters(sql: &mut Sql, alias: &str, filter: &ArticleFilter, viewer: &Viewer) {
    if let Some(rubric) = &filter.rubric {
        sql.push(&format!(
            " AND {alias}.rubric_id = (SELECT id FROM rubrics WHERE slug = "
        ));
        sql.bind(rubric.clone()).push(")");
    }
    if let Some(author) = &filter.author {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM article_authors fa JOIN authors fau ON fau.id = fa.author_id \
             WHERE fa.article_id = {alias}.id AND fau.slug = "
        ));
        sql.bind(author.clone()).push(")");
    }
    if let Some(tag) = &filter.tag {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM article_tags ft JOIN tags ftt ON ftt.id = ft.tag_id \
             WHERE ft.article_id = {alias}.id AND ftt.slug = "
        ));
        sql.bind(tag.clone()).push(")");
    }
    if let Some(language) = &filter.language {
        sql.push(&format!(" AND {alias}.language = "));
        sql.bind(language.clone());
    }
    if let Some(after) = filter.published_after {
        sql.push(&format!(" AND {alias}.published_at >= "));
        sql.bind(after);
    }
    if let Some(before) = filter.published_before {
        sql.push(&format!(" AND {alias}.published_at < "));
        sql.bind(before);
    }
    if let (Some(status), crate::content::Audience::Staff) = (filter.status, viewer.audience) {
        sql.push(&format!(" AND {alias}.status = "));
        sql.bind(status.as_str());
    }
}

/// Whether `filter` is answered from the bylines alone: the public's author list by date,
/// optionally narrowed to a rubric and a date range. The bylines carry copies of their
/// article's rubric, status and date (migration 000008, kept by triggers), and the index
/// `article_authors_visible_by_{rubric,date}` matches filter + order: the page and its total
/// are one range scan each, however many articles the author has signed.
fn by_byline(filter: &ArticleFilter, order: ArticleOrder, viewer: &Viewer) -> bool {
    filter.author.is_some()
        && filter.tag.is_none()
        && filter.language.is_none()
        && viewer.audience == crate::content::Audience::Public
        && !order.by_title()
}

/// Writes the conditions of [`by_byline`] on the byline `alias` (no leading `AND`).
fn byline_filters(sql: &mut Sql, alias: &str, filter: &ArticleFilter, viewer: &Viewer) {
    sql.push(&format!(
        "{alias}.author_id = (SELECT id FROM authors WHERE slug = "
    ));
    sql.bind(filter.author.clone().unwrap_or_default())
        .push(")");
    if let Some(rubric) = &filter.rubric {
        sql.push(&format!(
            " AND {alias}.rubric_id = (SELECT id FROM rubrics WHERE slug = "
        ));
        sql.bind(rubric.clone()).push(")");
    }
    sql.push(" AND ");
    crate::content::visibility::public(sql, alias, viewer.now);
    if let Some(after) = filter.published_after {
        sql.push(&format!(" AND {alias}.published_at >= "));
        sql.bind(after);
    }
    if let Some(before) = filter.published_before {
        sql.push(&format!(" AND {alias}.published_at < "));
        sql.bind(before);
    }
}

/// Writes the keyset condition and returns the ORDER BY clause for `alias`.
fn keyset(
    sql: &mut Sql,
    alias: &str,
    id: &str,
    order: ArticleOrder,
    viewer: &Viewer,
    page: &PageRequest,
) -> AppResult<String> {
    let key = sort_expr(order, viewer, alias);
    let descending = order.is_desc() ^ (page.direction == Direction::Backward);
    if let Some(cursor) = &page.cursor {
        let field = if page.direction == Direction::Forward {
            "after"
        } else {
            "before"
        };
        let cmp = if descending { "<" } else { ">" };
        sql.push(&format!(" AND ({key}, {id}) {cmp} ("));
        match (&cursor.key, order.by_title()) {
            (SortValue::Text(t), true) => sql.bind(t.clone()),
            (SortValue::Time(t), false) => sql.bind(*t),
            _ => {
                return Err(AppError::invalid(
                    field,
                    "this cursor belongs to a list in another order",
                ));
            }
        };
        sql.push(", ").bind(cursor.id).push(")");
    }
    let dir = if descending { "DESC" } else { "ASC" };
    Ok(format!("{key} {dir}, {id} {dir}"))
}

/// The ORDER BY of the wrapped rows (`p`), the same as the inner page's.
fn outer_order(order: ArticleOrder, viewer: &Viewer, page: &PageRequest) -> String {
    let key = sort_expr(order, viewer, "p");
    let dir = if order.is_desc() ^ (page.direction == Direction::Backward) {
        "DESC"
    } else {
        "ASC"
    };
    format!("{key} {dir}, p.id {dir}")
}

/// What [`Articles::fetch`] read.
struct Fetched {
    records: Vec<ArticleRecord>,
    rows: Vec<sea_orm::QueryResult>,
}

impl Articles<'_> {
    fn backend(&self) -> DatabaseBackend {
        self.content.backend()
    }

    /// Runs an article query: its records, read from the rows in place (a record is some
    /// 400 bytes, and every pass that moves it between vectors shows in a page's profile),
    /// and the rows, for the extra columns its caller reads by name.
    async fn fetch(&self, sql: Sql, parts: ArticleParts) -> AppResult<Fetched> {
        self.fetch_planned(sql, parts, Plan::Generic).await
    }

    async fn fetch_planned(&self, sql: Sql, parts: ArticleParts, plan: Plan) -> AppResult<Fetched> {
        let rows = self.content.db.read_all_planned(sql.build(), plan).await?;
        let records = rows
            .iter()
            .map(|row| from_row(row, parts))
            .collect::<Result<_, _>>()?;
        Ok(Fetched { records, rows })
    }

    /// One visible article by slug.
    pub async fn find_by_slug(
        &self,
        viewer: &Viewer,
        slug: &str,
        parts: ArticleParts,
    ) -> AppResult<Option<ArticleRecord>> {
        let mut sql = Sql::new(self.backend());
        let inner = |sql: &mut Sql| {
            rows::columns(sql, parts);
            sql.push(" FROM articles a WHERE a.slug = ")
                .bind(slug.to_owned())
                .push(" AND ");
            visible(sql, "a", viewer);
            Ok(())
        };
        rows::wrap(&mut sql, parts, inner, "p.id")?;
        Ok(self.fetch(sql, parts).await?.records.into_iter().next())
    }

    /// Visible articles by id, in no particular order (for loaders and `node`).
    pub async fn find_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[i64],
        parts: ArticleParts,
    ) -> AppResult<Vec<ArticleRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(self.backend());
        let inner = |sql: &mut Sql| {
            rows::columns(sql, parts);
            sql.push(" FROM articles a WHERE ")
                .in_ids("a.id", ids)
                .push(" AND ");
            visible(sql, "a", viewer);
            Ok(())
        };
        rows::wrap(&mut sql, parts, inner, "p.id")?;
        Ok(self.fetch(sql, parts).await?.records)
    }

    /// A filtered, ordered page of visible articles, with the total of the filtered list in
    /// the same statement when asked.
    pub async fn list(
        &self,
        viewer: &Viewer,
        filter: &ArticleFilter,
        order: ArticleOrder,
        page: &PageRequest,
        with_total: bool,
        parts: ArticleParts,
    ) -> AppResult<Page<ArticleRecord>> {
        filter.validate()?;
        let mut sql = Sql::new(self.backend());
        let bylines = by_byline(filter, order, viewer);
        let inner = |sql: &mut Sql| {
            rows::columns(sql, parts);
            if bylines {
                if with_total {
                    sql.push(", (SELECT count(*) FROM article_authors c WHERE ");
                    byline_filters(sql, "c", filter, viewer);
                    sql.push(") AS total_count");
                }
                sql.push(" FROM article_authors b JOIN articles a ON a.id = b.article_id WHERE ");
                byline_filters(sql, "b", filter, viewer);
                let order_by = keyset(sql, "b", "b.article_id", order, viewer, page)?;
                sql.push(&format!(" ORDER BY {order_by} LIMIT {}", page.size + 1));
                return Ok(());
            }
            if with_total {
                sql.push(", (SELECT count(*) FROM articles c WHERE ");
                visible(sql, "c", viewer);
                filters(sql, "c", filter, viewer);
                sql.push(") AS total_count");
            }
            sql.push(" FROM articles a WHERE ");
            visible(sql, "a", viewer);
            filters(sql, "a", filter, viewer);
            let order_by = keyset(sql, "a", "a.id", order, viewer, page)?;
            sql.push(&format!(" ORDER BY {order_by} LIMIT {}", page.size + 1));
            Ok(())
        };
        rows::wrap(&mut sql, parts, inner, &outer_order(order, viewer, page))?;
        let Fetched { records, rows } = self.fetch(sql, parts).await?;
        let total = match (with_total, rows.first()) {
            (false, _) => None,
            (true, Some(row)) => Some(row.try_get::<i64>("", "total_count")?),
            (true, None) => Some(self.count(viewer, filter).await?),
        };
        drop(rows);
        Ok(Page::from_rows(
            page,
            records,
            |a| cursor_of(order, a),
            total,
        ))
    }

    /// The number of visible articles matching `filter`.
    pub async fn count(&self, viewer: &Viewer, filter: &ArticleFilter) -> AppResult<i64> {
        let mut sql = Sql::new(self.backend());
        if by_byline(filter, ArticleOrder::default(), viewer) {
            sql.push("SELECT count(*) AS total_count FROM article_authors c WHERE ");
            byline_filters(&mut sql, "c", filter, viewer);
        } else {
            sql.push("SELECT count(*) AS total_count FROM articles c WHERE ");
            visible(&mut sql, "c", viewer);
            filters(&mut sql, "c", filter, viewer);
        }
        let row = self.content.db.read_one(sql.build()).await?;
        Ok(match row {
            Some(row) => row.try_get("", "total_count")?,
            None => 0,
        })
    }

    /// One page of articles for each of several rubrics, authors or tags, in one statement
    /// (PostgreSQL: `LATERAL … LIMIT`; SQLite: a correlated `IN (… LIMIT)`), plus one
    /// statement for the totals when asked.
    #[allow(clippy::too_many_arguments)]
    pub async fn list_grouped(
        &self,
        viewer: &Viewer,
        group: ArticleGroup,
        ids: &[i64],
        filter: &ArticleFilter,
        order: ArticleOrder,
        page: &PageRequest,
        with_total: bool,
        parts: ArticleParts,
    ) -> AppResult<HashMap<i64, Page<ArticleRecord>>> {
        filter.validate()?;
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let inner = |sql: &mut Sql| -> AppResult<()> {
            sql.push("SELECT s.id FROM articles s WHERE ");
            visible(sql, "s", viewer);
            filters(sql, "s", filter, viewer);
            sql.push(&format!(" AND {}", group.condition("s")));
            let order_by = keyset(sql, "s", "s.id", order, viewer, page)?;
            sql.push(&format!(" ORDER BY {order_by} LIMIT {}", page.size + 1));
            Ok(())
        };
        let rows = self
            .grouped(
                group.table(),
                ids,
                parts,
                &[&inner],
                "",
                &outer_order(order, viewer, page),
            )
            .await?;
        let mut by_group: HashMap<i64, Vec<ArticleRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for (group_id, article) in rows {
            by_group.entry(group_id).or_default().push(article);
        }
        let totals = if with_total {
            Some(self.count_grouped(viewer, group, ids, filter).await?)
        } else {
            None
        };
        Ok(by_group
            .into_iter()
            .map(|(id, records)| {
                let total = totals.as_ref().map(|t| t.get(&id).copied().unwrap_or(0));
                (
                    id,
                    Page::from_rows(page, records, |a| cursor_of(order, a), total),
                )
            })
            .collect())
    }

    /// Reads, for each row `g` of `table` with an id in `ids`, the articles whose ids the
    /// subqueries `subs` select (each may refer to `g` and should be bounded by a LIMIT):
    /// `LATERAL` on PostgreSQL, a correlated `IN (…)` on SQLite. `extra` adds columns
    /// computed from `a` and `g`; `order_in_group` orders the wrapped rows (`p`) within a
    /// group. One statement for any number of groups.
    pub(super) async fn grouped(
        &self,
        table: &str,
        ids: &[i64],
        parts: ArticleParts,
        subs: &[&(dyn Fn(&mut Sql) -> AppResult<()> + Sync)],
        extra: &str,
        order_in_group: &str,
    ) -> AppResult<Vec<(i64, ArticleRecord)>> {
        let backend = self.backend();
        let mut sql = Sql::new(backend);
        let inner = |sql: &mut Sql| -> AppResult<()> {
            self.grouped_page(sql, table, ids, parts, subs, extra)
        };
        rows::wrap(
            &mut sql,
            parts,
            inner,
            &format!("p.group_id, {order_in_group}"),
        )?;
        let Fetched { records, rows } = self.fetch(sql, parts).await?;
        rows.iter()
            .zip(records)
            .map(|(row, a)| Ok((row.try_get::<i64>("", "group_id")?, a)))
            .collect()
    }

    fn grouped_page(
        &self,
        sql: &mut Sql,
        table: &str,
        ids: &[i64],
        parts: ArticleParts,
        subs: &[&(dyn Fn(&mut Sql) -> AppResult<()> + Sync)],
        extra: &str,
    ) -> AppResult<()> {
        rows::columns(sql, parts);
        sql.push(&format!(", g.id AS group_id{extra} FROM {table} g "));
        dialect::join_per_group(sql, "articles", "a", subs)?;
        sql.push(" WHERE ").in_ids("g.id", ids);
        Ok(())
    }

    async fn count_grouped(
        &self,
        viewer: &Viewer,
        group: ArticleGroup,
        ids: &[i64],
        filter: &ArticleFilter,
    ) -> AppResult<HashMap<i64, i64>> {
        let mut sql = Sql::new(self.backend());
        sql.push("SELECT g.id AS group_id, (SELECT count(*) FROM articles c WHERE ");
        visible(&mut sql, "c", viewer);
        filters(&mut sql, "c", filter, viewer);
        sql.push(&format!(
            " AND {}) AS total_count FROM {} g WHERE ",
            group.condition("c"),
            group.table()
        ));
        sql.in_ids("g.id", ids);
        let rows = self.content.db.read_all(sql.build()).await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("", "group_id")?,
                    row.try_get("", "total_count")?,
                ))
            })
            .collect()
    }

    /// Full-text search, best matches first, paginated forward with offset cursors.
    pub async fn search(
        &self,
        viewer: &Viewer,
        query: &str,
        filter: &ArticleFilter,
        page: &PageRequest,
        with_total: bool,
        parts: ArticleParts,
    ) -> AppResult<Page<ArticleRecord>> {
        filter.validate()?;
        let query = query.trim();
        if query.is_empty() || query.chars().count() > 200 {
            return Err(AppError::invalid(
                "query",
                "a search has 1 to 200 characters",
            ));
        }
        if page.direction == Direction::Backward {
            return Err(AppError::invalid(
                "last",
                "search results page forward only: use first and after",
            ));
        }
        let offset = match &page.cursor {
            None => 0,
            Some(Cursor {
                key: SortValue::Offset(n),
                ..
            }) if *n >= 0 => *n,
            Some(_) => {
                return Err(AppError::invalid(
                    "after",
                    "this cursor does not belong to a search",
                ));
            }
        };
        let backend = self.backend();
        let prepared = search::prepare_query(backend, query);
        if prepared.is_empty() {
            return Ok(Page::empty());
        }
        // The page comes from a bounded candidate set: a rare word's matches are all ranked; a
        // common word's most recent matches are (its results end after them). SQLite: the
        // most recent matches from the FTS5 index (by id), ranked; when the visible ones among
        // them do not fill the page, four times as many, up to SEARCH_CANDIDATES_MAX.
        // PostgreSQL: the capped count comes first and tells a rare word (every visible match
        // is ranked) from a common one (the most recent visible matches, by date, are ranked).
        let counted = if SearchPlan::of(backend) == SearchPlan::VisibleMatches {
            Some(self.search_total(viewer, &prepared, filter).await?)
        } else {
            None
        };
        let needed = offset + page.size as i64 + 1;
        let mut run = match counted {
            Some(n) if n >= SEARCH_COUNT_CAP => Some(SEARCH_CANDIDATES),
            Some(_) => None,
            None => Some((needed * 2).clamp(SEARCH_CANDIDATES, SEARCH_CANDIDATES_MAX)),
        };
        let (records, rows) = loop {
            let sql = self.search_page(viewer, &prepared, filter, page, offset, run, parts);
            let Fetched { records, rows } = self.fetch_planned(sql?, parts, Plan::PerCall).await?;
            let candidates = rows
                .first()
                .map(|row| row.try_get::<i64>("", "candidates"))
                .transpose()?;
            let page_full = records.len() > page.size as usize;
            let all_read =
                counted.is_some() || matches!((run, candidates), (Some(b), Some(n)) if n < b);
            // SQLite: the visible candidates did not fill the page (drafts or filters among
            // the most recent matches, or a deep page): read four times as many, up to
            // SEARCH_CANDIDATES_MAX, where a common word's results end.
            match run {
                Some(b) if !page_full && !all_read && b < SEARCH_CANDIDATES_MAX => {
                    run = Some((b * 4).min(SEARCH_CANDIDATES_MAX));
                }
                _ => break (records, rows),
            }
        };
        let total = match counted {
            _ if !with_total => None,
            Some(n) => Some(n),
            None => Some(self.search_total(viewer, &prepared, filter).await?),
        };
        drop(rows);
        let records: Vec<(usize, ArticleRecord)> = records.into_iter().enumerate().collect();
        let page_out = Page::from_rows(
            page,
            records,
            |(i, a)| Cursor {
                key: SortValue::Offset(offset + *i as i64 + 1),
                id: a.id,
            },
            total,
        );
        Ok(page_out.map(|(_, a)| a))
    }

    /// The number of visible matches of a search, up to [`SEARCH_COUNT_CAP`]. SQLite counts
    /// among the most recent [`SEARCH_COUNT_WALK`] matches first (a common word reaches the
    /// cap there); only when they hold fewer visible ones and more matches exist (a filter
    /// that keeps few of them) are all matches counted.
    async fn search_total(
        &self,
        viewer: &Viewer,
        prepared: &str,
        filter: &ArticleFilter,
    ) -> AppResult<i64> {
        if SearchPlan::of(self.backend()) == SearchPlan::RecentIndexMatches {
            let (counted, walked) = self
                .count_matches(viewer, prepared, filter, Some(SEARCH_COUNT_WALK))
                .await?;
            if counted >= SEARCH_COUNT_CAP || walked < SEARCH_COUNT_WALK {
                return Ok(counted);
            }
        }
        Ok(self.count_matches(viewer, prepared, filter, None).await?.0)
    }

    /// (visible matches up to the cap, matches walked) among the most recent `walk` matches
    /// (all matches without a bound).
    async fn count_matches(
        &self,
        viewer: &Viewer,
        prepared: &str,
        filter: &ArticleFilter,
        walk: Option<i64>,
    ) -> AppResult<(i64, i64)> {
        let mut sql = Sql::new(self.backend());
        let p = sql.param(prepared.to_owned());
        match walk {
            // One walk of the index serves both figures.
            Some(n) => sql.push(&format!(
                "WITH m AS MATERIALIZED ({}) SELECT (SELECT count(*) FROM m) AS walked, ",
                search::fts_recent(&p, n)
            )),
            None => sql.push("SELECT "),
        };
        search_count(&mut sql, &p, viewer, filter, walk.is_some());
        let rows = self
            .content
            .db
            .read_all_planned(sql.build(), Plan::PerCall)
            .await?;
        let Some(row) = rows.first() else {
            return Ok((0, 0));
        };
        let counted = row.try_get::<i64>("", "total_count")?;
        let walked = match walk {
            Some(_) => row.try_get::<i64>("", "walked")?,
            None => 0,
        };
        Ok((counted, walked))
    }

    /// One page of a search over its candidates ([`search::candidates`], at most `bound`),
    /// with the number of candidates and, when asked, the capped total.
    #[allow(clippy::too_many_arguments)]
    fn search_page(
        &self,
        viewer: &Viewer,
        prepared: &str,
        filter: &ArticleFilter,
        page: &PageRequest,
        offset: i64,
        bound: Option<i64>,
        parts: ArticleParts,
    ) -> AppResult<Sql> {
        let backend = self.backend();
        let mut sql = Sql::new(backend);
        let p = sql.param(prepared.to_owned());
        let inner = |sql: &mut Sql| {
            sql.push("WITH m AS MATERIALIZED (");
            search_candidates(sql, &p, viewer, filter, bound);
            sql.push(") ");
            rows::columns(sql, parts);
            sql.push(", m.rank AS search_rank, (SELECT count(*) FROM m) AS candidates");
            sql.push(" FROM m ");
            sql.push(&candidate_join(backend, "a"));
            sql.push(" WHERE ");
            visible(sql, "a", viewer);
            filters(sql, "a", filter, viewer);
            sql.push(&format!(
                " ORDER BY m.rank, a.id LIMIT {} OFFSET {offset}",
                page.size + 1
            ));
            Ok(())
        };
        rows::wrap(&mut sql, parts, inner, "p.search_rank, p.id")?;
        Ok(sql)
    }
}

/// How many candidates a search reads first (see [`search_candidates`]).
const SEARCH_CANDIDATES: i64 = 1_000;

/// SQLite: the most candidates a search reads (deep pages, or filters that keep few of the
/// most recent matches); a common word's results end there.
const SEARCH_CANDIDATES_MAX: i64 = 16_000;

/// SQLite: how many of the most recent matches a total counts among first.
const SEARCH_COUNT_WALK: i64 = 10_000;

/// Past this many visible matches a search's total stops counting and reports the cap: a
/// common word matches most of the archive, and counting it all cost more than the page.
pub const SEARCH_COUNT_CAP: i64 = 1_000;

/// Writes the candidates of a search (`id`, `rank`: lower is better), at most `bound`.
///
/// SQLite: the most recent matches (by id) from the FTS5 index, ranked; visibility is applied
/// after them, by the caller. PostgreSQL's GIN index holds no rank order (ranking every match
/// of a common word, reading each `tsvector`, took ~400 ms at 50,000 articles): with a
/// `bound` (a common word), the candidates are the most recent visible matches, read from the
/// date index until `bound` are found, then ranked; without, every visible match (found
/// through the GIN index) is ranked. The date walk tests the match with `ts_match_vq`, the
/// function behind `@@`, which no index serves: with generic plans (`db::postgres_session`)
/// the planner cannot know that the word is common, and would otherwise collect every match
/// through the GIN index and sort them by date.
fn search_candidates(
    sql: &mut Sql,
    p: &str,
    viewer: &Viewer,
    filter: &ArticleFilter,
    bound: Option<i64>,
) {
    if SearchPlan::of(sql.backend) == SearchPlan::RecentIndexMatches {
        sql.push(&search::fts_candidates(p, bound));
        return;
    }
    let test = match bound {
        Some(_) => "ts_match_vq(c.search_vector, mq.q)",
        None => "c.search_vector @@ mq.q",
    };
    sql.push(&format!(
        "SELECT r.id, -ts_rank(r.search_vector, r.q) AS rank FROM (SELECT c.id, c.search_vector, mq.q \
         FROM articles c, {} WHERE {test} AND ",
        search::tsquery(p)
    ));
    visible(sql, "c", viewer);
    filters(sql, "c", filter, viewer);
    if let Some(n) = bound {
        let key = sort_expr(ArticleOrder::PublishedAtDesc, viewer, "c");
        sql.push(&format!(" ORDER BY {key} DESC, c.id DESC LIMIT {n}"));
    }
    sql.push(") r ORDER BY rank, r.id");
}

/// Writes `(…) AS total_count`: the number of visible matches of the query in parameter `p`,
/// counted up to [`SEARCH_COUNT_CAP`]; with `in_walk` (SQLite), among the matches of the
/// statement's `m` (the most recent ones) only.
fn search_count(sql: &mut Sql, p: &str, viewer: &Viewer, filter: &ArticleFilter, in_walk: bool) {
    let backend = sql.backend;
    if in_walk {
        sql.push(&format!(
            "(SELECT count(*) FROM (SELECT 1 FROM m {} WHERE ",
            candidate_join(backend, "c")
        ));
    } else {
        sql.push(&format!(
            "(SELECT count(*) FROM (SELECT 1 FROM articles c WHERE {} AND ",
            search::matches(backend, "c", p)
        ));
    }
    visible(sql, "c", viewer);
    filters(sql, "c", filter, viewer);
    sql.push(&format!(
        " LIMIT {SEARCH_COUNT_CAP}) counted) AS total_count"
    ));
}
