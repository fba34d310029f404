//! The fast path for the hot read queries: a validated document whose selection stays in a
//! known subset (articles with their byline, rubric, body, "more in this rubric" and
//! comments, as connections or by slug) is compiled into a plan, its data is read with the
//! same service calls (so the same statements) as the general executor would make, and the
//! JSON is written straight from the rows — no per-field futures, no value tree.
//!
//! Only documents that already ran through the general executor without errors take this
//! path (so parsing, validation, depth and complexity limits have been applied to them), and
//! anything unexpected — an unknown field, a directive, a service error — falls back to the
//! general executor, which then gives the exact answer. A differential test compares both.

mod plan;
mod write;

use std::collections::HashMap;

use futures_util::future::{BoxFuture, try_join_all};

use plan::{ArticleField, ArticlePlan, ConnField, EdgeField, Keyed, RootField};
pub use plan::{Planner, VOCABULARY};

use crate::content::articles::{ArticleParts, ArticleRecord, PageExtras};
use crate::content::comments::{CommentRecord, CommentScope};
use crate::content::pagination::{Page, PageRequest};
use crate::content::{Content, Viewer};
use crate::error::AppResult;

/// What was read for the fields of an article plan, by field position.
#[derive(Default)]
struct Loaded {
    more: HashMap<usize, (HashMap<i64, Vec<ArticleRecord>>, Loaded)>,
    comments: HashMap<usize, HashMap<i64, Page<CommentRecord>>>,
}

enum RootData {
    Typename,
    Article(Option<(ArticleRecord, Loaded)>),
    Articles(Page<ArticleRecord>, Loaded),
}

/// The item plan of a connection (`nodes` or `edges.node`; the planner refuses both), or
/// `None` when no item is asked for (`totalCount`, `pageInfo`, cursors only).
fn item_plan<P>(fields: &Keyed<ConnField<P>>) -> Option<&P> {
    fields.iter().find_map(|(_, f)| match f {
        ConnField::Nodes(p) => Some(p),
        ConnField::Edges(edge) => edge.iter().find_map(|(_, e)| match e {
            EdgeField::Node(p) => Some(p),
            _ => None,
        }),
        _ => None,
    })
}

/// Runs a planned query; `None` sends the request to the general executor.
pub async fn execute(
    content: &Content,
    viewer: &Viewer,
    root: &Keyed<RootField>,
) -> Option<Vec<u8>> {
    let mut data = Vec::with_capacity(root.len());
    for (_, field) in root {
        data.push(load_root(content, viewer, field).await.ok()??);
    }
    let mut out = Vec::with_capacity(4096);
    write::response(&mut out, root, &data);
    Some(out)
}

async fn load_root(
    content: &Content,
    viewer: &Viewer,
    field: &RootField,
) -> AppResult<Option<RootData>> {
    Ok(Some(match field {
        RootField::Typename => RootData::Typename,
        RootField::Article { slug, plan } => {
            if let Some(found) = bundled(content, viewer, slug, plan).await? {
                return Ok(Some(RootData::Article(found)));
            }
            match content
                .articles()
                .find_by_slug(viewer, slug, plan.parts)
                .await?
            {
                None => RootData::Article(None),
                Some(record) => {
                    let loaded = load(content, viewer, plan, vec![record.id]).await?;
                    RootData::Article(Some((record, loaded)))
                }
            }
        }
        RootField::Articles {
            args,
            filter,
            order,
            plan,
        } => {
            let nothing = ArticlePlan::nothing();
            let item = item_plan(&plan.fields).unwrap_or(&nothing);
            let request = PageRequest::parse(args, content.max_page_size)?;
            let page = content
                .articles()
                .list(
                    viewer,
                    filter,
                    *order,
                    &request,
                    plan.wants_total(),
                    item.parts,
                )
                .await?;
            let ids: Vec<i64> = page.items.iter().map(|(_, a)| a.id).collect();
            let loaded = load(content, viewer, item, ids).await?;
            RootData::Articles(page, loaded)
        }
    }))
}

