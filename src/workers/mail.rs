//! Outgoing email: the worker of the email outboxes, `shares` ("send to a friend") and
//! `comment_emails` (confirming a guest commenter's email). It claims due rows, renders each
//! email and sends it through SMTP (`KIOSQUE_SMTP_URL=smtp://host:port`) or, by
//! default, the log transport, which writes the email to the log (the recipient masked) and
//! keeps the last few in memory for tests and demos. Outcomes go back to the outbox: sent,
//! or retried with backoff.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Config;
use crate::content::Content;
use crate::content::comments::confirmation::DueConfirmation;
use crate::content::shares::DueShare;
use crate::error::AppResult;

/// Rows claimed per round, per outbox.
const BATCH: u64 = 20;
/// How long a claimed share is reserved for this worker.
const LEASE: Duration = Duration::from_secs(300);
/// Emails the log transport keeps in memory.
const KEPT: usize = 100;

/// An email written by the log transport (the recipient masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

enum Transport {
    Log,
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends emails; cheap to share (`Arc`).
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    poll: Duration,
    logged: Mutex<VecDeque<LoggedEmail>>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field(
                "transport",
                &match self.transport {
                    Transport::Log => "log",
                    Transport::Smtp(_) => "smtp",
                },
            )
            .finish_non_exhaustive()
    }
}

/// `smtp://host[:port]` as host and port (25 by default).
fn smtp_address(url: &str) -> Result<(String, u16), String> {
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| "KIOSQUE_SMTP_URL must look like smtp://host:port".to_owned())?;
    let rest = rest.trim_end_matches('/');
    match rest.rsplit_once(':') {
        Some((host, port)) => Ok((
            host.to_owned(),
            port.parse()
                .map_err(|_| format!("KIOSQUE_SMTP_URL has a bad port: {port}"))?,
        )),
        None => Ok((rest.to_owned(), 25)),
    }
}

/// `ana@example.fr` as `a***@example.fr`: enough to tell emails apart in a log, not to
/// write to anyone.
pub fn mask(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// The subject and plain-text body of a share.
pub fn render(share: &DueShare) -> (String, String) {
    let subject = format!(
        "{} vous recommande : {}",
        share.sender_name, share.article_title
    );
    let mut body = format!(
        "{} vous recommande cet article.\n\n{}\n\n{}\n\n",
        share.sender_name, share.article_title, share.article_standfirst
    );
    if let Some(message) = &share.message {
        body.push_str(&format!("Son message :\n{message}\n\n"));
    }
    body.push_str(&format!("Lire l'article : {}\n", share.article_url));
    (subject, body)
}

/// The subject and plain-text body of a confirmation email.
pub fn render_confirmation(confirmation: &DueConfirmation) -> (String, String) {
    let subject = "Confirmez votre adresse pour commenter".to_owned();
    let body = format!(
        "Bonjour,\n\nUn commentaire vient d'être envoyé avec cette adresse. Si c'était vous, \
         confirmez-la en ouvrant ce lien (valable 24 heures, une seule fois) :\n\n{}\n\n\
         Vos prochains commentaires, depuis ce navigateur, pourront alors être publiés sans attendre \
         la modération.\n\nSi ce n'était pas vous, ignorez ce message : rien ne sera publié en \
         votre nom sans cette confirmation.\n",
        confirmation.link
    );
    (subject, body)
}

/// One email to send.
struct Outgoing<'a> {
    /// What the log says it is (`share 12`).
    label: String,
    to: &'a str,
    subject: String,
    body: String,
    /// A secret in the body that the log must not show (kept in [`Mailer::logged`]).
    secret: Option<&'a str>,
}

