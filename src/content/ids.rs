//! Global ids (`node(id:)`, REST `id` fields): base64 of `Type:number`, stable across
//! engines and releases.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Article,
    Author,
    Rubric,
    Tag,
    Comment,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Article => "Article",
            Self::Author => "Author",
            Self::Rubric => "Rubric",
            Self::Tag => "Tag",
            Self::Comment => "Comment",
        }
    }

    /// The lowercase name, as in cache keys (`article-12`).
    pub fn key_name(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Author => "author",
            Self::Rubric => "rubric",
            Self::Tag => "tag",
            Self::Comment => "comment",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "Article" => Self::Article,
            "Author" => Self::Author,
            "Rubric" => Self::Rubric,
            "Tag" => Self::Tag,
            "Comment" => Self::Comment,
            _ => return None,
        })
    }
}

pub fn encode(kind: Kind, id: i64) -> String {
    GlobalId(kind, id).with_str(str::to_owned)
}

/// A global id, encoded on the stack where it is written (serialised as its string): no
/// `String` per id in the REST answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalId(pub Kind, pub i64);

impl GlobalId {
    /// Calls `f` with the encoded id.
    pub fn with_str<R>(self, f: impl FnOnce(&str) -> R) -> R {
        // `Type:number` and its base64, both on the stack (at most 8 + 1 + 20 bytes, 40 in
        // base64).
        let mut raw = [0u8; 32];
        let name = self.0.name().as_bytes();
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(self.1).as_bytes();
        let len = name.len() + 1 + digits.len();
        raw[..name.len()].copy_from_slice(name);
        raw[name.len()] = b':';
        raw[name.len() + 1..len].copy_from_slice(digits);
        let mut out = [0u8; 44];
        let n = STANDARD
            .encode_slice(&raw[..len], &mut out)
            .unwrap_or_default();
        // base64 is ASCII.
        f(std::str::from_utf8(&out[..n]).unwrap_or_default())
    }
}

impl serde::Serialize for GlobalId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.with_str(|id| serializer.serialize_str(id))
    }
}

/// Decodes a global id; `field` names the argument in the error.
pub fn decode(field: &str, raw: &str) -> Result<(Kind, i64), AppError> {
    let invalid = || AppError::invalid(field, "this is not a Kiosque id");
    if raw.len() > 64 {
        return Err(invalid());
    }
    let mut bytes = [0u8; 48];
    let len = STANDARD
        .decode_slice(raw, &mut bytes)
        .map_err(|_| invalid())?;
    let text = std::str::from_utf8(&bytes[..len]).map_err(|_| invalid())?;
    let (kind, id) = text.split_once(':').ok_or_else(invalid)?;
    let kind = Kind::parse(kind).ok_or_else(invalid)?;
    let id: i64 = id.parse().map_err(|_| invalid())?;
    if id <= 0 {
        return Err(invalid());
    }
    Ok((kind, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_refused() {
        for (kind, id) in [
            (Kind::Article, 12),
            (Kind::Comment, i64::MAX),
            (Kind::Tag, i64::MIN),
        ] {
            let name = kind.name();
            assert_eq!(encode(kind, id), STANDARD.encode(format!("{name}:{id}")));
            let json = serde_json::to_string(&GlobalId(kind, id)).unwrap();
            assert_eq!(json, format!("\"{}\"", encode(kind, id)));
        }
        assert_eq!(
            decode("id", &encode(Kind::Comment, 7)).unwrap(),
            (Kind::Comment, 7)
        );
        for bad in [
            "",
            "xyz",
            &STANDARD.encode("Planet:1"),
            &STANDARD.encode("Article:-1"),
        ] {
            assert_eq!(decode("id", bad).unwrap_err().field(), Some("id"));
        }
    }
}
