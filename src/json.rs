//! JSON written by hand on the hot read paths (the GraphQL fast path, REST article lists):
//! the primitives both writers share. Their output is byte for byte serde_json's, which
//! tests of each writer hold them to. And one check both doors make on JSON they read:
//! no object names a key twice ([`check_unique_keys`]).

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

/// Refuses a JSON document in which an object names the same key twice (at any depth):
/// serde_json would keep the last one silently, so that two readers of one request (a proxy
/// or a WAF, then us) could see different values. The error names the key; a document that
/// is not JSON at all passes here and is refused by the parse that follows.
pub fn check_unique_keys(body: &[u8]) -> Result<(), String> {
    match serde_json::from_slice::<Unique>(body) {
        Err(err) if err.is_data() => Err(err.to_string()),
        _ => Ok(()),
    }
}

/// Any JSON value, read only to check its objects' keys.
struct Unique;

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key `{}`",
                    key.chars().take(64).collect::<String>()
                )));
            }
            map.next_value::<Unique>()?;
            seen.insert(key);
        }
        Ok(Unique)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_named_twice_is_refused_at_any_depth() {
        use super::check_unique_keys as check;
        assert!(check(br#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#).is_ok());
        let err = check(br#"{"role": "reader", "role": "admin"}"#).unwrap_err();
        assert!(err.contains("duplicate key `role`"), "{err}");
        assert!(check(br#"{"x": [{"k": 1, "k": 2}]}"#).is_err());
        assert!(
            check(br#"{"a": 1, "\u0061": 2}"#).is_err(),
            "escapes name the same key"
        );
        assert!(check(b"not json").is_ok(), "left to the parser");
    }

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
