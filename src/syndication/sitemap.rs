//! The sitemap protocol (<https://www.sitemaps.org/protocol.html>): a `urlset` of at most
//! 50,000 URLs, or, past that, a `sitemapindex` naming one `urlset` file per slice; and
//! robots.txt, which points crawlers at it.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{Links, escape};
use crate::content::articles::{SitemapEntry, SitemapKind};

pub use crate::content::articles::MAX_SITEMAP_URLS_PER_FILE as MAX_URLS_PER_FILE;

fn w3c(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A `urlset` of these entries.
pub fn urlset(entries: &[SitemapEntry], links: &Links) -> String {
    let mut xml = String::with_capacity(128 + entries.len() * 120);
    xml.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for entry in entries {
        let loc = match entry.kind {
            SitemapKind::Rubric => links.rubric(&entry.slug),
            SitemapKind::Author => links.author(&entry.slug),
            SitemapKind::Article => links.article(&entry.slug),
        };
        xml.push_str(&format!("<url><loc>{}</loc>", escape(&loc)));
        if let Some(at) = entry.last_modified {
            xml.push_str(&format!("<lastmod>{}</lastmod>", w3c(at)));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The URL of sitemap file `n` (from 1).
pub fn file_url(links: &Links, n: u64) -> String {
    links.at(&format!("/sitemap-{n}.xml"))
}

/// A `sitemapindex` naming files 1..=`files`.
pub fn index(files: u64, links: &Links) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=files {
        xml.push_str(&format!(
            "<sitemap><loc>{}</loc></sitemap>\n",
            escape(&file_url(links, n))
        ));
    }
    xml.push_str("</sitemapindex>\n");
    xml
}

/// robots.txt: crawl the public reads; keep out of GraphQL, the staff, account and
/// moderation endpoints, and operations; find the sitemap here.
pub fn robots(links: &Links) -> String {
    format!(
        "User-agent: *\n\
         Allow: /\n\
         Disallow: /graphql\n\
         Disallow: /v1/auth/\n\
         Disallow: /v1/me\n\
         Disallow: /v1/users\n\
         Disallow: /v1/api-keys\n\
         Disallow: /v1/moderation/\n\
         Disallow: /v1/articles/*/revisions\n\
         Disallow: /healthz\n\
         Disallow: /readyz\n\
         Disallow: /metrics\n\
         \n\
         Sitemap: {}\n",
        links.at("/sitemap.xml")
    )
}
