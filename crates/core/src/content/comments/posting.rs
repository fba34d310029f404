//! Posting a comment: who may (guests with a name and email, signed-in readers under their
//! account's name), what a comment may hold (plain text, bounded length, few links), the
//! honeypot, rate limits per client and per article, and whether it waits for moderation:
//! staff are published at once; with auto-approval of known writers on, so are a signed-in
//! reader with an approved comment and a guest who proves their email (the guest key got by
//! confirming it, see [`super::confirmation`]) when that email has an approved comment. An
//! email typed without its key proves nothing: that comment waits, and a confirmation email
//! is queued to the address.

use crate::content::comments::CommentStatus;
use std::net::IpAddr;
use std::str::FromStr;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait,
};

use super::{CommentRecord, Comments};
use crate::content::accounts::Email;
use crate::content::articles::ArticleParts;
use crate::content::ids::{self, Kind};
use crate::content::{Viewer, now};
use crate::entities::{comment, user};
use crate::error::{AppError, AppResult};
use crate::identity::Actor;

pub const BODY_MIN: usize = 2;
pub const BODY_MAX: usize = 5000;
pub const NAME_MAX: usize = 80;
pub const IDEMPOTENCY_KEY_MAX: usize = 255;
/// The answer to a post whose `Idempotency-Key` was taken by a concurrent one.
pub const IN_FLIGHT: &str =
    "a comment with this Idempotency-Key was being posted at the same time: retry to get it";

/// A comment as a client sends it (both doors build this).
#[derive(Debug, Clone, Default)]
pub struct NewComment {
    pub article_slug: String,
    /// A visible comment of the same article.
    pub parent_id: Option<i64>,
    /// Guests only (a signed-in reader writes under their account's name).
    pub author_name: Option<String>,
    /// Guests only; never shown by any API.
    pub author_email: Option<String>,
    pub body: String,
    /// The honeypot: a field humans leave empty.
    pub website: Option<String>,
    /// Makes a retried post return the comment the first one created.
    pub idempotency_key: Option<String>,
    /// Guests only: the key got by confirming `author_email` (never stored with the comment).
    pub guest_key: Option<String>,
}

/// The comment as stored (or, for a bot that filled the honeypot, as if stored).
pub type PostedComment = CommentRecord;

/// A comment ID as clients see it (a global ID of kind `Comment`).
pub fn comment_id(field: &str, raw: &str) -> AppResult<i64> {
    match ids::decode(field, raw)? {
        (Kind::Comment, id) => Ok(id),
        _ => Err(AppError::invalid(field, "this is not the ID of a comment")),
    }
}

/// Plain text from what a client sent: markup removed (the content of `script` and `style`
/// too), entities decoded, line ends normalised, control characters dropped. Clients escape
/// it when they render it; even one that forgets finds no markup in it: markup spelled with
/// entities (`&lt;script&gt;`) is decoded, then removed like any other, until nothing
/// changes, so cleaning a cleaned text changes nothing.
pub fn plain_text(raw: &str) -> String {
    /// Passes before giving up on a text that keeps decoding into new markup (entities
    /// nested this deep are no one's prose).
    const MAX_PASSES: usize = 4;
    let mut text = one_pass(raw);
    for _ in 0..MAX_PASSES {
        let again = one_pass(&text);
        if again == text {
            return text;
        }
        text = again;
    }
    // What still changes is made of nested entities: drop what spells markup.
    let flat: String = text
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '&'))
        .collect();
    one_pass(&flat)
}

fn one_pass(raw: &str) -> String {
    let cleaned = ammonia::Builder::empty().clean(raw).to_string();
    // The sanitizer writes text back escaping only these; the order keeps `&amp;lt;` literal.
    let decoded = cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    decoded
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The number of links in a text (`http://…`, `https://…`, `www.…`).
pub fn link_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|word| {
            let w = word.to_ascii_lowercase();
            w.contains("http://") || w.contains("https://") || w.starts_with("www.")
        })
        .count()
}

