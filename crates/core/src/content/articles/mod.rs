//! Articles: lookups, filtered and paginated lists, search, related articles and the
//! previous/next links of a rubric. Every query here applies the viewer's visibility.

mod bundle;
mod model;
mod queries;
mod related;
mod rows;
mod searching;
mod sitemap;

pub use bundle::{ArticleBundle, PageExtras};
pub use model::*;
pub use related::Adjacent;
pub use searching::{SEARCH_COST, SEARCH_WINDOW_SECS};
pub use sitemap::{MAX_SITEMAP_URLS_PER_FILE, SitemapEntry, SitemapKind, SitemapSize};

use crate::content::Content;

/// The article services, borrowed from [`Content`].
pub struct Articles<'a> {
    pub(crate) content: &'a Content,
}

pub use queries::ArticleGroup;
