//! Full-text search SQL per engine (see the search migration for the index behind each).
//!
//! PostgreSQL matches the query in both the French and the English configuration (accents
//! folded, stems); SQLite's FTS5 folds accents and applies the Porter (English) stemmer.

use sea_orm::DatabaseBackend;

/// `JOIN … m` restricting `alias` to matches of the query in parameter `p`, exposing
/// `m.rank` (lower is better) on both engines.
pub fn match_join(backend: DatabaseBackend, alias: &str, p: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!(
            "JOIN (SELECT websearch_to_tsquery('kiosque_fr', {p}) || websearch_to_tsquery('kiosque_en', {p}) AS q) mq \
             ON {alias}.search_vector @@ mq.q"
        ),
        _ => format!(
            "JOIN (SELECT rowid AS id, rank FROM articles_fts WHERE articles_fts MATCH {p}) mq ON mq.id = {alias}.id"
        ),
    }
}

/// The relevance of a match joined by [`match_join`]; lower is better.
pub fn rank(backend: DatabaseBackend, alias: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("(-ts_rank({alias}.search_vector, mq.q))"),
        _ => "mq.rank".to_owned(),
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