impl Mailer {
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let from: Mailbox = config
            .mail_from
            .parse()
            .map_err(|e| format!("KIOSQUE_MAIL_FROM is not a valid address: {e}"))?;
        let transport = match &config.smtp_url {
            Some(url) => {
                let (host, port) = smtp_address(url)?;
                Transport::Smtp(
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                        .port(port)
                        .timeout(Some(Duration::from_secs(15)))
                        .build(),
                )
            }
            None => Transport::Log,
        };
        Ok(Self {
            transport,
            from,
            poll: config.mail_poll.max(Duration::from_millis(10)),
            logged: Mutex::new(VecDeque::new()),
        })
    }

    /// The log transport, for when the configured one cannot be used.
    pub fn log_only(config: &Config) -> Self {
        Self {
            transport: Transport::Log,
            from: Mailbox::new(
                None,
                lettre::Address::new("no-reply", "localhost").unwrap_or_else(|_| unreachable!()),
            ),
            poll: config.mail_poll.max(Duration::from_millis(10)),
            logged: Mutex::new(VecDeque::new()),
        }
    }

    /// The last emails written by the log transport, oldest first.
    pub fn logged(&self) -> Vec<LoggedEmail> {
        self.logged
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Sends every due email once (shares, then confirmations); returns how many went out.
    pub async fn deliver_due(&self, content: &Content) -> AppResult<usize> {
        let mut sent = self.deliver_shares(content).await?;
        let confirmations = content.comment_emails();
        for due in confirmations.claim_due(BATCH, LEASE).await? {
            let (subject, body) = render_confirmation(&due);
            let outgoing = Outgoing {
                label: format!("comment email confirmation {}", due.id),
                to: &due.email,
                subject,
                body,
                secret: Some(&due.token),
            };
            match self.send(outgoing).await {
                Ok(()) => {
                    confirmations.mark_sent(due.id).await?;
                    sent += 1;
                }
                Err(err) => {
                    tracing::warn!(confirmation = due.id, attempts = due.attempts + 1, error = %err, "a confirmation email could not be sent");
                    confirmations
                        .mark_failed(due.id, due.attempts, &err)
                        .await?;
                }
            }
        }
        Ok(sent)
    }

    async fn deliver_shares(&self, content: &Content) -> AppResult<usize> {
        let shares = content.shares();
        let mut sent = 0;
        for share in shares.claim_due(BATCH, LEASE).await? {
            let (subject, body) = render(&share);
            let outgoing = Outgoing {
                label: format!("share {}", share.id),
                to: &share.recipient_email,
                subject,
                body,
                secret: None,
            };
            match self.send(outgoing).await {
                Ok(()) => {
                    shares.mark_sent(share.id).await?;
                    sent += 1;
                }
                Err(err) => {
                    tracing::warn!(share = share.id, attempts = share.attempts + 1, error = %err, "a share email could not be sent");
                    shares.mark_failed(share.id, share.attempts, &err).await?;
                }
            }
        }
        Ok(sent)
    }

    /// Sends one email. An error never holds the recipient's address (servers quote the
    /// address they refuse: it is masked before the error reaches logs and rows).
    async fn send(&self, email: Outgoing<'_>) -> Result<(), String> {
        let Outgoing {
            label,
            to,
            subject,
            body,
            secret,
        } = email;
        match &self.transport {
            Transport::Log => {
                let masked = mask(to);
                let shown = match secret {
                    Some(secret) => body.replace(secret, "…"),
                    None => body.clone(),
                };
                tracing::info!(email = %label, to = %masked, subject = %subject, body = %shown, "email (log transport)");
                let mut logged = self.logged.lock().unwrap_or_else(|p| p.into_inner());
                if logged.len() == KEPT {
                    logged.pop_front();
                }
                logged.push_back(LoggedEmail {
                    to: masked,
                    subject,
                    body,
                });
                Ok(())
            }
            Transport::Smtp(smtp) => {
                let result = async {
                    let recipient: Mailbox =
                        to.parse().map_err(|e| format!("bad recipient: {e}"))?;
                    let message = Message::builder()
                        .from(self.from.clone())
                        .to(recipient)
                        .subject(subject)
                        .header(ContentType::TEXT_PLAIN)
                        .body(body)
                        .map_err(|e| e.to_string())?;
                    smtp.send(message)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
                .await;
                result.map_err(|err| err.replace(to, &mask(to)))
            }
        }
    }

    /// Runs the worker until `stop` turns true: a round of deliveries, then a pause.
    pub fn spawn(
        self: Arc<Self>,
        content: Content,
        config: Arc<Config>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let content = super::own_pool(content, &config, "email").await;
            loop {
                if *stop.borrow() {
                    break;
                }
                if let Err(err) = self.deliver_due(&content).await {
                    tracing::warn!(error = %err, "the email worker could not read its outboxes");
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.poll) => {}
                    _ = stop.changed() => {}
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_masked_and_smtp_urls_read() {
        assert_eq!(mask("ana@example.fr"), "a***@example.fr");
        assert_eq!(
            smtp_address("smtp://127.0.0.1:2525").unwrap(),
            ("127.0.0.1".into(), 2525)
        );
        assert_eq!(smtp_address("smtp://mail").unwrap(), ("mail".into(), 25));
        assert!(smtp_address("http://mail").is_err());
    }
}
