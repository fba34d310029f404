//! The shapes every answer shares: `{"data": …}` for one resource, and for lists
//! `{"data": […], "page": {…}, "links": {…}}` with absolute `self`/`next`/`prev` links that
//! carry the same opaque cursors as GraphQL.

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::content::pagination::{Page, PageRequest};
use crate::http_cache::{CacheKeys, CachePolicy};

/// A list of resources, one page at a time, before it takes its named type (see
/// [`envelopes!`](crate::rest::envelope::envelopes)).
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub data: Vec<T>,
    pub page: PageMeta,
    pub links: Links,
}

/// Declares the named envelopes of an area: `list Name(Item)` is `{data: [Item], page,
/// links}`, `one Name(Item)` is `{data: Item}`. Named types (rather than generic ones, which
/// utoipa inlines) let the contract refer to each item schema by name.
macro_rules! envelopes {
    ($($kind:ident $name:ident($item:ty);)*) => {
        $(envelopes!(@one $kind $name $item);)*
    };
    (@one list $name:ident $item:ty) => {
        #[doc = concat!("A page of `", stringify!($item), "`, with its position and links.")]
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub data: Vec<$item>,
            pub page: $crate::rest::envelope::PageMeta,
            pub links: $crate::rest::envelope::Links,
        }

        impl From<$crate::rest::envelope::List<$item>> for $name {
            fn from(list: $crate::rest::envelope::List<$item>) -> Self {
                Self { data: list.data, page: list.page, links: list.links }
            }
        }
    };
    (@one one $name:ident $item:ty) => {
        #[doc = concat!("One `", stringify!($item), "`.")]
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub data: $item,
        }
    };
}
pub(crate) use envelopes;

/// Where this page sits in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    pub has_next: bool,
    pub has_prev: bool,
    /// The cursor of the first item (pass it as `before` with `last`).
    pub start_cursor: Option<String>,
    /// The cursor of the last item (pass it as `after` with `first`).
    pub end_cursor: Option<String>,
    /// The number of items in the whole list, when asked for (`include_total=true`) or cheap.
    pub total: Option<i64>,
}

/// Absolute links to this page and its neighbours.
#[derive(Debug, Serialize, ToSchema)]
pub struct Links {
    #[serde(rename = "self")]
    pub this: String,
    pub next: Option<String>,
    pub prev: Option<String>,
}

/// The public URL of the current request, from which list links are built.
pub struct Here {
    /// `public_url` + path, without the query.
    base: String,
    query: String,
}

impl FromRequestParts<AppState> for Here {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Inside the nested `/v1` router `parts.uri` has lost its prefix; the original has not.
        let uri = parts
            .extensions
            .get::<OriginalUri>()
            .map(|o| &o.0)
            .unwrap_or(&parts.uri);
        Ok(Self {
            base: format!(
                "{}{}",
                state.config.public_url.trim_end_matches('/'),
                uri.path()
            ),
            query: uri.query().unwrap_or_default().to_owned(),
        })
    }
}

impl Here {
    fn this(&self) -> String {
        if self.query.is_empty() {
            self.base.clone()
        } else {
            format!("{}?{}", self.base, self.query)
        }
    }

    /// This URL with the pagination parameters replaced by `page`. The other parameters
    /// keep their original encoding; cursors are URL-safe as they are.
    fn with_page(&self, page: &[(&str, &str)]) -> String {
        let mut url = String::with_capacity(self.base.len() + self.query.len() + 96);
        url.push_str(&self.base);
        let mut separator = '?';
        let kept = self.query.split('&').filter(|kv| {
            let key = kv.split('=').next().unwrap_or_default();
            !kv.is_empty() && !matches!(key, "first" | "after" | "last" | "before")
        });
        for kv in kept {
            url.push(separator);
            url.push_str(kv);
            separator = '&';
        }
        for (key, value) in page {
            url.push(separator);
            url.push_str(key);
            url.push('=');
            url.push_str(value);
            separator = '&';
        }
        url
    }

    /// A page of a list, each item mapped to its REST shape. With `backward` false the list
    /// pages forward only (search), so it has no `prev` link.
    pub fn list<T, U>(
        &self,
        page: Page<T>,
        request: &PageRequest,
        backward: bool,
        map: impl FnMut(T) -> U,
    ) -> List<U> {
        let info = page.info;
        let mut size = itoa::Buffer::new();
        let size = size.format(request.size);
        let next = match (&info.end_cursor, info.has_next_page) {
            (Some(end), true) => Some(self.with_page(&[("first", size), ("after", end)])),
            _ => None,
        };
        let prev = match (&info.start_cursor, info.has_previous_page && backward) {
            (Some(start), true) => Some(self.with_page(&[("last", size), ("before", start)])),
            _ => None,
        };
        List {
            data: page
                .items
                .into_iter()
                .map(|(_, item)| item)
                .map(map)
                .collect(),
            page: PageMeta {
                has_next: info.has_next_page,
                has_prev: info.has_previous_page,
                start_cursor: info.start_cursor,
                end_cursor: info.end_cursor,
                total: page.total,
            },
            links: Links {
                this: self.this(),
                next,
                prev,
            },
        }
    }

    /// A list that fits in one answer (rubrics, tags, related articles).
    pub fn whole<U>(&self, data: Vec<U>) -> List<U> {
        List {
            page: PageMeta {
                has_next: false,
                has_prev: false,
                start_cursor: None,
                end_cursor: None,
                total: Some(data.len() as i64),
            },
            data,
            links: Links {
                this: self.this(),
                next: None,
                prev: None,
            },
        }
    }
}

