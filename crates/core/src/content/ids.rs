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

/// The id of a row that is never public (a webhook, a delivery): a number in REST (so
/// fields holding one say `#[schema(value_type = i64)]`) and its digits as an `ID` in
/// GraphQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RowId(pub i64);

/// Both id types are GraphQL `ID`s, so one record serves both doors.
#[cfg(feature = "graphql")]
mod graphql {
    use std::borrow::Cow;

    use async_graphql::parser::types::Field;
    use async_graphql::registry::Registry;
    use async_graphql::{ContextSelectionSet, ID, OutputType, Positioned, ServerResult, Value};

    use super::{GlobalId, RowId};

    macro_rules! as_id {
        ($($ty:ty => $encode:expr;)*) => {$(
            impl OutputType for $ty {
                fn type_name() -> Cow<'static, str> {
                    <ID as OutputType>::type_name()
                }

                fn create_type_info(registry: &mut Registry) -> String {
                    <ID as OutputType>::create_type_info(registry)
                }

                async fn resolve(
                    &self,
                    _: &ContextSelectionSet<'_>,
                    _: &Positioned<Field>,
                ) -> ServerResult<Value> {
                    let encode: fn(&$ty) -> String = $encode;
                    Ok(Value::String(encode(self)))
                }
            }
        )*};
    }

    as_id! {
        GlobalId => |id| id.with_str(str::to_owned);
        RowId => |id| id.0.to_string();
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

/// The digits of an id in a [`pattern`]: at most 18, so that every id the pattern admits
/// fits an `i64` (ids are row ids, far below).
const PATTERN_DIGITS: usize = 18;

/// A regular expression (ECMA 262 and Python alike) matching exactly the encodings of
/// `kind`'s ids 1 to 10^18 - 1 without leading zeros, for the contract: a schema-valid id is
/// one [`decode`] accepts as `kind`.
pub fn pattern(kind: Kind) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let first: Vec<u8> = (b'1'..=b'9').collect();
    let digit: Vec<u8> = (b'0'..=b'9').collect();
    let prefix = format!("{}:", kind.name()).into_bytes();
    let whole = prefix.len() / 3 * 3;
    let head = STANDARD.encode(&prefix[..whole]);
    let rest: Vec<Vec<u8>> = prefix[whole..].iter().map(|b| vec![*b]).collect();
    // A class of base64 characters, by their 6-bit values.
    let class = |values: &mut Vec<u8>| {
        values.sort_unstable();
        values.dedup();
        let chars: String = values
            .iter()
            .map(|v| ALPHABET[*v as usize] as char)
            .collect();
        if chars.len() == 1 {
            chars.replace('+', "\\+")
        } else {
            format!("[{}]", chars.replace('+', "\\+").replace('/', "\\/"))
        }
    };
    // One group of 1 to 3 bytes, each from a set. Exact because in every set here all
    // bytes share their high nibble and their top two bits (digits are 0x30..=0x39), so
    // each output character depends on one byte's choice only, except the first two.
    let group = |sets: &[Vec<u8>]| -> String {
        let hi = |i: usize| sets.get(i).map_or(0, |s| s[0]);
        let mut out = String::new();
        let mut pairs: Vec<(u8, u8)> = sets[0]
            .iter()
            .map(|b| (b >> 2, ((b & 3) << 4) | (hi(1) >> 4)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut firsts: Vec<u8> = pairs.iter().map(|p| p.0).collect();
        firsts.dedup();
        let alternatives: Vec<String> = firsts
            .iter()
            .map(|c1| {
                let mut seconds: Vec<u8> =
                    pairs.iter().filter(|p| p.0 == *c1).map(|p| p.1).collect();
                format!("{}{}", class(&mut vec![*c1]), class(&mut seconds))
            })
            .collect();
        if alternatives.len() == 1 {
            out.push_str(&alternatives[0]);
        } else {
            out.push_str(&format!("(?:{})", alternatives.join("|")));
        }
        match sets.len() {
            1 => out.push_str("=="),
            2 => {
                out.push_str(&class(&mut sets[1].iter().map(|b| (b & 15) << 2).collect()));
                out.push('=');
            }
            _ => {
                out.push_str(&class(
                    &mut sets[1]
                        .iter()
                        .map(|b| ((b & 15) << 2) | (hi(2) >> 6))
                        .collect(),
                ));
                out.push_str(&class(&mut sets[2].iter().map(|b| b & 63).collect()));
            }
        }
        out
    };
    // The group that ends the prefix takes the first digits; shorter ids end inside it.
    let mut heads = Vec::new();
    let mut sets = rest.clone();
    sets.push(first.clone());
    while sets.len() < 3 {
        heads.push(group(&sets));
        sets.push(digit.clone());
    }
    let lead = sets.len() - rest.len();
    let full = group(&sets);
    let d3 = group(&[digit.clone(), digit.clone(), digit.clone()]);
    let tail = format!(
        "{}|{}",
        group(&[digit.clone()]),
        group(&[digit.clone(), digit.clone()])
    );
    let repeats = (PATTERN_DIGITS - lead - 2) / 3;
    heads.push(format!("{full}(?:{d3}){{0,{repeats}}}(?:{tail})?"));
    format!("^{head}(?:{})$", heads.join("|"))
}

/// The contract's id types (documentation only: ids are strings on the wire): `…Id` is a
/// global id of one kind, `…Key` a global id of that kind or a slug.
pub mod schema {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    use super::{Kind, pattern};

    /// A slug ([`crate::content::slug::validate`]): lowercase words joined by single hyphens.
    pub const SLUG_PATTERN: &str = "^[a-z0-9]+(?:-[a-z0-9]+)*$";

    fn string(pattern: String, description: String) -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(pattern))
            .max_length(Some(120))
            .description(Some(description))
            .into()
    }

    macro_rules! id_types {
        ($($id:ident $key:ident $kind:ident $name:literal;)*) => {$(
            #[doc = concat!("The global id of ", $name, ".")]
            pub struct $id;
            impl utoipa::PartialSchema for $id {
                fn schema() -> RefOr<Schema> {
                    string(pattern(Kind::$kind), concat!("The global id of ", $name, ".").into())
                }
            }
            impl utoipa::ToSchema for $id {}

            #[doc = concat!("The global id or the slug of ", $name, ".")]
            pub struct $key;
            impl utoipa::PartialSchema for $key {
                fn schema() -> RefOr<Schema> {
                    let slug = SLUG_PATTERN.trim_start_matches('^').trim_end_matches('$');
                    let id = pattern(Kind::$kind);
                    let id = id.trim_start_matches('^').trim_end_matches('$');
                    string(
                        format!("^(?:{slug}|{id})$"),
                        concat!("The global id or the slug (at most 120 characters) of ", $name, ".").into(),
                    )
                }
            }
            impl utoipa::ToSchema for $key {}
        )*};
    }

    id_types! {
        ArticleId ArticleKey Article "an article";
        AuthorId AuthorKey Author "an author";
        RubricId RubricKey Rubric "a rubric";
        TagId TagKey Tag "a tag";
        CommentId CommentKey Comment "a comment";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_pattern_admits_exactly_the_ids_of_its_kind() {
        let kinds = [
            Kind::Article,
            Kind::Author,
            Kind::Rubric,
            Kind::Tag,
            Kind::Comment,
        ];
        for kind in kinds {
            let re = regex::Regex::new(&pattern(kind)).unwrap();
            let mut n: i64 = 1;
            while n < 1_000_000_000_000_000_000 / 1000 {
                for id in [n, n + 7, n * 3 + 1, n * 9 + 8] {
                    assert!(
                        re.is_match(&encode(kind, id)),
                        "{kind:?} {id}: {}",
                        pattern(kind)
                    );
                }
                n *= 10;
            }
            for other in kinds.iter().filter(|k| **k != kind) {
                assert!(!re.is_match(&encode(*other, 12)));
            }
            for bad in ["", "xyz", &STANDARD.encode(format!("{}:0", kind.name()))] {
                assert!(!re.is_match(bad), "{bad}");
            }
            for bad in [
                format!("{}:-1", kind.name()),
                format!("{}:01", kind.name()),
                format!("{}:1x", kind.name()),
            ] {
                assert!(!re.is_match(&STANDARD.encode(bad)));
            }
        }
    }

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
