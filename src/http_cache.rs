//! HTTP caching of reads, once for the whole door: a strong `ETag` (xxh3-128 of the body),
//! `Cache-Control` from the handler's [`CachePolicy`], `Vary`, and `304 Not Modified` when
//! the client already holds the current body. Public answers also name what they contain in
//! `Surrogate-Key` (Fastly, Varnish xkey) and `Cache-Tag` (Cloudflare, Akamai): `article-12`,
//! `rubric-3`, `author-5`, … for every resource in the body, and `articles-list` (…) on lists,
//! so that a CDN can purge exactly the answers that a change touches.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use xxhash_rust::xxh3::xxh3_128;

use crate::error::AppError;

/// How shared caches may keep an answer; set by the handler as a response extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// The same for every anonymous reader.
    Public { max_age: u32 },
}

/// Bodies larger than this are not buffered for tagging (no REST read comes near it).
const MAX_TAGGED_BODY: usize = 16 * 1024 * 1024;

/// Answers vary with these request headers.
const VARY: &str = "Accept-Encoding, Authorization";

/// The middleware (`axum::middleware::from_fn`).
pub async fn http_cache(request: Request, next: Next) -> Response {
    let readable = matches!(*request.method(), Method::GET | Method::HEAD);
    let collection = request
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let signed_in = request.headers().contains_key(header::AUTHORIZATION);
    let response = next.run(request).await;
    if !readable || response.status() != StatusCode::OK || !is_json(response.headers()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_TAGGED_BODY).await {
        Ok(bytes) => bytes,
        Err(err) => {
            return crate::problem::response(AppError::Internal(format!(
                "could not buffer a response body: {err}"
            )));
        }
    };
    let etag = format!("\"{:032x}\"", xxh3_128(&bytes));
    // Set by handlers on answers that may be shared (never on a GraphQL answer with errors).
    let policy = parts.extensions.get::<CachePolicy>().copied();
    // The keys a handler built from its records (otherwise the body is scanned below).
    let handed_keys = parts.extensions.remove::<CacheKeys>();
    let headers = &mut parts.headers;
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, cache_control(policy, signed_in));
    headers.insert(header::VARY, HeaderValue::from_static(VARY));
    if matches!(policy, Some(CachePolicy::Public { .. })) && !signed_in {
        let keys = match handed_keys {
            Some(keys) => keys.0,
            None => {
                let list = bytes.starts_with(b"{\"data\":[");
                key_list(&bytes, list.then_some(collection.as_str()))
            }
        };
        let tags = keys.replace(' ', ",");
        if let Ok(value) = HeaderValue::from_str(&keys) {
            headers.insert("surrogate-key", value);
        }
        if let Ok(value) = HeaderValue::from_str(&tags) {
            headers.insert("cache-tag", value);
        }
    }
    if if_none_match
        .as_ref()
        .is_some_and(|v| matches_etag(v, &etag))
    {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
            if let Some(value) = parts.headers.get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// At most this many keys per answer; a CDN purges the rest through the list key.
const MAX_KEYS: usize = 200;

/// The cache keys of a JSON body: `kind-number` for every Kiosque global id in an `"id"`
/// field (in order of first appearance, without repeats), and `<collection>-list` first for
/// a list. Works on the serialised bytes (a linear scan, no parsing), so any door's JSON can
/// be tagged the same way.
pub fn surrogate_keys(body: &[u8], list_of: Option<&str>) -> Vec<String> {
    key_list(body, list_of)
        .split(' ')
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The keys of [`surrogate_keys`], written once into one space-separated header value
/// (`Surrogate-Key`; `Cache-Tag` takes the same with commas).
fn key_list(body: &[u8], list_of: Option<&str>) -> String {
    let mut keys = CacheKeys::new(list_of);
    let needle = memchr::memmem::Finder::new(b"\"id\":\"");
    let mut at = 0;
    while let Some(start) = needle.find(&body[at..]) {
        let rest = &body[at + start + needle.needle().len()..];
        let Some(end) = memchr::memchr(b'"', rest) else {
            break;
        };
        at += start + needle.needle().len() + end;
        let Ok(raw) = std::str::from_utf8(&rest[..end]) else {
            continue;
        };
        let Ok((kind, id)) = crate::content::ids::decode("id", raw) else {
            continue;
        };
        if !keys.add(kind, id) {
            break;
        }
    }
    keys.0
}

/// The `Surrogate-Key` value of an answer, built by its handler from the records it holds
/// (`kind-number`, in order of first mention, without repeats, at most [`MAX_KEYS`]), so
/// that the layer need not scan the body for ids: on a list page that scan (a substring
/// search and a base64 decoding per id) was a tenth of the page's CPU. Answers without it
/// are scanned.
#[derive(Debug, Clone)]
pub struct CacheKeys(String, Vec<(crate::content::ids::Kind, i64)>);

impl CacheKeys {
    /// Keys that start with `<collection>-list` for a list.
    pub fn new(list_of: Option<&str>) -> Self {
        let mut out = String::with_capacity(1024);
        if let Some(collection) = list_of.filter(|c| !c.is_empty()) {
            out.push_str(collection);
            out.push_str("-list");
        }
        Self(out, Vec::new())
    }

    /// Adds `kind-id` unless it is there already; `false` once the answer holds
    /// [`MAX_KEYS`] (a CDN purges the rest through the list key).
    pub fn add(&mut self, kind: crate::content::ids::Kind, id: i64) -> bool {
        // The keys seen, kept sorted: a home page adds some eighty, and a linear search of
        // each was 4 % of its CPU.
        let Err(at) = self.1.binary_search(&(kind, id)) else {
            return true;
        };
        if self.1.len() + 1 >= MAX_KEYS {
            return false;
        }
        self.1.insert(at, (kind, id));
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        self.0.push_str(kind.key_name());
        self.0.push('-');
        self.0.push_str(itoa::Buffer::new().format(id));
        true
    }

    /// The header value: keys separated by spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Adds an article, its rubric and its authors: a change to any of them purges the
    /// answer, whichever of the article's fields it shows.
    pub fn add_article(&mut self, a: &crate::content::articles::ArticleRecord) -> bool {
        use crate::content::ids::Kind;
        self.add(Kind::Article, a.id)
            && self.add(Kind::Rubric, a.rubric.id)
            && a.authors
                .iter()
                .all(|author| self.add(Kind::Author, author.id))
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|ct| ct.split(';').next().unwrap_or_default().trim())
        .is_some_and(|mime| mime == "application/json" || mime.ends_with("+json"))
}

/// A request that carries credentials is kept out of shared caches even when its answer is
/// public today, so that a staff answer can never be served to the public.
pub(super) fn cache_control(policy: Option<CachePolicy>, signed_in: bool) -> HeaderValue {
    match (policy, signed_in) {
        (Some(CachePolicy::Public { max_age }), false) => HeaderValue::from_str(&format!(
            "public, max-age={max_age}, stale-while-revalidate=60"
        ))
        .unwrap_or(HeaderValue::from_static("no-cache")),
        _ => HeaderValue::from_static("private, no-cache"),
    }
}

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`;
/// `*` matches any current representation.
pub(super) fn matches_etag(header: &HeaderValue, etag: &str) -> bool {
    let Ok(list) = header.to_str() else {
        return false;
    };
    list.split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogate_keys_name_every_resource_once_and_the_list() {
        use crate::content::ids::{Kind, encode};
        let body = format!(
            r#"{{"data":[{{"id":"{}","rubric":{{"id":"{}"}},"authors":[{{"id":"{}"}}]}},{{"id":"{}","rubric":{{"id":"{}"}},"x":{{"id":"not-an-id"}}}}]}}"#,
            encode(Kind::Article, 12),
            encode(Kind::Rubric, 3),
            encode(Kind::Author, 5),
            encode(Kind::Article, 13),
            encode(Kind::Rubric, 3),
        );
        assert_eq!(
            surrogate_keys(body.as_bytes(), Some("articles")),
            [
                "articles-list",
                "article-12",
                "rubric-3",
                "author-5",
                "article-13"
            ]
        );
        assert!(surrogate_keys(b"{}", None).is_empty());
    }

    #[test]
    fn if_none_match_takes_lists_stars_and_weak_tags() {
        let etag = "\"abc\"";
        for header in ["\"abc\"", "\"x\", \"abc\"", "W/\"abc\"", "*"] {
            assert!(
                matches_etag(&HeaderValue::from_static(header), etag),
                "{header}"
            );
        }
        for header in ["\"abcd\"", "abc", ""] {
            assert!(
                !matches_etag(&HeaderValue::from_static(header), etag),
                "{header}"
            );
        }
    }

    #[test]
    fn credentials_keep_answers_out_of_shared_caches() {
        let public = Some(CachePolicy::Public { max_age: 30 });
        assert_eq!(
            cache_control(public, false),
            "public, max-age=30, stale-while-revalidate=60"
        );
        assert_eq!(cache_control(public, true), "private, no-cache");
        assert_eq!(cache_control(None, false), "private, no-cache");
    }
}