/// A successful public read: JSON, marked for the caching layer with the configured
/// `max-age` (the layer cannot read the state itself: `rest::router()` is built before it).
pub struct Public<T> {
    body: T,
    max_age: u32,
    keys: Option<CacheKeys>,
}

impl<T> Public<T> {
    pub fn new(state: &AppState, body: T) -> Self {
        Self {
            body,
            max_age: state.config.cache_max_age,
            keys: None,
        }
    }

    /// The answer's cache keys, as its handler knows them from its records (otherwise the
    /// caching layer finds them in the body).
    pub fn with_keys(mut self, keys: CacheKeys) -> Self {
        self.keys = Some(keys);
        self
    }
}

impl<T: Serialize> IntoResponse for Public<T> {
    fn into_response(self) -> Response {
        // One buffer sized for a page of items (axum's `Json` starts at 128 bytes and grows
        // by copying, a measurable share of a list page). sonic-rs writes the same bytes as
        // serde_json (a test below holds it to that) but escapes strings 16 bytes at a time:
        // serde_json's byte loop was 17 % of a list page's CPU.
        let mut buf = Vec::with_capacity(16 * 1024);
        match sonic_rs::to_writer(&mut buf, &self.body) {
            Ok(()) => self.respond(buf),
            Err(err) => crate::problem::response(crate::error::AppError::Internal(err.to_string())),
        }
    }
}

/// A body that writes its own JSON, byte for byte what serde_json writes of its serde twin
/// (the hot lists; each writer's test compares both).
pub trait WriteJson {
    fn write_json(&self, out: &mut Vec<u8>);
}

/// A public answer whose body writes its own JSON ([`WriteJson`]).
pub struct Written<T>(pub T);

impl<T: WriteJson> IntoResponse for Public<Written<T>> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(16 * 1024);
        self.body.0.write_json(&mut buf);
        self.respond(buf)
    }
}

impl<T> Public<T> {
    /// The response of a written body, marked for the caching layer.
    fn respond(self, body: Vec<u8>) -> Response {
        let mut response = (
            [(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        response.extensions_mut().insert(CachePolicy::Public {
            max_age: self.max_age,
        });
        if let Some(keys) = self.keys {
            response.extensions_mut().insert(keys);
        }
        response
    }
}

impl<T: WriteJson> WriteJson for List<T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        use crate::json::{array, boolean, opt_number, opt_string, string};
        out.extend_from_slice(b"{\"data\":");
        array(out, &self.data, |out, item| item.write_json(out));
        let page = &self.page;
        out.extend_from_slice(b",\"page\":{\"has_next\":");
        boolean(out, page.has_next);
        out.extend_from_slice(b",\"has_prev\":");
        boolean(out, page.has_prev);
        out.extend_from_slice(b",\"start_cursor\":");
        opt_string(out, page.start_cursor.as_deref());
        out.extend_from_slice(b",\"end_cursor\":");
        opt_string(out, page.end_cursor.as_deref());
        out.extend_from_slice(b",\"total\":");
        opt_number(out, page.total);
        let links = &self.links;
        out.extend_from_slice(b"},\"links\":{\"self\":");
        string(out, &links.this);
        out.extend_from_slice(b",\"next\":");
        opt_string(out, links.next.as_deref());
        out.extend_from_slice(b",\"prev\":");
        opt_string(out, links.prev.as_deref());
        out.extend_from_slice(b"}}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The REST bodies are written by sonic-rs; they must be byte for byte what serde_json
    /// writes (the contract's examples, clients' caches and ETags depend on it).
    #[test]
    fn sonic_writes_the_bytes_serde_json_writes() {
        #[derive(Serialize)]
        struct Inner {
            text: String,
            none: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            skipped: Option<i64>,
            numbers: Vec<i64>,
            flag: bool,
        }
        #[derive(Serialize)]
        struct Outer {
            #[serde(flatten)]
            inner: Inner,
            nested: Vec<Inner>,
            map: std::collections::BTreeMap<String, Option<u32>>,
            page: PageMeta,
        }
        let every_byte: String = (0u8..=0x7f).map(char::from).collect();
        let texts = [
            every_byte,
            "Élysée « guillemets » — ½ € 😀 \u{2028}\u{2029}".to_owned(),
            "a \"quoted\" back\\slash\ttab\nline\r\u{8}\u{c}".repeat(40),
            String::new(),
        ];
        for text in texts {
            let inner = |n: i64| Inner {
                text: text.clone(),
                none: None,
                skipped: (n % 2 == 0).then_some(n),
                numbers: vec![n, -n, i64::MAX, i64::MIN],
                flag: n > 0,
            };
            let body = Outer {
                inner: inner(1),
                nested: (0..3).map(inner).collect(),
                map: [(text.clone(), Some(7)), ("k".into(), None)].into(),
                page: PageMeta {
                    has_next: true,
                    has_prev: false,
                    start_cursor: Some(text.clone()),
                    end_cursor: None,
                    total: Some(42),
                },
            };
            let mut sonic = Vec::new();
            sonic_rs::to_writer(&mut sonic, &body).unwrap();
            assert_eq!(
                String::from_utf8(sonic).unwrap(),
                serde_json::to_string(&body).unwrap()
            );
        }
    }
}
