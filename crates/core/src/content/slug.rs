//! Slugs: lowercase ASCII words joined by hyphens, accents folded
//! ("Révolution étrangère" → `revolution-etrangere`).

use crate::error::AppError;

pub const MAX_LEN: usize = 120;

/// Builds a slug from free text.
pub fn slugify(text: &str) -> String {
    let folded = deunicode::deunicode(text).to_ascii_lowercase();
    let mut slug = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_end_matches('-').to_owned();
    if slug.len() > MAX_LEN {
        slug.truncate(MAX_LEN);
        slug = slug.trim_end_matches('-').to_owned();
    }
    slug
}

/// Accepts a slug given by a client, or says which rule it breaks.
pub fn validate(field: &str, slug: &str) -> Result<(), AppError> {
    let ok_chars = slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if slug.is_empty() || slug.len() > MAX_LEN {
        return Err(AppError::invalid(
            field,
            format!("a slug has 1 to {MAX_LEN} characters"),
        ));
    }
    if !ok_chars || slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        return Err(AppError::invalid(
            field,
            "a slug is lowercase letters, digits and single hyphens, e.g. `revolution-etrangere`",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_accents_are_folded() {
        assert_eq!(slugify("Révolution étrangère"), "revolution-etrangere");
        assert_eq!(slugify("  L'été, à Noël !  "), "l-ete-a-noel");
    }

    #[test]
    fn bad_slugs_are_refused_with_their_field() {
        for bad in ["", "Caps", "a--b", "-a", "a b", "é"] {
            assert_eq!(
                validate("slug", bad).unwrap_err().field(),
                Some("slug"),
                "{bad:?}"
            );
        }
        assert!(validate("slug", "revolution-etrangere-2").is_ok());
    }
}
