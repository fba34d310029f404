//! Who is calling: staff and readers with short-lived JWT access tokens, partners with API
//! keys. The doors turn a request into an [`Actor`]; the content layer decides what the
//! actor may do.

pub mod extract;
pub mod jwt;

pub use kiosque_core::identity::{Actor, PartnerActor, Role, TokenIssuer, UserActor, password};
