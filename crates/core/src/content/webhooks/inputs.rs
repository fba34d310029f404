//! What a webhook is made of, checked: an absolute http(s) URL without credentials, whose
//! host is not internal (`targets`), known event names, and a secret long enough to sign with.

use super::targets::{AllowedNetworks, check_host};
use crate::error::{AppError, AppResult};

/// The events an endpoint may subscribe to.
pub const EVENTS: &[&str] = &[
    "article.published",
    "article.updated",
    "article.unpublished",
    "comment.approved",
];

pub const URL_MAX: usize = 2000;
pub const SECRET_MIN: usize = 16;
pub const SECRET_MAX: usize = 256;

/// An event a change reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// An article became public (published now, or a scheduled one published at once).
    ArticlePublished,
    /// A public article was edited.
    ArticleUpdated,
    /// A public article was unpublished, archived or deleted (`data.deleted` tells).
    ArticleUnpublished,
    /// A comment was approved by a moderator.
    CommentApproved,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArticlePublished => "article.published",
            Self::ArticleUpdated => "article.updated",
            Self::ArticleUnpublished => "article.unpublished",
            Self::CommentApproved => "comment.approved",
        }
    }
}

/// A new endpoint, as both doors build it.
#[derive(Debug, Clone, Default)]
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    /// Generated when absent.
    pub secret: Option<String>,
    /// `true` when absent.
    pub active: Option<bool>,
}

/// Changes to an endpoint; absent fields are kept.
#[derive(Debug, Clone, Default)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub secret: Option<String>,
    pub active: Option<bool>,
}

/// An absolute `http` or `https` URL with a host and without user or password, whose host
/// deliveries may reach (`targets::check_host`).
pub fn url(raw: &str, allowed: &AllowedNetworks) -> AppResult<String> {
    let raw = raw.trim();
    let invalid = |why: &str| AppError::invalid("url", why.to_owned());
    if raw.is_empty() || raw.len() > URL_MAX {
        return Err(invalid(&format!(
            "a webhook URL is 1 to {URL_MAX} characters"
        )));
    }
    let parsed = url::Url::parse(raw)
        .map_err(|_| invalid("a webhook URL is absolute, such as https://partner.example/hooks"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("a webhook URL is http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("a webhook URL names a host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "a webhook URL may not carry credentials: deliveries are signed with the secret",
        ));
    }
    if parsed.fragment().is_some() {
        return Err(invalid("a webhook URL has no fragment (#…)"));
    }
    check_host(&parsed, allowed)?;
    Ok(parsed.to_string())
}

/// At least one known event, without duplicates, in the order of [`EVENTS`].
pub fn events(raw: &[String]) -> AppResult<Vec<String>> {
    if raw.is_empty() {
        return Err(AppError::invalid(
            "events",
            format!("subscribe to at least one of {}", EVENTS.join(", ")),
        ));
    }
    for name in raw {
        if !EVENTS.contains(&name.trim()) {
            return Err(AppError::invalid(
                "events",
                format!("unknown event {name:?}: events are {}", EVENTS.join(", ")),
            ));
        }
    }
    Ok(EVENTS
        .iter()
        .filter(|e| raw.iter().any(|r| r.trim() == **e))
        .map(|e| (*e).to_owned())
        .collect())
}

/// The stored, space-separated list as names.
pub fn split_events(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

/// A secret given by the admin: printable ASCII, without spaces, long enough.
pub fn secret(raw: &str) -> AppResult<String> {
    let len = raw.chars().count();
    if !(SECRET_MIN..=SECRET_MAX).contains(&len) {
        return Err(AppError::invalid(
            "secret",
            format!("a webhook secret is {SECRET_MIN} to {SECRET_MAX} characters"),
        ));
    }
    if !raw.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::invalid(
            "secret",
            "a webhook secret is printable ASCII without spaces",
        ));
    }
    Ok(raw.to_owned())
}

/// A fresh secret: `whsec_` and 32 random bytes in hex.
pub fn generate_secret() -> String {
    use rand::Rng;
    let bytes: [u8; 32] = rand::rng().random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("whsec_{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_absolute_http_without_credentials() {
        let none = AllowedNetworks::default();
        let url = |raw: &str| url(raw, &none);
        assert_eq!(
            url(" https://partner.example/hooks ").unwrap(),
            "https://partner.example/hooks"
        );
        assert!(url("http://127.0.0.1:8080/in").is_err(), "loopback");
        let loopback = AllowedNetworks::parse("127.0.0.0/8").unwrap();
        assert!(super::url("http://127.0.0.1:8080/in", &loopback).is_ok());
        for bad in [
            "",
            "/relative",
            "ftp://partner.example/",
            "https://user:pw@partner.example/",
            "https://user@partner.example/",
            "javascript:alert(1)",
            "https://partner.example/#frag",
        ] {
            assert_eq!(url(bad).unwrap_err().field(), Some("url"), "{bad}");
        }
    }

    #[test]
    fn events_are_known_and_deduplicated() {
        let given = vec![
            "comment.approved".to_owned(),
            "article.published".to_owned(),
            "article.published".to_owned(),
        ];
        assert_eq!(
            events(&given).unwrap(),
            vec!["article.published", "comment.approved"]
        );
        assert!(events(&[]).is_err());
        assert!(events(&["article.deleted".to_owned()]).is_err());
    }

    #[test]
    fn secrets_are_long_enough_and_generated_ones_are_unique() {
        assert!(secret("short").is_err());
        assert!(secret("a secret with spaces").is_err());
        assert!(secret("0123456789abcdef").is_ok());
        let a = generate_secret();
        assert!(a.starts_with("whsec_") && a.len() == 70);
        assert_ne!(a, generate_secret());
    }
}
