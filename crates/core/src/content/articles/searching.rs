//! What a full-text search costs, and who may run one.
//!
//! A search is not a list: it reads the full-text index and ranks every match, so its cost
//! grows with the corpus and with how common the words are, not with the page asked for.
//! Two things keep it from taking the API down, both decided here once for both doors:
//! - its price, [`SEARCH_COST`], which the GraphQL door adds to its complexity (so a document
//!   with many searches is refused before any SQL), and which a REST cost budget can reuse;
//! - a rate limit per client address, `KIOSQUE_SEARCHES_PER_CLIENT` a minute, counted for
//!   every search run (each alias of a GraphQL `search` is one).
//! - a bulkhead: at most a quarter of the database pool's connections run searches at once
//!   (others wait for a slot, holding no connection, at most the pool's acquire timeout,
//!   then `UNAVAILABLE`), so that however slow searches get, the pages' reads always find a
//!   connection;
//!
//! and, when a search outlives its request anyway, the request deadline stops its SQL
//! (`db::deadline`).

use std::net::IpAddr;

use super::{ArticleParts, ArticleRecord, Articles};
use crate::content::Viewer;
use crate::content::articles::ArticleFilter;
use crate::content::pagination::{Page, PageRequest};
use crate::error::{AppError, AppResult};

/// The fixed price of one full-text search, in GraphQL complexity points (its page is
/// priced on top, as any list's). A tenth of the default limit (10,000): a document may
/// hold a few searches, never ten.
pub const SEARCH_COST: usize = 1_000;

/// The window of the search rate limit: limits per minute read naturally for a reader
/// typing queries (the comment limits' window, ten minutes, would let a burst of ten
/// minutes' worth through at once).
pub const SEARCH_WINDOW_SECS: u64 = 60;

impl Articles<'_> {
    /// [`Articles::search`] on behalf of `client` (its address; `None` when unknown), counted
    /// against the per-client search limit first: past it, `RATE_LIMITED` and no SQL.
    #[allow(clippy::too_many_arguments)]
    pub async fn search_for(
        &self,
        client: Option<IpAddr>,
        viewer: &Viewer,
        query: &str,
        filter: &ArticleFilter,
        page: &PageRequest,
        with_total: bool,
        parts: ArticleParts,
    ) -> AppResult<Page<ArticleRecord>> {
        let protection = &self.content.protection;
        protection
            .hit(
                "search:client",
                &protection.client_hash(client),
                protection.searches_per_client,
            )
            .await?;
        let _slot = tokio::time::timeout(
            protection.search_wait,
            protection.search_slots.clone().acquire_owned(),
        )
        .await
        .map_err(|_| AppError::Unavailable)?
        .map_err(|_| AppError::Unavailable)?;
        self.search(viewer, query, filter, page, with_total, parts)
            .await
    }
}
