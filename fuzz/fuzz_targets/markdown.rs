//! Article bodies: Markdown to sanitised HTML never panics, never keeps a script element,
//! an event handler or a `javascript:` link, and its HTML is a fixed point of the sanitiser.
#![no_main]

use kiosque::content::markdown::{render, sanitize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else {
        return;
    };
    let rendered = render(markdown);
    let html = &rendered.html;
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a script in {html:?}");
    assert!(!lower.contains("href=\"javascript:"), "a javascript: link in {html:?}");
    assert!(!lower.contains("src=\"javascript:"), "a javascript: source in {html:?}");
    assert_eq!(&sanitize(html), html, "sanitising twice changed the HTML");
    assert!(rendered.word_count >= 0 && rendered.reading_time_minutes >= 1);
});
