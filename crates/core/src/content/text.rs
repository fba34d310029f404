//! The characters a text input may hold, whoever sends it and through whichever door: one
//! rule for single-line texts (titles, names of people, rubrics, tags, keys, sources,
//! senders) and one for prose (standfirsts, descriptions, bios, bodies).
//!
//! A single line holds no control character at all (no CR or LF to split a header, a log
//! line or a CSV cell, no NUL that PostgreSQL refuses to store) and no bidirectional
//! override, embedding or isolate (U+202A–U+202E, U+2066–U+2069), which make a name read
//! differently from what it is ("Trojan Source"); nor the Unicode line and paragraph
//! separators. Prose may hold line breaks and tabs, nothing else of those.

use crate::error::{AppError, AppResult};

/// Bidirectional formatting characters that reorder what follows them. The marks (LRM,
/// RLM, ALM) only nudge neutral characters and stay allowed.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn breaks_a_line(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A single-line text refuses control characters (CR and LF included) and bidi overrides.
pub fn check_line(field: &str, value: &str) -> AppResult<()> {
    if value.chars().any(breaks_a_line) {
        return Err(AppError::invalid(
            field,
            format!(
                "{field} is one line: no line break, control character or bidirectional override"
            ),
        ));
    }
    Ok(())
}

/// Prose allows line breaks and tabs, but no other control character nor bidi override.
pub fn check_prose(field: &str, value: &str) -> AppResult<()> {
    if value
        .chars()
        .any(|c| breaks_a_line(c) && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::invalid(
            field,
            format!("{field} must not contain control characters or bidirectional overrides"),
        ));
    }
    Ok(())
}

/// `value` (trimmed from `raw`) has at least `min` characters, and `raw` at most `max`: what
/// a client sends is bounded as sent (as the contract's `maxLength` says), what is kept is
/// not empty.
fn bounded(field: &str, raw: &str, value: &str, min: usize, max: usize) -> AppResult<String> {
    if value.chars().count() < min || raw.chars().count() > max {
        return Err(AppError::invalid(
            field,
            if min > 0 {
                format!("{field} has {min} to {max} characters")
            } else {
                format!("{field} has at most {max} characters")
            },
        ));
    }
    Ok(value.to_owned())
}

/// A trimmed single-line text of `min..=max` characters.
pub fn line(field: &str, raw: &str, min: usize, max: usize) -> AppResult<String> {
    let value = raw.trim();
    check_line(field, value)?;
    bounded(field, raw, value, min, max)
}

/// A trimmed prose text of `min..=max` characters.
pub fn prose(field: &str, raw: &str, min: usize, max: usize) -> AppResult<String> {
    let value = raw.trim();
    check_prose(field, value)?;
    bounded(field, raw, value, min, max)
}

/// The rules above as regular expressions, for the REST contract: a field's schema names
/// its rule with a marker (`pattern = "text:line"`) and the contract writer puts the
/// expression in its place (`rest::openapi`), so that the rule is written here once. Each is
/// exact (a string matches if and only if the service accepts it, lengths aside), which the
/// tests below check over every short string of an alphabet of the characters that matter;
/// the syntax (`\uXXXX`, classes and ranges) reads the same in ECMA-262, Python and Rust.
pub mod patterns {
    /// What `str::trim` removes (Unicode White_Space).
    macro_rules! ws {
        () => {
            r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
        };
    }
    /// What a single line refuses: control characters, the line and paragraph separators,
    /// bidi overrides, embeddings and isolates.
    macro_rules! ctrl {
        () => {
            r"\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"
        };
    }
    /// What prose refuses: the same, tab and line breaks excepted.
    macro_rules! prose_ctrl {
        () => {
            r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"
        };
    }
    /// Blank or refused on a line: a character that makes a single line non-empty is none of these.
    macro_rules! blank_or_ctrl {
        () => {
            r"\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028-\u202f\u205f\u2066-\u2069\u3000"
        };
    }
    /// What cleaning a reader's text drops or rewrites (`comments::posting::plain_text`):
    /// markup, entities, control characters but tab and line feed.
    macro_rules! cleaned {
        () => {
            r"<>&\u0000-\u0008\u000b-\u001f\u007f-\u009f"
        };
    }

    /// Any run of characters cleaning keeps as they are.
    macro_rules! kept {
        () => {
            concat!("[^", cleaned!(), "]*")
        };
    }
    /// One character cleaning keeps that is not blank.
    macro_rules! shown {
        () => {
            concat!("[^", cleaned!(), blank_or_ctrl!(), "]")
        };
    }

