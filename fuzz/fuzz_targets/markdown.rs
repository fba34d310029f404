//! Article bodies: Markdown to sanitised HTML never panics, never keeps a script-bearing
//! element, an event handler or a script URL in a tag (the property tests' checker: text
//! that merely reads `href="javascript:` inside a code block is text), and its HTML is a
//! fixed point of the sanitiser.
#![no_main]

#[path = "../../tests/oracle/html.rs"]
mod oracle;

use kiosque::content::markdown::{render, sanitize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else {
        return;
    };
    let rendered = render(markdown);
    let html = &rendered.html;
    if let Some(fault) = oracle::html_fault(html) {
        panic!("{fault} in {html:?}");
    }
    assert_eq!(&sanitize(html), html, "sanitising twice changed the HTML");
    assert!(rendered.word_count >= 0 && rendered.reading_time_minutes >= 1);
});
