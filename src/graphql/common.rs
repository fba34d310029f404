//! Shared pieces of the GraphQL door: per-request data, page arguments, error mapping.

use async_graphql::{Context, SimpleObject};

use crate::content::pagination::{PageArgs, PageInfo as ContentPageInfo, PageRequest};
use crate::content::{Content, Viewer};
use crate::error::AppError;

/// What the HTTP layer attaches to each GraphQL request.
#[derive(Debug, Clone)]
pub struct RequestData {
    pub viewer: Viewer,
    pub actor: crate::auth::Actor,
}

pub(crate) fn content<'a>(ctx: &Context<'a>) -> &'a Content {
    ctx.data_unchecked::<Content>()
}

pub(crate) fn viewer(ctx: &Context<'_>) -> Viewer {
    ctx.data_opt::<RequestData>()
        .map(|d| d.viewer)
        .unwrap_or_else(Viewer::public)
}

pub(crate) fn actor(ctx: &Context<'_>) -> crate::auth::Actor {
    ctx.data_opt::<RequestData>()
        .map(|d| d.actor.clone())
        .unwrap_or_default()
}

/// A numeric id (users, API keys, webhooks and their deliveries); `field` names the argument.
pub(crate) fn number(field: &str, id: &async_graphql::ID) -> GqlResult<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| gql(AppError::invalid(field, format!("{field} is a number"))))
}

/// Maps a service error to a GraphQL error carrying `extensions.code`.
pub(crate) fn gql(err: AppError) -> async_graphql::Error {
    crate::problem::graphql(&err)
}

pub(crate) type GqlResult<T> = async_graphql::Result<T>;

pub(crate) fn page_request(ctx: &Context<'_>, args: PageArgs) -> GqlResult<PageRequest> {
    PageRequest::parse(&args, content(ctx).max_page_size).map_err(gql)
}

pub(crate) fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
    }
}

/// Complexity of a connection field: its page size times the cost of one item.
pub(crate) fn connection_cost(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = first
        .or(last)
        .unwrap_or(crate::content::pagination::DEFAULT_PAGE_SIZE as i32)
        .clamp(1, 1000) as usize;
    n.saturating_mul(child).saturating_add(1)
}

/// Complexity of a full-text search: its fixed price (the service layer's
/// [`SEARCH_COST`](crate::content::articles::SEARCH_COST)) plus its page, so that a document
/// with many searches (aliases add up) is refused before any of them runs.
pub(crate) fn search_cost(first: Option<i32>, child: usize) -> usize {
    crate::content::articles::SEARCH_COST.saturating_add(connection_cost(first, None, child))
}

/// The client's address, as the HTTP layer saw it (for the per-client rate limits).
pub(crate) fn client_ip(ctx: &Context<'_>) -> Option<std::net::IpAddr> {
    ctx.data_opt::<crate::auth::extract::ClientIp>()
        .and_then(|c| c.0)
}

/// Relay's `PageInfo`. Every connection pages the same way: `first` (forward, with `after`)
/// or `last` (backward, with `before`), never both directions at once; a page holds 0 to 100
/// items (20 by default); a cursor is one this connection issued (`endCursor`,
/// `startCursor`, an edge's `cursor`). Anything else is a `BAD_USER_INPUT` naming the
/// argument.
#[derive(SimpleObject, Clone, Default)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

impl From<ContentPageInfo> for PageInfo {
    fn from(p: ContentPageInfo) -> Self {
        Self {
            has_next_page: p.has_next_page,
            has_previous_page: p.has_previous_page,
            start_cursor: p.start_cursor,
            end_cursor: p.end_cursor,
        }
    }
}

/// Whether the selection of the current field reaches `path` (through `edges.node` or
/// `nodes` for connections).
pub(crate) fn selects(ctx: &Context<'_>, path: &[&str]) -> bool {
    let mut look = ctx.look_ahead();
    for field in path {
        look = look.field(field);
    }
    look.exists()
}

/// Whether an item of the connection being resolved selects `path`.
pub(crate) fn item_selects(ctx: &Context<'_>, path: &[&str]) -> bool {
    let mut via_edges = vec!["edges", "node"];
    via_edges.extend_from_slice(path);
    let mut via_nodes = vec!["nodes"];
    via_nodes.extend_from_slice(path);
    selects(ctx, &via_edges) || selects(ctx, &via_nodes)
}