    /// A required single line ([`super::line`] with `min` ≥ 1): trimmed, not blank.
    pub const LINE: &str = concat!(
        "^[",
        ws!(),
        "]*[^",
        ctrl!(),
        "]*[^",
        blank_or_ctrl!(),
        "][^",
        ctrl!(),
        "]*[",
        ws!(),
        "]*$"
    );
    /// An optional single line (blank means none).
    pub const OPTIONAL_LINE: &str = concat!("^[", ws!(), "]*[^", ctrl!(), "]*[", ws!(), "]*$");
    /// A reader's name (a guest commenter, a sender): a required single line without `<`.
    pub const NAME: &str = concat!(
        "^[",
        ws!(),
        "]*[^<",
        ctrl!(),
        "]*[^<",
        blank_or_ctrl!(),
        "][^<",
        ctrl!(),
        "]*[",
        ws!(),
        "]*$"
    );
    /// Prose, trimmed ([`super::prose`]): line breaks and tabs allowed.
    pub const PROSE: &str = concat!("^[", ws!(), "]*[^", prose_ctrl!(), "]*[", ws!(), "]*$");
    /// A Markdown body: prose, not trimmed.
    pub const MARKDOWN: &str = concat!("^[^", prose_ctrl!(), "]*$");
    /// A reader's text the service cleans (a report's reason): at least one character that
    /// cleaning keeps and that is not blank. The service also takes markup and control
    /// characters, and removes them: this is the text that passes unchanged.
    pub const CLEAN_TEXT: &str = concat!("^", kept!(), shown!(), kept!(), "$");
    /// The same with at least two such characters (a comment's body).
    pub const CLEAN_TEXT_2: &str = concat!("^", kept!(), shown!(), kept!(), shown!(), kept!(), "$");
    /// An absolute `http` or `https` URL whose host is a DNS name or an IPv4 address, without
    /// credentials, port, query or fragment characters outside RFC 3986's.
    pub const HTTP_URL: &str = r"^[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9]+(-[A-Za-z0-9]+)*(\.[A-Za-z0-9]+(-[A-Za-z0-9]+)*)*(/[!$&-;=?-Z_a-z~]*)?$";
    /// The same, or blank (none).
    pub const HTTP_URL_OR_BLANK: &str = r"^(?:[\t-\r ]*|[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9]+(-[A-Za-z0-9]+)*(\.[A-Za-z0-9]+(-[A-Za-z0-9]+)*)*(/[!$&-;=?-Z_a-z~]*)?)$";
    /// Not blank: at least one character `str::trim` keeps.
    pub const NOT_BLANK: &str = concat!("[^", ws!(), "]");

    /// The marker a schema names a rule with, and the rule.
    pub const MARKERS: &[(&str, &str)] = &[
        ("text:line", LINE),
        ("text:optional-line", OPTIONAL_LINE),
        ("text:name", NAME),
        ("text:prose", PROSE),
        ("text:markdown", MARKDOWN),
        ("text:clean", CLEAN_TEXT),
        ("text:clean-2", CLEAN_TEXT_2),
        ("text:not-blank", NOT_BLANK),
        ("text:http-url", HTTP_URL),
        ("text:http-url-or-blank", HTTP_URL_OR_BLANK),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_refuses_breaks_controls_and_bidi_overrides() {
        for bad in [
            "a\nb",
            "a\rb",
            "a\tb",
            "a\0b",
            "a\u{7}b",
            "a\u{85}b",
            "a\u{202e}b",
            "a\u{2067}b",
            "a\u{2028}b",
        ] {
            assert!(line("name", bad, 1, 100).is_err(), "{bad:?}");
        }
        assert_eq!(
            line("name", "  Zoé \u{200f}אב ", 1, 100).unwrap(),
            "Zoé \u{200f}אב"
        );
    }

    #[test]
    fn prose_keeps_line_breaks_and_tabs_only() {
        assert!(prose("bio", "un\r\ndeux\ttrois", 0, 100).is_ok());
        for bad in ["a\0b", "a\u{1b}[31mb", "a\u{202d}b"] {
            assert!(prose("bio", bad, 0, 100).is_err(), "{bad:?}");
        }
    }

    /// Every string of up to three characters over the characters that matter.
    fn short_strings() -> Vec<String> {
        let alphabet = [
            'a', 'é', ' ', '\t', '\n', '\r', '\u{b}', '\0', '\u{1f}', '\u{7f}', '\u{85}', '\u{a0}',
            '\u{2028}', '\u{202e}', '\u{2067}', '\u{200f}', '\u{3000}', '<', '&', '>',
        ];
        let mut out = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..3 {
            let next: Vec<String> = last
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            out.extend(next.iter().cloned());
            last = next;
        }
        out
    }

    fn regex(pattern: &str) -> regex::Regex {
        regex::Regex::new(pattern).expect("a valid pattern")
    }

    /// The contract's patterns say exactly what the service accepts.
    #[test]
    fn the_contract_patterns_are_the_service_rules() {
        use crate::content::comments::posting::author_name;
        let cases: [(&str, &dyn Fn(&str) -> bool); 6] = [
            (patterns::LINE, &|s| line("f", s, 1, 100).is_ok()),
            (patterns::OPTIONAL_LINE, &|s| {
                s.trim().is_empty() || line("f", s, 0, 100).is_ok()
            }),
            (patterns::NAME, &|s| author_name("f", Some(s)).is_ok()),
            (patterns::PROSE, &|s| prose("f", s, 0, 100).is_ok()),
            (patterns::MARKDOWN, &|s| check_prose("f", s).is_ok()),
            (patterns::NOT_BLANK, &|s| !s.trim().is_empty()),
        ];
        for (pattern, accepts) in cases {
            let re = regex(pattern);
            for s in short_strings() {
                assert_eq!(re.is_match(&s), accepts(&s), "{pattern} on {s:?}");
            }
        }
    }

    /// A text matching the cleaned-text patterns passes cleaning unchanged (trimmed) and
    /// keeps enough to be accepted: a report's reason (one character), a comment (two). (They
    /// are not exact: the service also takes what cleaning shortens.)
    #[test]
    fn what_the_clean_patterns_accept_survives_cleaning() {
        use crate::content::comments::posting::plain_text;
        let one = regex(patterns::CLEAN_TEXT);
        let two = regex(patterns::CLEAN_TEXT_2);
        for s in short_strings() {
            let cleaned = plain_text(&s);
            let kept = cleaned.chars().count();
            if one.is_match(&s) || two.is_match(&s) {
                assert_eq!(cleaned, s.trim(), "{s:?}");
            }
            if one.is_match(&s) {
                assert!(kept >= 1, "{s:?}");
            }
            if two.is_match(&s) {
                assert!(kept >= 2, "{s:?}");
            }
        }
    }
}
