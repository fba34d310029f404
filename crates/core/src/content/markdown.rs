//! Article bodies: Markdown in, sanitised HTML and plain text out. Rendered once when an
//! article is written (stored beside the source), never per read.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// What an article body renders to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub text: String,
    pub word_count: i32,
    pub reading_time_minutes: i32,
}

/// Words read per minute for the reading-time estimate.
const WORDS_PER_MINUTE: usize = 230;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Renders Markdown to sanitised HTML (no script, no event handler, no `javascript:` URL;
/// links get `rel="noopener noreferrer"`) and to plain text.
pub fn render(markdown: &str) -> Rendered {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    let html = sanitize(&unsafe_html);
    let text = plain_text(markdown);
    let word_count = text.split_whitespace().count();
    Rendered {
        html,
        word_count: word_count as i32,
        reading_time_minutes: word_count.div_ceil(WORDS_PER_MINUTE).max(1) as i32,
        text,
    }
}

/// Sanitised HTML: tags and attributes from an allow-list, no script, no event handler, no
/// `javascript:` URL; links get `rel="noopener noreferrer"`. A URL holding a control
/// character is dropped whole (no real link has one, and a lenient reader that strips them,
/// as the property tests' checker does, would see `\u{7f}javascript:` as a script URL).
/// Sanitised HTML is a fixed point (sanitising it again changes nothing).
pub fn sanitize(html: &str) -> String {
    let mut builder = ammonia::Builder::default();
    builder.link_rel(Some("noopener noreferrer"));
    builder.attribute_filter(|_, attribute, value| {
        let url = matches!(
            attribute,
            "href" | "src" | "cite" | "longdesc" | "action" | "poster" | "srcset" | "background"
        );
        if url && value.chars().any(char::is_control) {
            None
        } else {
            Some(value.into())
        }
    });
    let clean = |html: &str| keep_leading_newlines(&builder.clean(html).to_string());
    let mut out = clean(html);
    // Removing an element can leave a nesting the HTML parser would not build (a `<p>`
    // inside a `<p>`); cleaning again gives the parser's form, which then stays put.
    for _ in 0..3 {
        let again = clean(&out);
        if again == out {
            break;
        }
        out = again;
    }
    out
}

/// The HTML parser drops one line feed right after `<pre>`, `<listing>` and `<textarea>`
/// start tags, and html5ever's serialiser (like browsers') does not write it back, so a
/// `<pre>` whose text starts with a line feed would lose one each time it is parsed. This
/// writes the one the parser will drop, which makes the serialised form a fixed point.
/// `html` is serialiser output: `<` and `>` are escaped in text and in attribute values, so
/// every `<` opens a tag and the next `>` closes it.
fn keep_leading_newlines(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + 8);
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = bytes[at..].iter().position(|&b| b == b'<') {
        let open = at + offset;
        let name_end = bytes[open + 1..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |n| open + 1 + n);
        let Some(close) = bytes[name_end..]
            .iter()
            .position(|&b| b == b'>')
            .map(|n| name_end + n)
        else {
            break;
        };
        let name = &html[open + 1..name_end];
        let drops_newline = ["pre", "listing", "textarea"]
            .iter()
            .any(|tag| name.eq_ignore_ascii_case(tag));
        if drops_newline && bytes.get(close + 1) == Some(&b'\n') {
            out.push_str(&html[copied..=close]);
            out.push('\n');
            copied = close + 1;
        }
        at = close + 1;
    }
    out.push_str(&html[copied..]);
    out
}

/// The text of a Markdown document, paragraphs and headings separated by blank lines.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock,
            ) => {
                if !out.ends_with("\n\n") {
                    out.push_str("\n\n");
                }
            }
            Event::Start(Tag::Item) => out.push_str("- "),
            _ => {}
        }
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_javascript_urls_do_not_survive() {
        let r = render(
            "Bonjour <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
    }

    #[test]
    fn a_pre_that_starts_with_blank_lines_keeps_them_and_stays_put() {
        // Found by the `markdown` fuzz target: each cleaning dropped one line feed.
        let html = sanitize("<pre>\n\n\n\n\n<pre>&amp;&gt;</pre></pre>");
        assert_eq!(html, "<pre>\n\n\n\n\n<pre>&amp;&gt;</pre></pre>");
        assert_eq!(sanitize(&html), html);
        let r = render(
            "\r\r<pre\r\r\r\r&\r<pre\r\r\r!\0\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\rm>\r\r\r\r\r\r<pre\r\r\r\r&\r<pre\r\r\r!\0\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\rmx&>&>",
        );
        assert_eq!(sanitize(&r.html), r.html);
        // A `<pre` inside an attribute value is not a tag.
        let titled = sanitize("<abbr title=\"<pre>\n\">x</abbr><pre>\n\nsuite</pre>");
        assert_eq!(
            titled,
            "<abbr title=\"&lt;pre&gt;\n\">x</abbr><pre>\n\nsuite</pre>"
        );
        assert_eq!(sanitize(&titled), titled);
    }

    #[test]
    fn headings_become_html_and_text_keeps_words() {
        let r = render("## Une frontière\n\nLa politique **étrangère** change.");
        assert!(r.html.contains("<h2>Une frontière</h2>"));
        assert_eq!(r.text, "Une frontière\n\nLa politique étrangère change.");
        assert_eq!(r.word_count, 6);
        assert_eq!(r.reading_time_minutes, 1);
    }
}
