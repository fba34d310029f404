//! References between content (a rubric, authors, tags, a parent rubric), given as a
//! global id or a slug, and the slugs that content is stored under: a given slug must be
//! free, a generated one is numbered on a clash.

use sea_orm::ConnectionTrait;

use crate::content::ids::{self, Kind};
use crate::content::slug;
use crate::db::dialect::Sql;
use crate::error::{AppError, AppResult};

/// The tables a slug is unique in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlugTable {
    Articles,
    Rubrics,
    Authors,
    Tags,
}

impl SlugTable {
    fn name(self) -> &'static str {
        match self {
            Self::Articles => "articles",
            Self::Rubrics => "rubrics",
            Self::Authors => "authors",
            Self::Tags => "tags",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Self::Articles => Kind::Article,
            Self::Rubrics => Kind::Rubric,
            Self::Authors => Kind::Author,
            Self::Tags => Kind::Tag,
        }
    }

    /// The slug of something whose name folds to nothing (`"!!!"`).
    pub(super) fn fallback(self) -> &'static str {
        match self {
            Self::Articles => "article",
            Self::Rubrics => "rubric",
            Self::Authors => "author",
            Self::Tags => "tag",
        }
    }
}

/// Finds the row of `table` named by `key` (a global id of the table's kind, or a slug):
/// `None` when there is none. A key that is neither is invalid input on `field`.
pub(super) async fn find_key(
    conn: &impl ConnectionTrait,
    table: SlugTable,
    field: &str,
    key: &str,
) -> AppResult<Option<i64>> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push(&format!("SELECT id FROM {} WHERE ", table.name()));
    match ids::decode(field, key) {
        Ok((kind, id)) if kind == table.kind() => {
            sql.push("id = ").bind(id);
        }
        Ok(_) => {
            return Err(AppError::invalid(
                field,
                format!("this id does not name a {}", table.fallback()),
            ));
        }
        Err(_) => {
            if slug::validate(field, key).is_err() {
                return Err(AppError::invalid(
                    field,
                    format!("`{key}` is neither a Kiosque id nor a slug"),
                ));
            }
            sql.push("slug = ").bind(key.to_owned());
        }
    }
    let row = conn.query_one_raw(sql.build()).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "id")).transpose()?)
}

/// The id of the existing row named by `key`, or 404.
pub(super) async fn existing(
    conn: &impl ConnectionTrait,
    table: SlugTable,
    key: &str,
) -> AppResult<i64> {
    find_key(conn, table, "id", key)
        .await?
        .ok_or_else(|| AppError::not_found(table.fallback()))
}

/// The ids of rows referenced from an input (`rubric`, `authors`, `tags`): an unknown one
/// is invalid input on `field`.
pub(super) async fn referenced(
    conn: &impl ConnectionTrait,
    table: SlugTable,
    field: &str,
    keys: &[String],
) -> AppResult<Vec<i64>> {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let id = find_key(conn, table, field, key).await?.ok_or_else(|| {
            AppError::invalid(field, format!("there is no {} `{key}`", table.fallback()))
        })?;
        if out.contains(&id) {
            return Err(AppError::invalid(field, format!("`{key}` is listed twice")));
        }
        out.push(id);
    }
    Ok(out)
}

/// The slug to store: a given one must be free (else CONFLICT); a generated one (from
/// `text`, accents folded) takes the first free of `x`, `x-2`, `x-3`….
pub(super) async fn choose_slug(
    conn: &impl ConnectionTrait,
    table: SlugTable,
    text: &str,
    given: Option<&str>,
    this_id: Option<i64>,
) -> AppResult<String> {
    let taken_by_other = |rows: &[(String, i64)], candidate: &str| {
        rows.iter()
            .any(|(slug, id)| slug == candidate && Some(*id) != this_id)
    };
    if let Some(given) = given {
        let mut sql = Sql::new(conn.get_database_backend());
        sql.push(&format!(
            "SELECT slug, id FROM {} WHERE slug = ",
            table.name()
        ))
        .bind(given.to_owned());
        let rows = slug_rows(conn, sql).await?;
        if taken_by_other(&rows, given) {
            return Err(AppError::Conflict(format!(
                "slug `{given}` is already taken"
            )));
        }
        return Ok(given.to_owned());
    }
    let mut base = slug::slugify(text);
    base.truncate(slug::MAX_LEN - 6);
    let mut base = base.trim_end_matches('-').to_owned();
    if base.is_empty() {
        base = table.fallback().to_owned();
    }
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push(&format!(
        "SELECT slug, id FROM {} WHERE slug = ",
        table.name()
    ))
    .bind(base.clone())
    .push(" OR slug LIKE ")
    .bind(format!("{base}-%"));
    let rows = slug_rows(conn, sql).await?;
    if !taken_by_other(&rows, &base) {
        return Ok(base);
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken_by_other(&rows, candidate))
        .ok_or_else(|| AppError::Internal("no free slug".into()))
}

async fn slug_rows(conn: &impl ConnectionTrait, sql: Sql) -> AppResult<Vec<(String, i64)>> {
    let rows = conn.query_all_raw(sql.build()).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "slug")?, r.try_get("", "id")?)))
        .collect()
}
