//! The comment sanitiser: whatever a client sends, the stored text holds no markup and
//! cleaning it again changes nothing. Never panics.
#![no_main]

use kiosque::content::comments::posting::{body, plain_text};
use libfuzzer_sys::fuzz_target;

fn markup_at(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(1)).find(|&i| {
        b[i] == b'<'
            && (b[i + 1].is_ascii_alphabetic()
                || (b[i + 1] == b'/' && b.get(i + 2).is_some_and(u8::is_ascii_alphabetic))
                || (b[i + 1] == b'!' && b.get(i + 2) == Some(&b'-')))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let once = plain_text(raw);
    assert!(markup_at(&once).is_none(), "markup left in {once:?}");
    assert_eq!(plain_text(&once), once, "cleaning twice changed the text");
    // The whole check (length, links) only answers; it never panics.
    let _ = body(raw, 3);
});
