//! Writing the response JSON straight from the rows, in selection order, exactly as the
//! general executor would (same scalars: RFC 3339 times, global ids, enum names).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::plan::*;
use super::{Loaded, RootData, item_plan};
use crate::content::articles::{ArticleRecord, ArticleStatus, AuthorRef, RubricRef};
use crate::content::comments::CommentRecord;
use crate::content::ids::{self, Kind};
use crate::content::pagination::{Page, PageInfo};
use crate::json::{self, array, boolean, number, opt_string, string};

fn time(out: &mut Vec<u8>, t: &DateTime<Utc>) {
    json::time(out, t, false);
}

/// Writes `{"key":value,…}` for keyed fields.
fn object<T>(out: &mut Vec<u8>, fields: &Keyed<T>, mut value: impl FnMut(&mut Vec<u8>, usize, &T)) {
    out.push(b'{');
    for (i, (key, field)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, key);
        out.push(b':');
        value(out, i, field);
    }
    out.push(b'}');
}

pub(super) fn response(out: &mut Vec<u8>, root: &Keyed<RootField>, data: &[RootData]) {
    out.extend_from_slice(b"{\"data\":");
    object(out, root, |out, i, field| match (field, &data[i]) {
        (RootField::Typename, _) => string(out, "Query"),
        (RootField::Article { plan, .. }, RootData::Article(found)) => match found {
            Some((record, loaded)) => article(out, plan, record, loaded),
            None => out.extend_from_slice(b"null"),
        },
        (RootField::Articles { plan, .. }, RootData::Articles(page, loaded)) => connection(
            out,
            plan,
            page,
            "ArticleConnection",
            "ArticleEdge",
            |out, item, record| article(out, item, record, loaded),
        ),
        _ => out.extend_from_slice(b"null"),
    });
    out.push(b'}');
}

fn connection<P, T>(
    out: &mut Vec<u8>,
    plan: &ConnPlan<P>,
    page: &Page<T>,
    conn_type: &str,
    edge_type: &str,
    mut item: impl FnMut(&mut Vec<u8>, &P, &T),
) {
    let item_plan = item_plan(&plan.fields);
    let mut item = |out: &mut Vec<u8>, t: &T| match item_plan {
        Some(p) => item(out, p, t),
        None => out.extend_from_slice(b"null"),
    };
    object(out, &plan.fields, |out, _, field| match field {
        ConnField::Typename => string(out, conn_type),
        ConnField::TotalCount => number(out, page.total.unwrap_or(0)),
        ConnField::PageInfo(fields) => page_info(out, fields, &page.info),
        ConnField::Nodes(_) => array(out, &page.items, |out, (_, t)| item(out, t)),
        ConnField::Edges(fields) => array(out, &page.items, |out, (cursor, t)| {
            object(out, fields, |out, _, f| match f {
                EdgeField::Typename => string(out, edge_type),
                EdgeField::Cursor => string(out, &cursor.encode()),
                EdgeField::Node(_) => item(out, t),
            })
        }),
    });
}

fn page_info(out: &mut Vec<u8>, fields: &Keyed<PageInfoField>, info: &PageInfo) {
    object(out, fields, |out, _, f| match f {
        PageInfoField::Typename => string(out, "PageInfo"),
        PageInfoField::HasNextPage => boolean(out, info.has_next_page),
        PageInfoField::HasPreviousPage => boolean(out, info.has_previous_page),
        PageInfoField::StartCursor => opt_string(out, info.start_cursor.as_deref()),
        PageInfoField::EndCursor => opt_string(out, info.end_cursor.as_deref()),
    });
}

fn status(s: ArticleStatus) -> &'static str {
    match s {
        ArticleStatus::Draft => "DRAFT",
        ArticleStatus::Scheduled => "SCHEDULED",
        ArticleStatus::Published => "PUBLISHED",
        ArticleStatus::Archived => "ARCHIVED",
    }
}

