//! Full-text search SQL per engine (see the search migration for the index behind each).
//!
//! PostgreSQL matches the query in both the French and the English configuration (accents
//! folded, stems); SQLite's FTS5 folds accents and applies the Porter (English) stemmer.

use sea_orm::DatabaseBackend;

/// How each engine finds a search's candidates, given the index it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchPlan {
    /// SQLite's FTS5 index reads matches in rowid order and knows nothing of visibility: the
    /// candidates are the most recent matches ([`fts_candidates`]), visibility is applied
    /// after them, and a total counts among a bounded walk of recent matches first.
    RecentIndexMatches,
    /// PostgreSQL's GIN index is tested inside a query that also applies visibility and
    /// filters: candidates are visible already, and a capped count comes first.
    VisibleMatches,
}

impl SearchPlan {
    pub fn of(backend: DatabaseBackend) -> Self {
        match backend {
            DatabaseBackend::Postgres => Self::VisibleMatches,
            _ => Self::RecentIndexMatches,
        }
    }
}

/// Joins a search's candidates `m` to their articles as `alias`. SQLite: candidates first,
/// each article by its id (`NOT INDEXED` leaves only the primary key): its planner would
/// otherwise walk a partial index of the visible articles for each candidate, whenever the
/// statistics are missing or stale (21 s instead of 8 ms at 375,000 articles).
pub fn candidate_join(backend: DatabaseBackend, alias: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("JOIN articles {alias} ON {alias}.id = m.id"),
        _ => format!("CROSS JOIN articles {alias} NOT INDEXED ON {alias}.id = m.id"),
    }
}

/// SQLite: the ids and relevance (`id`, `rank`: lower is better) of the articles matching the
/// query in parameter `p`, best first (ties by id). With a `bound`, of the `bound` most recent
/// matches (highest ids: FTS5 reads its index in rowid order and stops there), ranked; without,
/// of every match. FTS5 has no index in rank order: ranking every match of a common word read
/// and scored each one (1.3 µs a match: 1.3 s for a word in every article at 1M articles).
/// Visibility is not applied: the caller joins them to the visible articles.
pub fn fts_candidates(p: &str, bound: Option<i64>) -> String {
    match bound {
        Some(n) => format!(
            "SELECT id, rank FROM (SELECT rowid AS id, rank FROM articles_fts \
             WHERE articles_fts MATCH {p} ORDER BY rowid DESC LIMIT {n}) ORDER BY rank, id"
        ),
        None => format!(
            "SELECT rowid AS id, rank FROM articles_fts WHERE articles_fts MATCH {p} \
             ORDER BY rank, rowid"
        ),
    }
}

/// SQLite: the ids (`id`) of the `n` most recent articles matching the query in parameter `p`.
pub fn fts_recent(p: &str, n: i64) -> String {
    format!(
        "SELECT rowid AS id FROM articles_fts WHERE articles_fts MATCH {p} ORDER BY rowid DESC LIMIT {n}"
    )
}

/// PostgreSQL: `(SELECT … AS q) mq`, the query in parameter `p` matched in both languages.
pub fn tsquery(p: &str) -> String {
    format!(
        "(SELECT websearch_to_tsquery('kiosque_fr', {p}) || websearch_to_tsquery('kiosque_en', {p}) AS q) mq"
    )
}

/// A predicate "`alias` matches the query in parameter `p`", for counts.
pub fn matches(backend: DatabaseBackend, alias: &str, p: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!(
            "{alias}.search_vector @@ (websearch_to_tsquery('kiosque_fr', {p}) || websearch_to_tsquery('kiosque_en', {p}))"
        ),
        _ => format!("{alias}.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH {p})"),
    }
}

/// Turns free text into the query the engine expects: PostgreSQL's `websearch_to_tsquery`
/// takes free text as it is; FTS5 gets every word quoted (so that no operator or column
/// filter typed by a reader is interpreted).
pub fn prepare_query(backend: DatabaseBackend, input: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => input.to_owned(),
        _ => input
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| format!("\"{w}\""))
            .collect::<Vec<_>>()
            .join(" "),
    }
}
