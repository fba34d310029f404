//! Relay-style cursor pagination shared by both doors: `first/after` and `last/before`,
//! opaque cursors, `pageInfo` and an optional total. REST uses the same cursors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Page size when the client gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// What a client asked for, as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// The position of a row in a keyset order: the sort value and the id tie-breaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    #[serde(rename = "t", serialize_with = "crate::rfc3339::serialize")]
    Time(DateTime<Utc>),
    #[serde(rename = "s")]
    Text(String),
    #[serde(rename = "o")]
    Offset(i64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "k")]
    pub key: SortValue,
    #[serde(rename = "i")]
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let mut json = Vec::with_capacity(64);
        if serde_json::to_writer(&mut json, self).is_err() {
            json.clear();
        }
        URL_SAFE_NO_PAD.encode(json)
    }

    pub fn decode(field: &str, raw: &str) -> Result<Self, AppError> {
        let invalid = || AppError::invalid(field, "this cursor is not one that Kiosque issued");
        if raw.len() > 512 {
            return Err(invalid());
        }
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }
}

/// Which way a page is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `first`/`after`: forward in the list's order.
    Forward,
    /// `last`/`before`: backward from the end (or from `before`).
    Backward,
}

/// A validated page request.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub size: u32,
    pub direction: Direction,
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    /// Validates the four arguments against the page-size cap.
    pub fn parse(args: &PageArgs, max: u32) -> Result<Self, AppError> {
        let size = |field: &str, n: i32| -> Result<u32, AppError> {
            if n < 0 {
                Err(AppError::invalid(
                    field,
                    format!("{field} must be between 0 and {max}"),
                ))
            } else if n as u32 > max {
                Err(AppError::invalid(
                    field,
                    format!("{field} must be at most {max}, got {n}"),
                ))
            } else {
                Ok(n as u32)
            }
        };
        match (args.first, args.last) {
            (Some(_), Some(_)) => Err(AppError::invalid(
                "last",
                "give either first or last, not both",
            )),
            (_, Some(last)) => {
                if args.after.is_some() {
                    return Err(AppError::invalid(
                        "after",
                        "after goes with first, not with last",
                    ));
                }
                Ok(Self {
                    size: size("last", last)?,
                    direction: Direction::Backward,
                    cursor: args
                        .before
                        .as_deref()
                        .map(|c| Cursor::decode("before", c))
                        .transpose()?,
                })
            }
            (first, None) => {
                if args.before.is_some() {
                    return Err(AppError::invalid(
                        "before",
                        "before goes with last, not with first",
                    ));
                }
                Ok(Self {
                    size: size("first", first.unwrap_or(DEFAULT_PAGE_SIZE.min(max) as i32))?,
                    direction: Direction::Forward,
                    cursor: args
                        .after
                        .as_deref()
                        .map(|c| Cursor::decode("after", c))
                        .transpose()?,
                })
            }
        }
    }

    pub fn first(n: u32) -> Self {
        Self {
            size: n,
            direction: Direction::Forward,
            cursor: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

/// A page of items in list order, each with its position. A position is encoded into an
/// opaque cursor only where an answer shows it (`edges.cursor`, `pageInfo`): encoding every
/// item's cursor up front was 6 % of a list page's CPU, for pages that ask for none.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub info: PageInfo,
    /// The number of items in the whole filtered list, when it was asked for.
    pub total: Option<i64>,
}

impl<T> Page<T> {
    pub fn empty() -> Self {
        Self {
            items: Vec::new(),
            info: PageInfo::default(),
            total: Some(0),
        }
    }

    /// Builds a page from rows read with `size + 1` as the limit (the extra row tells whether
    /// there is more), in the order they were read.
    pub fn from_rows(
        req: &PageRequest,
        mut rows: Vec<T>,
        cursor_of: impl Fn(&T) -> Cursor,
        total: Option<i64>,
    ) -> Self {
        let more = rows.len() > req.size as usize;
        rows.truncate(req.size as usize);
        if req.direction == Direction::Backward {
            rows.reverse();
        }
        let items: Vec<(Cursor, T)> = rows.into_iter().map(|r| (cursor_of(&r), r)).collect();
        let (has_next_page, has_previous_page) = match req.direction {
            Direction::Forward => (more, req.cursor.is_some()),
            Direction::Backward => (req.cursor.is_some(), more),
        };
        let info = PageInfo {
            has_next_page,
            has_previous_page,
            start_cursor: items.first().map(|(c, _)| c.encode()),
            end_cursor: items.last().map(|(c, _)| c.encode()),
        };
        Self { items, info, total }
    }

    pub fn map<U>(self, f: impl Fn(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(|(c, t)| (c, f(t))).collect(),
            info: self.info,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(first: Option<i32>, last: Option<i32>) -> PageArgs {
        PageArgs {
            first,
            last,
            ..Default::default()
        }
    }

    #[test]
    fn page_sizes_above_the_cap_are_refused_with_their_field() {
        let err = PageRequest::parse(&args(Some(101), None), 100).unwrap_err();
        assert_eq!(err.field(), Some("first"));
        let err = PageRequest::parse(&args(None, Some(-1)), 100).unwrap_err();
        assert_eq!(err.field(), Some("last"));
        assert!(PageRequest::parse(&args(Some(100), None), 100).is_ok());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor {
            key: SortValue::Text("Élysée".into()),
            id: 42,
        };
        assert_eq!(Cursor::decode("after", &c.encode()).unwrap(), c);
        assert_eq!(
            Cursor::decode("after", "not-a-cursor!")
                .unwrap_err()
                .field(),
            Some("after")
        );
    }

    #[test]
    fn backward_pages_come_back_in_list_order() {
        let req = PageRequest {
            size: 2,
            direction: Direction::Backward,
            cursor: None,
        };
        let page = Page::from_rows(
            &req,
            vec![5, 4, 3],
            |n| Cursor {
                key: SortValue::Offset(0),
                id: *n,
            },
            None,
        );
        let ids: Vec<i64> = page.items.iter().map(|(_, n)| *n).collect();
        assert_eq!(ids, vec![4, 5]);
        assert!(page.info.has_previous_page);
        assert!(!page.info.has_next_page);
    }
}
