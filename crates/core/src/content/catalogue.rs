//! Rubrics, authors and tags (read side), and the per-article lists that hang from them
//! (tags, cited sources), batched by article.

use std::collections::HashMap;

use sea_orm::{DbErr, QueryResult};
use serde::Serialize;

use crate::content::Content;
use crate::content::pagination::{Cursor, Direction, Page, PageRequest, SortValue};
use crate::db::dialect::Sql;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RubricRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<i64>,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorRecord {
    pub id: i64,
    pub slug: String,
    pub display_name: String,
    pub bio: String,
    pub avatar_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagRecord {
    pub id: i64,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRecord {
    pub name: String,
    pub url: Option<String>,
}

pub struct Catalogue<'a> {
    pub(crate) content: &'a Content,
}

fn rubric(row: &QueryResult) -> Result<RubricRecord, DbErr> {
    Ok(RubricRecord {
        id: row.try_get("", "id")?,
        slug: row.try_get("", "slug")?,
        name: row.try_get("", "name")?,
        description: row.try_get("", "description")?,
        parent_id: row.try_get("", "parent_id")?,
        position: row.try_get("", "position")?,
    })
}

fn author(row: &QueryResult) -> Result<AuthorRecord, DbErr> {
    Ok(AuthorRecord {
        id: row.try_get("", "id")?,
        slug: row.try_get("", "slug")?,
        display_name: row.try_get("", "display_name")?,
        bio: row.try_get("", "bio")?,
        avatar_url: row.try_get("", "avatar_url")?,
    })
}

fn tag(row: &QueryResult) -> Result<TagRecord, DbErr> {
    Ok(TagRecord {
        id: row.try_get("", "id")?,
        slug: row.try_get("", "slug")?,
        name: row.try_get("", "name")?,
    })
}

const RUBRIC_COLUMNS: &str = "SELECT id, slug, name, description, parent_id, position FROM rubrics";
const AUTHOR_COLUMNS: &str = "SELECT id, slug, display_name, bio, avatar_url FROM authors";

impl Catalogue<'_> {
    async fn all<T>(
        &self,
        sql: Sql,
        map: fn(&QueryResult) -> Result<T, DbErr>,
    ) -> AppResult<Vec<T>> {
        let rows = self.content.db.read_all(sql.build()).await?;
        Ok(rows.iter().map(map).collect::<Result<_, _>>()?)
    }

    fn sql(&self) -> Sql {
        Sql::new(self.content.backend())
    }

    /// Every rubric, in navigation order.
    pub async fn rubrics(&self) -> AppResult<Vec<RubricRecord>> {
        let mut sql = self.sql();
        sql.push(RUBRIC_COLUMNS).push(" ORDER BY position, id");
        self.all(sql, rubric).await
    }

    pub async fn rubric_by_slug(&self, slug: &str) -> AppResult<Option<RubricRecord>> {
        let mut sql = self.sql();
        sql.push(RUBRIC_COLUMNS)
            .push(" WHERE slug = ")
            .bind(slug.to_owned());
        Ok(self.all(sql, rubric).await?.into_iter().next())
    }

    pub async fn rubrics_by_ids(&self, ids: &[i64]) -> AppResult<Vec<RubricRecord>> {
        let mut sql = self.sql();
        sql.push(RUBRIC_COLUMNS).push(" WHERE ").in_ids("id", ids);
        self.all(sql, rubric).await
    }

    /// Authors in alphabetical order, paginated.
    pub async fn authors(&self, page: &PageRequest) -> AppResult<Page<AuthorRecord>> {
        let backward = page.direction == Direction::Backward;
        let mut sql = self.sql();
        sql.push(AUTHOR_COLUMNS).push(" WHERE 1 = 1");
        if let Some(cursor) = &page.cursor {
            let SortValue::Text(name) = &cursor.key else {
                return Err(AppError::invalid(
                    if backward { "before" } else { "after" },
                    "this cursor does not belong to authors",
                ));
            };
            sql.push(&format!(
                " AND (display_name, id) {} (",
                if backward { "<" } else { ">" }
            ));
            sql.bind(name.clone()).push(", ").bind(cursor.id).push(")");
        }
        let dir = if backward { "DESC" } else { "ASC" };
        sql.push(&format!(
            " ORDER BY display_name {dir}, id {dir} LIMIT {}",
            page.size + 1
        ));
        let rows = self.all(sql, author).await?;
        let total = self.count("authors").await?;
        Ok(Page::from_rows(
            page,
            rows,
            |a| Cursor {
                key: SortValue::Text(a.display_name.clone()),
                id: a.id,
            },
            Some(total),
        ))
    }

    async fn count(&self, table: &'static str) -> AppResult<i64> {
        let mut sql = self.sql();
        sql.push(&format!("SELECT count(*) AS n FROM {table}"));
        let row = self.content.db.read_one(sql.build()).await?;
        Ok(row
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0))
    }

    pub async fn author_by_slug(&self, slug: &str) -> AppResult<Option<AuthorRecord>> {
        let mut sql = self.sql();
        sql.push(AUTHOR_COLUMNS)
            .push(" WHERE slug = ")
            .bind(slug.to_owned());
        Ok(self.all(sql, author).await?.into_iter().next())
    }

    pub async fn authors_by_ids(&self, ids: &[i64]) -> AppResult<Vec<AuthorRecord>> {
        let mut sql = self.sql();
        sql.push(AUTHOR_COLUMNS).push(" WHERE ").in_ids("id", ids);
        self.all(sql, author).await
    }

    /// Every tag, alphabetically.
    pub async fn tags(&self) -> AppResult<Vec<TagRecord>> {
        let mut sql = self.sql();
        sql.push("SELECT id, slug, name FROM tags ORDER BY name, id");
        self.all(sql, tag).await
    }

    pub async fn tag_by_slug(&self, slug: &str) -> AppResult<Option<TagRecord>> {
        let mut sql = self.sql();
        sql.push("SELECT id, slug, name FROM tags WHERE slug = ")
            .bind(slug.to_owned());
        Ok(self.all(sql, tag).await?.into_iter().next())
    }

    pub async fn tags_by_ids(&self, ids: &[i64]) -> AppResult<Vec<TagRecord>> {
        let mut sql = self.sql();
        sql.push("SELECT id, slug, name FROM tags WHERE ")
            .in_ids("id", ids);
        self.all(sql, tag).await
    }

    /// The tags of each article, alphabetically.
    pub async fn tags_of_articles(
        &self,
        article_ids: &[i64],
    ) -> AppResult<HashMap<i64, Vec<TagRecord>>> {
        let mut sql = self.sql();
        sql.push("SELECT at.article_id, t.id, t.slug, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE ");
        sql.in_ids("at.article_id", article_ids)
            .push(" ORDER BY t.name, t.id");
        let rows = self.content.db.read_all(sql.build()).await?;
        let mut out: HashMap<i64, Vec<TagRecord>> =
            article_ids.iter().map(|id| (*id, Vec::new())).collect();
        for row in rows {
            out.entry(row.try_get("", "article_id")?)
                .or_default()
                .push(tag(&row)?);
        }
        Ok(out)
    }

    /// The cited sources of each article, in the order given by the newsroom.
    pub async fn sources_of_articles(
        &self,
        article_ids: &[i64],
    ) -> AppResult<HashMap<i64, Vec<SourceRecord>>> {
        let mut sql = self.sql();
        sql.push("SELECT article_id, name, url FROM article_sources WHERE ");
        sql.in_ids("article_id", article_ids)
            .push(" ORDER BY position, id");
        let rows = self.content.db.read_all(sql.build()).await?;
        let mut out: HashMap<i64, Vec<SourceRecord>> =
            article_ids.iter().map(|id| (*id, Vec::new())).collect();
        for row in rows {
            out.entry(row.try_get("", "article_id")?)
                .or_default()
                .push(SourceRecord {
                    name: row.try_get("", "name")?,
                    url: row.try_get("", "url")?,
                });
        }
        Ok(out)
    }
}