/// A checked comment body.
pub fn body(raw: &str, max_links: u32) -> AppResult<String> {
    let text = plain_text(raw);
    let len = text.chars().count();
    if !(BODY_MIN..=BODY_MAX).contains(&len) {
        return Err(AppError::invalid(
            "body",
            format!("a comment is {BODY_MIN} to {BODY_MAX} characters long (without markup)"),
        ));
    }
    if link_count(&text) > max_links as usize {
        return Err(AppError::invalid(
            "body",
            format!("a comment holds at most {max_links} links"),
        ));
    }
    Ok(text)
}

/// A checked display name.
pub fn author_name(field: &str, raw: Option<&str>) -> AppResult<String> {
    let Some(raw) = raw else {
        return Err(AppError::invalid(
            field,
            format!("{field} is required: a guest gives a name"),
        ));
    };
    let name = raw.trim();
    crate::content::text::check_line(field, name)?;
    if name.is_empty() || raw.chars().count() > NAME_MAX || name.contains('<') {
        return Err(AppError::invalid(
            field,
            format!("a name is 1 to {NAME_MAX} characters, without markup"),
        ));
    }
    Ok(name.to_owned())
}

/// A checked email address, lower-cased (so that "known email" matches however it is typed):
/// the accounts' rule ([`Email`]), and one the mailer can write to.
pub fn email(field: &str, raw: Option<&str>) -> AppResult<String> {
    let email = Email::parse(raw.unwrap_or_default())
        .map_err(|err| AppError::invalid(field, err.to_string()))?
        .into_inner();
    if lettre::Address::from_str(&email).is_err() {
        return Err(AppError::invalid(
            field,
            "this is not a valid email address",
        ));
    }
    Ok(email)
}

