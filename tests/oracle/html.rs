//! What must never be in sanitised output, checked by scanning it: markup in a comment's
//! plain text, and script-bearing elements, event handlers and script URLs in an article's
//! HTML. Shared by the property tests (`tests/props.rs`) and the fuzz targets (`fuzz/`),
//! which include this file by path: it is not a test target of its own.

/// Where a plain text would open markup if rendered as HTML: a start tag (`<` and a
/// letter), an end tag (`</` and a letter) or a comment (`<!-`).
pub fn markup_in(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    bytes.windows(3).chain(bytes.windows(2)).position(|w| {
        w[0] == b'<'
            && (w[1].is_ascii_alphabetic()
                || (w.len() == 3 && w[1] == b'/' && w[2].is_ascii_alphabetic())
                || (w.len() == 3 && w[1] == b'!' && w[2] == b'-'))
    })
}

/// What is wrong with a sanitised HTML document, if anything. The document is as
/// html5ever writes it (attribute values double-quoted, `"` escaped within them), which
/// this small scanner relies on.
pub fn html_fault(html: &str) -> Option<String> {
    const ELEMENTS: &[&str] = &[
        "script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "base",
        "meta", "link", "frame", "frameset", "applet", "template",
    ];
    const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "formaction", "xlink:href", "cite"];
    let mut chars = html.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '<' {
            continue;
        }
        // A tag: its name, then attributes until `>`.
        let mut name = String::new();
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() || c == '>' {
                break;
            }
            name.push(c.to_ascii_lowercase());
            chars.next();
        }
        let element = name.trim_start_matches('/').trim_end_matches('/');
        if ELEMENTS.contains(&element) {
            return Some(format!("a <{element}> element"));
        }
        let mut attribute = String::new();
        loop {
            let Some((_, c)) = chars.next() else {
                return Some("an unterminated tag".into());
            };
            match c {
                '>' => break,
                '"' => {
                    let mut value = String::new();
                    for (_, c) in chars.by_ref() {
                        if c == '"' {
                            break;
                        }
                        value.push(c);
                    }
                    let name = attribute.trim().trim_end_matches('=').to_ascii_lowercase();
                    let url: String = value
                        .replace("&amp;", "&")
                        .chars()
                        .filter(|c| !c.is_whitespace() && !c.is_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if URL_ATTRIBUTES.contains(&name.as_str())
                        && ["javascript:", "vbscript:", "data:"]
                            .iter()
                            .any(|scheme| url.starts_with(scheme))
                    {
                        return Some(format!("{name}=\"{value}\""));
                    }
                    attribute.clear();
                }
                c if c.is_whitespace() => {
                    if attribute.trim().to_ascii_lowercase().starts_with("on") {
                        return Some(format!("an event handler {attribute}"));
                    }
                    attribute.clear();
                }
                c => attribute.push(c),
            }
            if attribute.trim().to_ascii_lowercase().starts_with("on") && attribute.ends_with('=') {
                return Some(format!("an event handler {attribute}"));
            }
        }
    }
    None
}
