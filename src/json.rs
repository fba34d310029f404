//! JSON written by hand on the hot read paths (the GraphQL fast path, REST article lists):
//! the primitives both writers share. Their output is byte for byte serde_json's, which
//! tests of each writer hold them to.

use chrono::{DateTime, Utc};

/// A string, quoted and escaped (16 or 32 bytes at a time: json-escape-simd, sonic-rs's
/// kernel; serde_json's byte loop was a fifth of a list page's CPU).
pub fn string(out: &mut Vec<u8>, s: &str) {
    json_escape_simd::escape_into(s, out);
}

pub fn opt_string(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

pub fn number(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

pub fn opt_number(out: &mut Vec<u8>, n: Option<i64>) {
    match n {
        Some(n) => number(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

pub fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// An RFC 3339 time, quoted; `z` writes UTC as `Z` (REST) rather than `+00:00` (GraphQL).
pub fn time(out: &mut Vec<u8>, t: &DateTime<Utc>, z: bool) {
    out.push(b'"');
    crate::rfc3339::write(out, t, z);
    out.push(b'"');
}

/// `[a,b,…]`, each item written by `value`.
pub fn array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut value: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        value(out, item);
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    /// Both doors' bytes must be serde_json's (the general executor's, the contract's).
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_byte: String = (0u8..=0x7f).map(char::from).collect();
        for text in [
            every_byte.repeat(3),
            "Élysée « guillemets » — ½ € 😀 \u{2028}\u{2029}\u{7f}".to_owned(),
            "a \"quoted\" back\\slash\ttab\nline".repeat(50),
            String::new(),
        ] {
            let mut out = b"prefix".to_vec();
            super::string(&mut out, &text);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("prefix{}", serde_json::to_string(&text).unwrap())
            );
        }
    }
}