fn idempotency_key(raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(key) = raw else { return Ok(None) };
    if key.is_empty()
        || key.len() > IDEMPOTENCY_KEY_MAX
        || !key.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(AppError::invalid(
            "idempotencyKey",
            format!("an idempotency key is 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters"),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// Who writes: a guest (name and email) or a signed-in reader (an account).
struct Writer {
    name: String,
    email: Option<String>,
    user_id: Option<i64>,
    staff: bool,
}

impl Writer {
    /// Idempotency keys are the client's own: stored under the writer, two writers using
    /// the same key never meet.
    fn key_scope(&self) -> String {
        use sha2::{Digest, Sha256};
        match (self.user_id, &self.email) {
            (Some(id), _) => format!("u{id}"),
            (None, email) => {
                let digest = Sha256::digest(email.as_deref().unwrap_or_default().as_bytes());
                let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
                format!("g{hex}")
            }
        }
    }
}

fn record(m: comment::Model) -> AppResult<CommentRecord> {
    Ok(CommentRecord {
        id: m.id,
        article_id: m.article_id,
        parent_id: m.parent_id,
        author_name: m.author_name,
        body: m.body,
        status: CommentStatus::parse(&m.status)?,
        created_at: m.created_at,
    })
}

impl Comments<'_> {
    /// Posts a comment from `client` (its address, when known). The first comment of an
    /// unknown writer waits for moderation; see the module documentation for the rest.
    pub async fn post(
        &self,
        actor: &Actor,
        client: Option<IpAddr>,
        input: NewComment,
    ) -> AppResult<PostedComment> {
        let protection = self.content.protection.clone();
        let body = body(&input.body, protection.comment_max_links)?;
        let key = idempotency_key(input.idempotency_key.as_deref())?;
        let writer = self.writer(actor, &input).await?;
        let key = key.map(|k| format!("{}:{k}", writer.key_scope()));
        let article = self
            .content
            .articles()
            .find_by_slug(
                &Viewer::public(),
                &input.article_slug,
                ArticleParts::default(),
            )
            .await?
            .ok_or_else(|| AppError::not_found("article"))?;
        if let Some(parent) = input.parent_id {
            self.check_parent(article.id, parent).await?;
        }
        let fresh = comment::ActiveModel {
            article_id: Set(article.id),
            parent_id: Set(input.parent_id),
            user_id: Set(writer.user_id),
            author_name: Set(writer.name.clone()),
            author_email: Set(writer.email.clone()),
            body: Set(body.clone()),
            idempotency_key: Set(key.clone()),
            ..Default::default()
        };
        if let Some(key) = &key
            && let Some(earlier) = self.replay(key, &fresh).await?
        {
            return Ok(earlier);
        }
        let client_hash = protection.client_hash(client);
        protection
            .hit(
                "comment:client",
                &client_hash,
                protection.comments_per_client,
            )
            .await?;
        protection
            .hit(
                "comment:article",
                &article.id.to_string(),
                protection.comments_per_article,
            )
            .await?;
        let at = now();
        if input
            .website
            .as_deref()
            .is_some_and(|w| !w.trim().is_empty())
        {
            // A bot: it gets what a first-time guest gets, and nothing is stored.
            return Ok(CommentRecord {
                id: fastrand::i64(1_000..i64::from(i32::MAX)),
                article_id: article.id,
                parent_id: input.parent_id,
                author_name: writer.name,
                body,
                status: CommentStatus::Pending,
                created_at: at,
            });
        }
        let trust = self.trust(&writer, input.guest_key.as_deref()).await?;
        let mut fresh = fresh;
        fresh.status = Set(if trust.known {
            CommentStatus::Approved
        } else {
            CommentStatus::Pending
        }
        .as_str()
        .into());
        fresh.client_hash = Set(Some(client_hash));
        fresh.created_at = Set(at);
        fresh.updated_at = Set(at);
        let txn = self.content.db.conn.begin().await?;
        match fresh.clone().insert(&txn).await {
            Ok(model) => {
                if let (true, Some(email)) = (trust.confirm, &writer.email) {
                    self.content.comment_emails().request(&txn, email).await?;
                }
                txn.commit().await?;
                record(model)
            }
            Err(err) => {
                txn.rollback().await?;
                let err = AppError::from(err);
                // Two posts with the same key at once: the key and the comment are one row,
                // so only one was stored; the other was sent while the first was in flight and
                // answers 409 (a retry then gets the first comment), or 422 if it differs.
                if let (AppError::Conflict(_), Some(key)) = (&err, &key)
                    && self.replay(key, &fresh).await?.is_some()
                {
                    return Err(AppError::Conflict(IN_FLIGHT.into()));
                }
                Err(err)
            }
        }
    }

    async fn writer(&self, actor: &Actor, input: &NewComment) -> AppResult<Writer> {
        match actor {
            Actor::Partner(_) => Err(AppError::Forbidden(
                "partner keys may not post comments".into(),
            )),
            Actor::User(user) => {
                let account = user::Entity::find_by_id(user.id)
                    .one(&self.content.db.conn)
                    .await?
                    .filter(|u| u.disabled_at.is_none())
                    .ok_or_else(|| {
                        AppError::Unauthenticated("this account no longer exists".into())
                    })?;
                Ok(Writer {
                    name: account.display_name,
                    email: None,
                    user_id: Some(account.id),
                    staff: user.role.is_staff(),
                })
            }
            Actor::Anonymous => Ok(Writer {
                name: author_name("authorName", input.author_name.as_deref())?,
                email: Some(email("authorEmail", input.author_email.as_deref())?),
                user_id: None,
                staff: false,
            }),
        }
    }

    /// A reply answers a visible comment of the same article.
    async fn check_parent(&self, article_id: i64, parent_id: i64) -> AppResult<()> {
        let found = comment::Entity::find_by_id(parent_id)
            .filter(comment::Column::ArticleId.eq(article_id))
            .filter(comment::Column::Status.eq(CommentStatus::Approved.as_str()))
            .select_only()
            .column(comment::Column::Id)
            .into_tuple::<i64>()
            .one(&self.content.db.conn)
            .await?;
        match found {
            Some(_) => Ok(()),
            None => Err(AppError::invalid(
                "parentId",
                "a reply answers a published comment of the same article",
            )),
        }
    }

    /// The comment an earlier post with the same key created, if the same comment; a key
    /// reused for a different comment is refused.
    async fn replay(
        &self,
        key: &str,
        fresh: &comment::ActiveModel,
    ) -> AppResult<Option<PostedComment>> {
        let Some(earlier) = comment::Entity::find()
            .filter(comment::Column::IdempotencyKey.eq(key))
            .one(&self.content.db.conn)
            .await?
        else {
            return Ok(None);
        };
        let same = Some(&earlier.article_id) == fresh.article_id.try_as_ref()
            && Some(&earlier.parent_id) == fresh.parent_id.try_as_ref()
            && Some(&earlier.user_id) == fresh.user_id.try_as_ref()
            && Some(&earlier.author_name) == fresh.author_name.try_as_ref()
            && Some(&earlier.author_email) == fresh.author_email.try_as_ref()
            && Some(&earlier.body) == fresh.body.try_as_ref();
        if !same {
            return Err(AppError::invalid(
                "idempotencyKey",
                "this idempotency key was used for a different comment",
            ));
        }
        Ok(Some(record(earlier)?))
    }

    /// Whether the writer's comment is published at once (staff always; a reader with an
    /// approved comment, or a guest holding their email's key whose email has one, when the
    /// publisher trusts known writers), and whether a guest's email should be asked to
    /// confirm (it was typed without its key).
    async fn trust(&self, writer: &Writer, guest_key: Option<&str>) -> AppResult<Trust> {
        let untrusted = Trust {
            known: false,
            confirm: false,
        };
        if writer.staff {
            return Ok(Trust {
                known: true,
                confirm: false,
            });
        }
        if !self.content.protection.auto_approve_known {
            return Ok(untrusted);
        }
        let conn = &self.content.db.conn;
        if let (None, Some(email)) = (writer.user_id, &writer.email)
            && !self
                .content
                .comment_emails()
                .holds_key(conn, email, guest_key)
                .await?
        {
            return Ok(Trust {
                known: false,
                confirm: true,
            });
        }
        Ok(Trust {
            known: self.has_approved(conn, writer).await?,
            confirm: false,
        })
    }

    /// Whether the writer (an account, or a guest's email) has an approved comment.
    async fn has_approved(&self, conn: &impl ConnectionTrait, writer: &Writer) -> AppResult<bool> {
        let mut query = comment::Entity::find()
            .filter(comment::Column::Status.eq(CommentStatus::Approved.as_str()));
        query = match (writer.user_id, &writer.email) {
            (Some(user_id), _) => query.filter(comment::Column::UserId.eq(user_id)),
            (None, Some(email)) => query
                .filter(comment::Column::UserId.is_null())
                .filter(comment::Column::AuthorEmail.eq(email.clone())),
            (None, None) => return Ok(false),
        };
        let found = query
            .select_only()
            .column(comment::Column::Id)
            .into_tuple::<i64>()
            .one(conn)
            .await?;
        Ok(found.is_some())
    }
}

/// What [`Comments::trust`] decided.
struct Trust {
    /// Published at once.
    known: bool,
    /// A confirmation email is to be queued to the guest's email.
    confirm: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_stripped_and_entities_decoded() {
        assert_eq!(
            plain_text("<p>Bonjour <b>à tous</b></p><script>alert(1)</script>"),
            "Bonjour à tous"
        );
        assert_eq!(plain_text("a &lt; b &amp;&amp; c > d"), "a < b && c > d");
        assert_eq!(plain_text("  « l'été »  "), "« l'été »");
    }

    #[test]
    fn links_are_counted() {
        assert_eq!(link_count("see https://a.fr and www.b.fr, not c.fr"), 2);
    }

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            email("e", Some(" Ana@Example.FR ")).unwrap(),
            "ana@example.fr"
        );
        assert!(email("e", Some("ana@localhost")).is_err());
        assert!(email("e", Some("not an email")).is_err());
        assert!(email("e", None).is_err());
    }
}
