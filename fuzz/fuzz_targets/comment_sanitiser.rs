//! The comment sanitiser: whatever a client sends, the stored text holds no markup and
//! cleaning it again changes nothing. Never panics.
#![no_main]

#[path = "../../tests/oracle/html.rs"]
mod oracle;

use kiosque::content::comments::posting::{body, plain_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let once = plain_text(raw);
    assert!(oracle::markup_in(&once).is_none(), "markup left in {once:?}");
    assert_eq!(plain_text(&once), once, "cleaning twice changed the text");
    // The whole check (length, links) only answers; it never panics.
    let _ = body(raw, 3);
});
