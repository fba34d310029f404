//! Syndication formats: RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds, the printable article
//! page, the sitemap and robots.txt. Pure renderers: the content layer chooses what is
//! shown (`content::syndication`), the REST door serves it (`rest::syndication`), these
//! files only write it.

pub mod feeds;
pub mod print;
pub mod sitemap;

use crate::content::ids::{self, Kind};

/// The absolute URLs Kiosque gives for its resources, from `KIOSQUE_PUBLIC_URL`.
#[derive(Debug, Clone)]
pub struct Links {
    base: String,
}

impl Links {
    pub fn new(public_url: &str) -> Self {
        Self {
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    /// `public_url` + an absolute path.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn article(&self, slug: &str) -> String {
        self.at(&format!("/v1/articles/{slug}"))
    }

    pub fn rubric(&self, slug: &str) -> String {
        self.at(&format!("/v1/rubrics/{slug}"))
    }

    pub fn author(&self, slug: &str) -> String {
        self.at(&format!("/v1/authors/{slug}"))
    }

    pub fn tag(&self, slug: &str) -> String {
        self.at(&format!("/v1/tags/{slug}"))
    }
}

/// The stable id of an article in every feed format (RSS `guid`, Atom `id`, JSON Feed
/// `id`): a URN around the article's global id, which survives slug changes.
pub fn article_urn(id: i64) -> String {
    format!("urn:kiosque:{}", ids::encode(Kind::Article, id))
}

/// Escapes text for HTML and XML content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn links_are_absolute_whatever_the_trailing_slash() {
        let links = Links::new("https://news.example/");
        assert_eq!(
            links.article("une-une"),
            "https://news.example/v1/articles/une-une"
        );
    }
}
