//! Query strings and cursors: the REST list parameters (pagination, filters, sort) read
//! from an arbitrary query string as axum does, then checked, and cursors decoded. Never
//! panics; a page request that passes respects the cap.
#![no_main]

use kiosque::content::pagination::{Cursor, PageArgs, PageRequest};
use kiosque::rest::params::{ArticleFilterParams, ArticleListParams, PageParams, QueryPairs};
use libfuzzer_sys::fuzz_target;

const MAX: u32 = 100;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let pairs = QueryPairs::parse(query);
    if let Ok(page) = pairs.read::<PageParams>() {
        if let Ok(request) = page.request(MAX) {
            assert!(request.size <= MAX);
            if let Some(cursor) = &request.cursor {
                // A cursor that was accepted encodes back to one that decodes the same.
                let again = Cursor::decode("after", &cursor.encode()).expect("round trip");
                assert_eq!(&again, cursor);
            }
        }
    }
    if let Ok(filter) = pairs.read::<ArticleFilterParams>() {
        let _ = filter.filter();
    }
    if let Ok(list) = pairs.read::<ArticleListParams>() {
        let _ = list.order();
        let _ = list.include_total();
    }
    let _ = Cursor::decode("after", query);
    let args = PageArgs {
        first: data.first().map(|b| i32::from(*b) - 8),
        after: Some(query.to_owned()),
        last: None,
        before: None,
    };
    if let Ok(request) = PageRequest::parse(&args, MAX) {
        assert!(request.size <= MAX);
    }
});
