//! Full-text search SQL per engine (see the search migration for the index behind each).
//!
//! PostgreSQL matches the query in both the French and the English configuration (accents
//! folded, stems); SQLite's FTS5 folds accents and applies the Porter (English) stemmer.

use sea_orm::DatabaseBackend;

/// The ids and relevance (`id`, `rank`: lower is better) of the articles matching the query in
/// parameter `p`, best first (ties by id), at most `bound` of them: SQLite reads them from the
/// FTS5 index in rank order; PostgreSQL ranks the GIN index's matches. Visibility is NOT
/// applied: the caller joins the candidates to the visible articles.
pub fn candidates(backend: DatabaseBackend, p: &str, bound: Option<i64>) -> String {
    let limit = bound.map(|n| format!(" LIMIT {n}")).unwrap_or_default();
    match backend {
        DatabaseBackend::Postgres => format!(
            "SELECT c.id, -ts_rank(c.search_vector, mq.q) AS rank FROM articles c, \
             (SELECT websearch_to_tsquery('kiosque_fr', {p}) || websearch_to_tsquery('kiosque_en', {p}) AS q) mq \
             WHERE c.search_vector @@ mq.q ORDER BY rank, c.id{limit}"
        ),
        _ => format!(
            "SELECT rowid AS id, rank FROM articles_fts WHERE articles_fts MATCH {p} \
             ORDER BY rank, rowid{limit}"
        ),
    }
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
