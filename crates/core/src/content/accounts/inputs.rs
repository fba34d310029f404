//! The rules of account inputs, as types: a value of [`Email`], [`DisplayName`] or
//! [`Scopes`] has been checked, so the services never see a raw string. Errors name the
//! input field the GraphQL way (`displayName`); the REST door renames them (`display_name`).

use crate::error::{AppError, AppResult};

/// An email address, trimmed and lowercased (so `Ana@Example.org ` and `ana@example.org`
/// are one account), and plausible: one `@`, a local part, a dotted domain, no spaces.
/// Deliverability is not checked (no mail is sent to staff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

pub const EMAIL_MAX_LEN: usize = 254;

impl Email {
    pub fn parse(raw: &str) -> AppResult<Self> {
        let email = raw.trim().to_lowercase();
        let invalid = |message: &str| Err(AppError::invalid("email", message));
        if email.is_empty() {
            return invalid("email is required");
        }
        if email.len() > EMAIL_MAX_LEN {
            return invalid("an email address has at most 254 characters");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return invalid("an email address looks like name@example.org");
        };
        let plausible = !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.contains('@')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !plausible {
            return invalid("an email address looks like name@example.org");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The name shown for a user in the back office: 1 to 100 characters, trimmed, no control
/// characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

pub const NAME_MAX_LEN: usize = 100;

impl DisplayName {
    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(AppError::invalid(field, format!("{field} is required")));
        }
        if raw.chars().count() > NAME_MAX_LEN {
            return Err(AppError::invalid(
                field,
                format!("{field} has at most {NAME_MAX_LEN} characters"),
            ));
        }
        crate::content::text::check_line(field, name)?;
        Ok(Self(name.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// What a partner key may read. Keys are read-only whatever their scopes.
pub const KNOWN_SCOPES: &[&str] = &[
    "articles:read",
    "comments:read",
    "feeds:read",
    "webhooks:read",
];

/// The scopes of an API key: at least one, each known, without duplicates; stored sorted
/// and space-separated. An entry may itself hold several space-separated scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    pub fn parse(raw: &[String]) -> AppResult<Self> {
        let mut scopes: Vec<String> = Vec::new();
        for scope in raw.iter().flat_map(|s| s.split_whitespace()) {
            if !KNOWN_SCOPES.contains(&scope) {
                return Err(AppError::invalid(
                    "scopes",
                    format!(
                        "unknown scope `{}`; scopes are {}",
                        scope.chars().take(40).collect::<String>(),
                        KNOWN_SCOPES.join(", ")
                    ),
                ));
            }
            if !scopes.iter().any(|s| s == scope) {
                scopes.push(scope.to_owned());
            }
        }
        if scopes.is_empty() {
            return Err(AppError::invalid("scopes", "give at least one scope"));
        }
        scopes.sort();
        Ok(Self(scopes))
    }

    /// The stored form.
    pub fn joined(&self) -> String {
        self.0.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_implausible_ones_refused() {
        assert_eq!(
            Email::parse("  Ana.Roux@Example.ORG ").unwrap().as_str(),
            "ana.roux@example.org"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.org",
            "ana@localhost",
            "ana roux@example.org",
            "ana@@example.org",
            "ana@example..org",
        ] {
            assert_eq!(
                Email::parse(bad).unwrap_err().field(),
                Some("email"),
                "{bad}"
            );
        }
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("displayName", "  Ana ")
                .unwrap()
                .into_inner(),
            "Ana"
        );
        assert!(DisplayName::parse("displayName", "   ").is_err());
        assert!(DisplayName::parse("displayName", &"x".repeat(101)).is_err());
        assert!(DisplayName::parse("name", "a\u{7}b").is_err());
    }

    #[test]
    fn scopes_are_known_deduplicated_and_sorted() {
        let scopes = Scopes::parse(&["feeds:read articles:read".into(), "feeds:read".into()]);
        assert_eq!(scopes.unwrap().joined(), "articles:read feeds:read");
        assert_eq!(
            Scopes::parse(&["articles:write".into()])
                .unwrap_err()
                .field(),
            Some("scopes")
        );
        assert!(Scopes::parse(&[]).is_err());
    }
}
