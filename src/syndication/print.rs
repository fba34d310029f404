//! The printable article: one self-contained, accessible HTML5 page (no script, no external
//! resource but the body's images), with its print stylesheet inline. Every text is
//! escaped here; the body is the HTML sanitised when the article was written.

use std::sync::LazyLock;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::{Links, escape};
use crate::content::syndication::PrintableArticle;

const STYLE: &str = "\
:root{color-scheme:light}\
body{font-family:Georgia,'Times New Roman',serif;line-height:1.5;max-width:40em;margin:2em auto;padding:0 1em;color:#111;background:#fff}\
header p{margin:.25em 0}\
.rubric{text-transform:uppercase;letter-spacing:.08em;font-size:.85em}\
.standfirst{font-size:1.2em;font-weight:bold}\
.byline,.date{font-style:italic}\
img{max-width:100%;height:auto}\
a{color:inherit}\
footer{margin-top:2em;border-top:1px solid #999;font-size:.9em}\
@media print{body{margin:0;max-width:none;font-size:11pt}a[href^='http']::after{content:' (' attr(href) ')';font-size:.8em}}";

/// The `Content-Security-Policy` of the page: nothing but its own inline stylesheet (by
/// hash) and images.
pub static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src https: http: data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
});

/// Writes the page.
pub fn render(page: &PrintableArticle, links: &Links) -> String {
    let a = &page.article;
    let canonical = links.article(&a.slug);
    let byline = a
        .authors
        .iter()
        .map(|x| escape(&x.display_name))
        .collect::<Vec<_>>()
        .join(", ");
    let (date_attr, date_text) = match a.published_at {
        Some(at) => (at.to_rfc3339(), at.format("%Y-%m-%d %H:%M UTC").to_string()),
        None => (String::new(), String::new()),
    };
    let body = a.body.as_ref().map(|b| b.html.as_str()).unwrap_or_default();
    let mut html = String::with_capacity(body.len() + 2048);
    html.push_str("<!DOCTYPE html>\n");
    html.push_str(&format!(
        "<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<link rel=\"canonical\" href=\"{}\">\n\
         <meta name=\"description\" content=\"{}\">\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&a.language),
        escape(&a.title),
        escape(&canonical),
        escape(a.seo_description()),
    ));
    html.push_str(&format!(
        "<article>\n<header>\n<p class=\"rubric\">{}</p>\n<h1>{}</h1>\n\
         <p class=\"standfirst\">{}</p>\n",
        escape(&a.rubric.name),
        escape(&a.title),
        escape(&a.standfirst),
    ));
    if !byline.is_empty() {
        html.push_str(&format!("<p class=\"byline\">{byline}</p>\n"));
    }
    if !date_attr.is_empty() {
        html.push_str(&format!(
            "<p class=\"date\"><time datetime=\"{}\">{}</time></p>\n",
            escape(&date_attr),
            escape(&date_text)
        ));
    }
    html.push_str("</header>\n<div class=\"body\">\n");
    html.push_str(body);
    html.push_str("\n</div>\n");
    if !page.sources.is_empty() {
        html.push_str(
            "<section aria-labelledby=\"sources\">\n<h2 id=\"sources\">Sources</h2>\n<ul>\n",
        );
        for source in &page.sources {
            match &source.url {
                Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                    html.push_str(&format!(
                        "<li><a href=\"{}\">{}</a></li>\n",
                        escape(url),
                        escape(&source.name)
                    ));
                }
                _ => html.push_str(&format!("<li>{}</li>\n", escape(&source.name))),
            }
        }
        html.push_str("</ul>\n</section>\n");
    }
    html.push_str(&format!(
        "<footer>\n<p><a href=\"{0}\">{0}</a></p>\n</footer>\n</article>\n</body>\n</html>\n",
        escape(&canonical)
    ));
    html
}
