//! RFC 3339 timestamps written straight into a buffer, as chrono writes them
//! (`SecondsFormat::AutoSi`: no fraction, or 3, 6 or 9 digits), without its formatter
//! machinery: every item of a list carries one or two, and chrono's `Display` path was 4 %
//! of a REST list page. Years outside 0–9999 go through chrono itself.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::Serializer;

/// Appends `t` to `out`, ending in `Z` (`z`) or `+00:00`.
pub fn write(out: &mut Vec<u8>, t: &DateTime<Utc>, z: bool) {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        out.extend_from_slice(t.to_rfc3339_opts(SecondsFormat::AutoSi, z).as_bytes());
        return;
    }
    let two = |out: &mut Vec<u8>, n: u32| {
        out.extend_from_slice(&[b'0' + (n / 10) as u8, b'0' + (n % 10) as u8])
    };
    let year = year as u32;
    two(out, year / 100);
    two(out, year % 100);
    out.push(b'-');
    two(out, t.month());
    out.push(b'-');
    two(out, t.day());
    out.push(b'T');
    two(out, t.hour());
    out.push(b':');
    two(out, t.minute());
    out.push(b':');
    // A leap second is carried in the nanoseconds (≥ 1e9), as chrono shows it: second 60.
    let nanos = t.nanosecond();
    let (second, nanos) = if nanos >= 1_000_000_000 {
        (t.second() + 1, nanos - 1_000_000_000)
    } else {
        (t.second(), nanos)
    };
    two(out, second);
    if nanos != 0 {
        let (value, digits) = if nanos % 1_000_000 == 0 {
            (nanos / 1_000_000, 3)
        } else if nanos % 1_000 == 0 {
            (nanos / 1_000, 6)
        } else {
            (nanos, 9)
        };
        out.push(b'.');
        let mut buf = [b'0'; 9];
        let mut v = value;
        for slot in buf[..digits].iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        out.extend_from_slice(&buf[..digits]);
    }
    if z {
        out.push(b'Z');
    } else {
        out.extend_from_slice(b"+00:00");
    }
}

/// `#[serde(serialize_with = "crate::rfc3339::serialize")]`: the same text as chrono's serde.
pub fn serialize<S: Serializer>(t: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut out = Vec::with_capacity(40);
    write(&mut out, t, true);
    serializer.serialize_str(std::str::from_utf8(&out).unwrap_or_default())
}

/// [`serialize`] for an optional timestamp (`null` when absent).
pub fn serialize_option<S: Serializer>(
    t: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize(t, serializer),
        None => serializer.serialize_none(),
    }
}

/// Reads a time from a query string (REST's filters): An RFC 3339 time (`2025-03-01T08:00:00Z`) or a date (`2025-03-01`, midnight UTC). A `+`
/// left unescaped in an offset arrives as a space, so a trailing ` hh:mm` is read as `+hh:mm`.
pub fn parse_query(
    field: &str,
    raw: Option<&str>,
) -> Result<Option<DateTime<Utc>>, crate::error::AppError> {
    let Some(raw) = raw.map(str::trim) else {
        return Ok(None);
    };
    let unescaped_plus = raw
        .rsplit_once(' ')
        .map(|(at, offset)| format!("{at}+{offset}"));
    for candidate in std::iter::once(raw.to_owned()).chain(unescaped_plus) {
        if let Ok(at) = DateTime::parse_from_rfc3339(&candidate) {
            return Ok(Some(at.with_timezone(&Utc)));
        }
    }
    if let Some(midnight) = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        return Ok(Some(midnight.and_utc()));
    }
    Err(crate::error::AppError::invalid(
        field,
        format!("{field} is an RFC 3339 time such as 2025-03-01T08:00:00Z"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn writes_what_chrono_writes() {
        let base = Utc.with_ymd_and_hms(2026, 11, 5, 7, 3, 9).unwrap();
        for nanos in [0, 120_000_000, 123_456_000, 123_456_789, 1_000, 999_999_999] {
            let t = base + chrono::Duration::nanoseconds(nanos);
            for z in [true, false] {
                let mut out = Vec::new();
                write(&mut out, &t, z);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    t.to_rfc3339_opts(SecondsFormat::AutoSi, z)
                );
            }
            let mut ours = serde_json::Serializer::new(Vec::new());
            serialize(&t, &mut ours).unwrap();
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                String::from_utf8(ours.into_inner()).unwrap(),
                "the same text as chrono's serde"
            );
        }
        let ancient = Utc.with_ymd_and_hms(12, 1, 2, 3, 4, 5).unwrap();
        let mut out = Vec::new();
        write(&mut out, &ancient, true);
        assert_eq!(String::from_utf8(out).unwrap(), "0012-01-02T03:04:05Z");
    }

    #[test]
    fn times_are_rfc_3339_or_dates_and_a_bad_one_names_its_field() {
        let at = parse_query("published_after", Some("2025-03-01T09:00:00 01:00"))
            .unwrap()
            .unwrap();
        assert_eq!(at.to_rfc3339(), "2025-03-01T08:00:00+00:00");
        assert_eq!(
            parse_query("x", Some("2025-03-01"))
                .unwrap()
                .unwrap()
                .to_rfc3339(),
            "2025-03-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_query("x", Some("2025-03-01 08:00:00Z"))
                .unwrap()
                .unwrap()
                .to_rfc3339(),
            "2025-03-01T08:00:00+00:00"
        );
        assert_eq!(
            parse_query("published_before", Some("yesterday"))
                .unwrap_err()
                .field(),
            Some("published_before")
        );
    }
}
