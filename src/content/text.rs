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

fn bounded(field: &str, value: &str, min: usize, max: usize) -> AppResult<String> {
    let n = value.chars().count();
    if n < min || n > max {
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
    bounded(field, value, min, max)
}

/// A trimmed prose text of `min..=max` characters.
pub fn prose(field: &str, raw: &str, min: usize, max: usize) -> AppResult<String> {
    let value = raw.trim();
    check_prose(field, value)?;
    bounded(field, value, min, max)
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
}
