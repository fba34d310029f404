//! The webhook client's name resolution: the system resolver, then only the addresses that
//! deliveries may reach (`content::webhooks::targets`). reqwest connects to what this
//! returns, so the address checked is the address connected to: a name re-pointed at an
//! internal address after its endpoint was registered (DNS rebinding) gets no connection.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::content::webhooks::targets::AllowedNetworks;

#[derive(Debug, Clone)]
pub struct VettedResolver {
    pub allowed: Arc<AllowedNetworks>,
}

impl Resolve for VettedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allowed = self.allowed.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let vetted: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| allowed.permits(addr.ip()))
                .collect();
            if vetted.is_empty() {
                return Err(format!(
                    "{host} resolves to no public address ({} refused): not connecting",
                    found.len()
                )
                .into());
            }
            Ok(Box::new(vetted.into_iter()) as Addrs)
        })
    }
}