fn article(out: &mut Vec<u8>, plan: &ArticlePlan, a: &ArticleRecord, loaded: &Loaded) {
    object(out, &plan.fields, |out, index, field| match field {
        ArticleField::Typename => string(out, "Article"),
        ArticleField::Id => string(out, &ids::encode(Kind::Article, a.id)),
        ArticleField::Slug => string(out, &a.slug),
        ArticleField::Title => string(out, &a.title),
        ArticleField::Standfirst => string(out, &a.standfirst),
        ArticleField::Language => string(out, &a.language),
        ArticleField::Status => string(out, status(a.status)),
        ArticleField::PublishedAt => match &a.published_at {
            Some(t) => time(out, t),
            None => out.extend_from_slice(b"null"),
        },
        ArticleField::UpdatedAt => time(out, &a.updated_at),
        ArticleField::WordCount => number(out, a.word_count.into()),
        ArticleField::ReadingTimeMinutes => number(out, a.reading_time_minutes.into()),
        ArticleField::Version => number(out, a.version.into()),
        ArticleField::Body(format) => {
            let body = a.body.as_ref();
            string(
                out,
                match format {
                    BodyFormat::Markdown => body.map_or("", |b| b.markdown.as_str()),
                    BodyFormat::Html => body.map_or("", |b| b.html.as_str()),
                    BodyFormat::Text => body.map_or("", |b| b.text.as_str()),
                },
            )
        }
        ArticleField::Authors(fields) => {
            array(out, &a.authors, |out, author| byline(out, fields, author))
        }
        ArticleField::Rubric(fields) => rubric(out, fields, &a.rubric),
        ArticleField::MoreInRubric { plan, .. } => {
            let empty = (HashMap::new(), Loaded::default());
            let (found, inner) = loaded.more.get(&index).unwrap_or(&empty);
            let list = found.get(&a.id).map(Vec::as_slice).unwrap_or_default();
            array(out, list, |out, record| article(out, plan, record, inner));
        }
        ArticleField::Comments { plan, .. } => {
            match loaded.comments.get(&index).and_then(|m| m.get(&a.id)) {
                Some(page) => {
                    connection(out, plan, page, "CommentConnection", "CommentEdge", comment)
                }
                None => connection(
                    out,
                    plan,
                    &Page::<CommentRecord>::empty(),
                    "CommentConnection",
                    "CommentEdge",
                    comment,
                ),
            }
        }
    });
}

fn byline(out: &mut Vec<u8>, fields: &Keyed<AuthorField>, a: &AuthorRef) {
    object(out, fields, |out, _, f| match f {
        AuthorField::Typename => string(out, "Author"),
        AuthorField::Id => string(out, &ids::encode(Kind::Author, a.id)),
        AuthorField::Slug => string(out, &a.slug),
        AuthorField::Name => string(out, &a.display_name),
        AuthorField::AvatarUrl => opt_string(out, a.avatar_url.as_deref()),
        AuthorField::Bio => string(out, a.bio.as_deref().unwrap_or_default()),
    });
}

fn rubric(out: &mut Vec<u8>, fields: &Keyed<RubricField>, r: &RubricRef) {
    object(out, fields, |out, _, f| match f {
        RubricField::Typename => string(out, "Rubric"),
        RubricField::Id => string(out, &ids::encode(Kind::Rubric, r.id)),
        RubricField::Slug => string(out, &r.slug),
        RubricField::Name => string(out, &r.name),
    });
}

fn comment(out: &mut Vec<u8>, fields: &Keyed<CommentField>, c: &CommentRecord) {
    object(out, fields, |out, _, f| match f {
        CommentField::Typename => string(out, "Comment"),
        CommentField::Id => string(out, &ids::encode(Kind::Comment, c.id)),
        CommentField::AuthorName => string(out, &c.author_name),
        CommentField::Body => string(out, &c.body),
        CommentField::CreatedAt => time(out, &c.created_at),
    });
}
