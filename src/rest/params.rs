//! Reading requests: query strings and path segments whose rejections speak problem+json,
//! and the parameters shared by several routes (pagination, article filters).
//!
//! Query structs hold the raw strings; each value is then parsed here with its parameter's
//! name, so a bad value is a 422 naming the field (a query string that cannot be read at
//! all, e.g. a repeated parameter, is a 400).

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::value::{Error as DeError, MapDeserializer};
use serde::de::{DeserializeOwned, Deserializer, IntoDeserializer, Visitor};
use utoipa::IntoParams;

use super::error::ApiError;
pub use crate::content::articles::ArticleFilterParams;
use crate::content::articles::ArticleOrder;
use crate::content::pagination::{PageArgs, PageRequest};
use crate::error::AppError;

/// `Query<T>` whose rejection is our problem+json.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    /// Reads `T` from the query string's pairs, decoded once per request ([`QueryPairs`]):
    /// a list route reads three parameter structs, and decoding the string for each was a
    /// tenth of a filtered REST list's CPU. No field-path tracking (axum's `Query` wraps
    /// serde_path_to_error): every field is a string checked later with its name.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let pairs = parts
            .extensions
            .get_or_insert_with(|| QueryPairs::parse(parts.uri.query().unwrap_or_default()));
        Ok(Self(pairs.read()?))
    }
}

/// A query string's pairs, percent-decoded (`+` as a space), in order.
#[derive(Debug, Clone)]
pub struct QueryPairs(Vec<(String, String)>);

impl QueryPairs {
    pub fn parse(query: &str) -> Self {
        Self(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        )
    }

    /// The parameters as `T`, a struct of optional strings. A parameter that `T` does not
    /// name is ignored; one given twice is a 400 (`Malformed`).
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        let pairs = self.0.iter().map(|(k, v)| (k.as_str(), Text(v)));
        T::deserialize(MapDeserializer::<_, DeError>::new(pairs)).map_err(|err| {
            AppError::Malformed(format!("Failed to deserialize query string: {err}"))
        })
    }
}

/// A parameter's value: a string, which an `Option<String>` field takes as `Some`.
struct Text<'a>(&'a str);

impl<'de> IntoDeserializer<'de, DeError> for Text<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Text<'de> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

/// `Path<T>` whose rejection is our problem+json.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(AppError::Malformed(rejection.body_text()).into()),
        }
    }
}

/// An integer parameter.
pub fn int(field: &str, raw: Option<&str>) -> Result<Option<i32>, AppError> {
    raw.map(|v| {
        v.trim()
            .parse::<i32>()
            .map_err(|_| AppError::invalid(field, format!("{field} must be an integer")))
    })
    .transpose()
}

/// `true` or `false`.
pub fn flag(field: &str, raw: Option<&str>) -> Result<bool, AppError> {
    match raw {
        None => Ok(false),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(AppError::invalid(
            field,
            format!("{field} is `true` or `false`"),
        )),
    }
}

pub use crate::rfc3339::parse_query as time;

/// Cursor pagination, as in GraphQL: `first`/`after` forward, `last`/`before` backward.
/// The two directions exclude each other: `first` or `after` with `last` or `before` is a
/// 422 (OpenAPI cannot say so in a schema: the descriptions do). The maximum is the
/// page-size cap (`KIOSQUE_MAX_PAGE_SIZE`), 100 by default: the contract states the default.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, forward (default 20, at most the page-size cap, 100 by default). Not
    /// with `last` or `before`.
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub first: Option<String>,
    /// The `end_cursor` of the previous page: an opaque cursor issued by Kiosque, never
    /// made up. Not with `last` or `before`.
    #[param(min_length = 1, max_length = 512, pattern = "^[A-Za-z0-9_-]+$")]
    pub after: Option<String>,
    /// Page size, backward from `before` (or from the end), at most the page-size cap.
    /// Not with `first` or `after`.
    #[param(value_type = Option<i32>, minimum = 0, maximum = 100)]
    pub last: Option<String>,
    /// The `start_cursor` of the next page: an opaque cursor issued by Kiosque. Not with
    /// `first` or `after`.
    #[param(min_length = 1, max_length = 512, pattern = "^[A-Za-z0-9_-]+$")]
    pub before: Option<String>,
}

impl PageParams {
    pub fn request(self, max: u32) -> Result<PageRequest, AppError> {
        let args = PageArgs {
            first: int("first", self.first.as_deref())?,
            after: self.after,
            last: int("last", self.last.as_deref())?,
            before: self.before,
        };
        PageRequest::parse(&args, max)
    }
}

/// The documented values of `sort`.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortParam {
    PublishedAtDesc,
    PublishedAtAsc,
    TitleAsc,
    TitleDesc,
}

/// Order and total of an article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// `published_at_desc` (default, newest first), `published_at_asc`, `title_asc` or `title_desc`.
    #[param(value_type = Option<SortParam>)]
    pub sort: Option<String>,
    /// Whether `page.total` counts the whole filtered list (`false` by default: it costs a count).
    #[param(value_type = Option<bool>)]
    pub include_total: Option<String>,
    /// The fields of each item, comma-separated (a sparse fieldset; all by default): `id`,
    /// `slug`, `title`, `standfirst`, `language`, `status`, `published_at`, `updated_at`,
    /// `word_count`, `reading_time_minutes`, `featured_image`, `rubric`, `authors`.
    /// An unknown name is a 422.
    #[param(
        pattern = "^[\\t-\\r ]*(?:id|slug|title|standfirst|language|status|published_at|updated_at|word_count|reading_time_minutes|featured_image|rubric|authors)[\\t-\\r ]*(?:,[\\t-\\r ]*(?:id|slug|title|standfirst|language|status|published_at|updated_at|word_count|reading_time_minutes|featured_image|rubric|authors)[\\t-\\r ]*)*$"
    )]
    pub fields: Option<String>,
}

impl ArticleListParams {
    pub fn order(&self) -> Result<ArticleOrder, AppError> {
        match self.sort.as_deref() {
            None => Ok(ArticleOrder::default()),
            Some(raw) => ArticleOrder::parse(raw).ok_or_else(|| {
                AppError::invalid(
                    "sort",
                    "sort is one of published_at_desc, published_at_asc, title_asc, title_desc",
                )
            }),
        }
    }

    pub fn include_total(&self) -> Result<bool, AppError> {
        flag("include_total", self.include_total.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_integer_names_its_field() {
        assert_eq!(
            int("first", Some("ten")).unwrap_err().field(),
            Some("first")
        );
    }
}
