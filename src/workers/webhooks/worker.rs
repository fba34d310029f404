//! The delivery worker: claims due deliveries, POSTs each payload to its endpoint (`http` or
//! `https`, certificates verified; a bounded timeout, redirects not followed, no proxy;
//! public addresses only, or those of `KIOSQUE_WEBHOOK_ALLOW_NETWORKS`, checked after name
//! resolution by the client's resolver and, for a URL naming an address, before sending),
//! and records
//! the outcome: delivered on a 2xx answer, otherwise retried with exponential backoff up to a
//! maximum of attempts, then `failed`.
//! On shutdown it finishes the delivery in hand and gives back the rest of its claim.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::resolver::VettedResolver;
use super::signature;
use crate::config::Config;
use crate::content::Content;
use crate::content::webhooks::deliveries::{DueDelivery, RetryPolicy};
use crate::content::webhooks::targets::AllowedNetworks;
use crate::error::AppResult;

/// Deliveries claimed per round.
const BATCH: u64 = 10;
/// Longest wait between retries.
const BACKOFF_CAP: Duration = Duration::from_secs(3600);
/// Longest answer body kept in `last_error`.
const ERROR_BODY: usize = 200;

/// Sends webhook deliveries; cheap to share (`Arc`).
#[derive(Debug)]
pub struct WebhookWorker {
    client: reqwest::Client,
    allowed: Arc<AllowedNetworks>,
    poll: Duration,
    /// How long a claim holds: longer than one attempt can take.
    lease: Duration,
    policy: RetryPolicy,
}

/// What one attempt came to.
enum Outcome {
    Delivered(u16),
    Failed(Option<u16>, String),
}

impl WebhookWorker {
    pub fn from_config(config: &Config) -> Self {
        let allowed = Arc::new(config.webhook_networks.clone());
        let mut client = reqwest::Client::builder();
        for root in &config.webhook_roots {
            client = client.add_root_certificate(root.clone());
        }
        let client = client
            .timeout(config.webhook_timeout)
            .connect_timeout(config.webhook_timeout)
            // A redirect would lead to a host nobody vetted; a proxy would resolve names itself.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(VettedResolver {
                allowed: allowed.clone(),
            }))
            .user_agent(concat!("Kiosque-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|err| {
                tracing::error!(error = %err, "webhook client settings refused; using defaults");
                reqwest::Client::new()
            });
        Self {
            client,
            allowed,
            poll: config.webhook_poll.max(Duration::from_millis(10)),
            lease: (config.webhook_timeout * 3).max(Duration::from_secs(30)),
            policy: RetryPolicy {
                base: config.webhook_retry_base,
                cap: BACKOFF_CAP,
                max_attempts: config.webhook_max_attempts.max(1),
            },
        }
    }

    /// Sends every due delivery once, unless `stop` turns true in between; returns how many
    /// were delivered.
    pub async fn deliver_due(
        &self,
        content: &Content,
        stop: &watch::Receiver<bool>,
    ) -> AppResult<usize> {
        let webhooks = content.webhooks();
        let claimed = webhooks.claim_due(BATCH, self.lease).await?;
        let mut delivered = 0;
        for (n, delivery) in claimed.iter().enumerate() {
            if *stop.borrow() {
                let rest: Vec<i64> = claimed[n..].iter().map(|d| d.id).collect();
                webhooks.release(&rest).await?;
                break;
            }
            match self.send(delivery).await {
                Outcome::Delivered(status) => {
                    webhooks.mark_delivered(delivery, status).await?;
                    delivered += 1;
                }
                Outcome::Failed(status, error) => {
                    tracing::warn!(
                        delivery = delivery.id,
                        webhook = delivery.webhook_id,
                        attempts = delivery.attempts + 1,
                        error = %error,
                        "a webhook delivery failed"
                    );
                    webhooks
                        .mark_failed(delivery, status, &error, &self.policy)
                        .await?;
                }
            }
        }
        Ok(delivered)
    }

    async fn send(&self, delivery: &DueDelivery) -> Outcome {
        // A URL naming an address skips the resolver: check it here (the allow-list may
        // have changed since it was registered).
        let literal = reqwest::Url::parse(&delivery.url).ok().and_then(|u| {
            u.host_str()
                .and_then(|h| h.trim_matches(['[', ']']).parse().ok())
        });
        if let Some(ip) = literal
            && !self.allowed.permits(ip)
        {
            return Outcome::Failed(
                None,
                format!("{ip} is not a public address: not connecting"),
            );
        }
        let timestamp = chrono::Utc::now().timestamp();
        let signature = signature::header_value(&delivery.secret, timestamp, &delivery.payload);
        let sent = self
            .client
            .post(&delivery.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(signature::HEADER, signature)
            .header("Kiosque-Event", &delivery.event)
            .header("Kiosque-Delivery", delivery.id.to_string())
            .body(delivery.payload.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => {
                Outcome::Delivered(response.status().as_u16())
            }
            Ok(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                let body: String = body.chars().take(ERROR_BODY).collect();
                Outcome::Failed(
                    Some(status.as_u16()),
                    format!("the endpoint answered {status}: {body}"),
                )
            }
            // The URL may carry a token in its query: keep it out of the log and the row.
            Err(err) => Outcome::Failed(None, with_causes(err.without_url())),
        }
    }

    /// Runs the worker until `stop` turns true: a round of deliveries, then a pause.
    pub fn spawn(
        self: Arc<Self>,
        content: Content,
        config: Arc<Config>,
        mut stop: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let content = crate::workers::own_pool(content, &config, "webhooks").await;
            loop {
                if *stop.borrow() {
                    break;
                }
                if let Err(err) = self.deliver_due(&content, &stop).await {
                    tracing::warn!(error = %err, "the webhook worker could not read the outbox");
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.poll) => {}
                    _ = stop.changed() => {}
                }
            }
        })
    }
}

/// An error and its causes on one line (reqwest's own message is only "error sending
/// request"; the cause says why: refused address, refused connection, timeout…).
fn with_causes(err: reqwest::Error) -> String {
    let mut line = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        line.push_str(": ");
        line.push_str(&c.to_string());
        cause = c.source();
    }
    line
}
