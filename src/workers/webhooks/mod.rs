//! Outgoing webhooks: the worker that sends the deliveries of the `webhook_deliveries`
//! outbox (written by the content services in each change's transaction), signed with
//! each endpoint's secret (`signature`). The rules (who registers endpoints, which changes
//! make which events) live in `crate::content::webhooks`.

mod resolver;
pub mod signature;
mod worker;

pub use worker::WebhookWorker;