/// Reads an article by slug with its "more in this rubric" and its comments in ONE statement
/// ([`PageExtras`]), when the plan's relations allow it: at most one of each, the related
/// articles without relations of their own. `None` when they do not: the article and its
/// relations are then read by [`load`].
async fn bundled(
    content: &Content,
    viewer: &Viewer,
    slug: &str,
    plan: &ArticlePlan,
) -> AppResult<Option<Option<(ArticleRecord, Loaded)>>> {
    let mut more = None;
    let mut comments = None;
    for (index, (_, field)) in plan.fields.iter().enumerate() {
        match field {
            ArticleField::MoreInRubric { first, plan: sub } => {
                if more.is_some() || sub.fields.iter().any(|(_, f)| f.is_relation()) {
                    return Ok(None);
                }
                // Beyond the cap, an error: the executor answers (and reports it).
                let first = content.bounded("first", (*first).into())?;
                more = Some((index, first, sub.parts));
            }
            ArticleField::Comments { args, plan: conn } => {
                if comments.is_some() {
                    return Ok(None);
                }
                let request = PageRequest::parse(args, content.max_page_size)?;
                comments = Some((index, request, conn.wants_total()));
            }
            _ => {}
        }
    }
    let extras = PageExtras {
        more_in_rubric: more.map(|(_, n, parts)| (n, parts)),
        comments: comments.as_ref().map(|(_, request, _)| request),
        comment_count: comments.as_ref().is_some_and(|(_, _, total)| *total),
    };
    let Some(found) = content
        .articles()
        .page_by_slug(viewer, slug, plan.parts, extras)
        .await?
    else {
        return Ok(Some(None));
    };
    let id = found.article.id;
    let mut loaded = Loaded::default();
    if let (Some((index, ..)), Some(list)) = (more, found.more_in_rubric) {
        loaded
            .more
            .insert(index, (HashMap::from([(id, list)]), Loaded::default()));
    }
    if let (Some((index, ..)), Some(page)) = (comments, found.comments) {
        loaded.comments.insert(index, HashMap::from([(id, page)]));
    }
    Ok(Some(Some((found.article, loaded))))
}

/// Reads the relations of a list of articles, one statement per relation (concurrently), and
/// recursively for the articles those relations bring.
fn load<'a>(
    content: &'a Content,
    viewer: &'a Viewer,
    plan: &'a ArticlePlan,
    ids: Vec<i64>,
) -> BoxFuture<'a, AppResult<Loaded>> {
    Box::pin(async move {
        let mut jobs: Vec<BoxFuture<'a, AppResult<(usize, Part)>>> = Vec::new();
        for (index, (_, field)) in plan.fields.iter().enumerate() {
            let ids = ids.clone();
            match field {
                ArticleField::MoreInRubric { first, plan } => jobs.push(Box::pin(async move {
                    let parts: ArticleParts = plan.parts;
                    // Beyond the cap, an error: the executor answers (and reports it).
                    let first = content.bounded("first", (*first).into())?;
                    let found = content
                        .articles()
                        .more_in_rubric(viewer, &ids, first, parts)
                        .await?;
                    Ok((index, Part::More(found)))
                })),
                ArticleField::Comments { args, plan } => jobs.push(Box::pin(async move {
                    let request = PageRequest::parse(args, content.max_page_size)?;
                    let found = content
                        .comments()
                        .for_articles(
                            viewer,
                            &ids,
                            CommentScope::All,
                            &request,
                            plan.wants_total(),
                        )
                        .await?;
                    Ok((index, Part::Comments(found)))
                })),
                _ => {}
            }
        }
        let mut loaded = Loaded::default();
        for (index, part) in try_join_all(jobs).await? {
            match part {
                Part::Comments(found) => {
                    loaded.comments.insert(index, found);
                }
                Part::More(found) => {
                    let ArticleField::MoreInRubric { plan: sub, .. } = &plan.fields[index].1 else {
                        continue;
                    };
                    let nested: Vec<i64> = found.values().flatten().map(|a| a.id).collect();
                    let inner = load(content, viewer, sub, nested).await?;
                    loaded.more.insert(index, (found, inner));
                }
            }
        }
        Ok(loaded)
    })
}

enum Part {
    More(HashMap<i64, Vec<ArticleRecord>>),
    Comments(HashMap<i64, Page<CommentRecord>>),
}
