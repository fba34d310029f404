//! The GraphQL door: a thin translation of GraphQL fields into calls of the content
//! services. Relations are batched per list (`batch::Siblings`), so a query costs a number
//! of statements that depends on its shape only, never on page sizes.

mod accounts;
pub mod apq;
pub mod articles;
mod batch;
mod catalogue;
mod comment_mutations;
mod comments;
mod common;
mod editorial;
pub mod fast;
pub(crate) mod guard;
pub mod http;
mod introspection;
mod mutation;
mod node;
mod query;
mod trusted;
mod webhooks;

use async_graphql::{EmptySubscription, Schema, SchemaBuilder};

pub use common::RequestData;
pub use mutation::MutationRoot;
pub use query::QueryRoot;

use crate::config::Config;
use crate::content::Content;

pub type KiosqueSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Limits applied to every request (see `Config`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_recursion: usize,
    pub max_directives: usize,
    /// Introspection and "did you mean" suggestions: demo mode or
    /// `KIOSQUE_GRAPHQL_INTROSPECTION` only.
    pub introspection: bool,
}

/// The depth that the introspection query of GraphiQL and code generators needs (nine
/// nested `ofType` under `__schema.types.fields.args.type`): where introspection is on, the
/// depth limit is at least this.
pub const INTROSPECTION_DEPTH: usize = 20;

impl Limits {
    pub fn from_config(config: &Config) -> Self {
        let introspection = config.demo || config.hardening.graphql_introspection;
        Self {
            max_depth: match introspection {
                true => config.graphql_max_depth.max(INTROSPECTION_DEPTH),
                false => config.graphql_max_depth,
            },
            max_complexity: config.graphql_max_complexity,
            max_recursion: config.hardening.graphql_max_recursion,
            max_directives: config.hardening.graphql_max_directives,
            introspection,
        }
    }
}

/// Builds the schema served by the application.
pub fn schema(content: Content, limits: Limits) -> KiosqueSchema {
    builder(limits).data(content).finish()
}

/// The schema with the request limits of production and no data: what parsing and
/// validation need (the fuzz targets build on it; executing a field needs [`schema`]).
pub fn builder(limits: Limits) -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(limits.max_recursion)
    .limit_directives(limits.max_directives);
    if limits.introspection {
        builder
    } else {
        builder
            .disable_introspection()
            .disable_suggestions()
            .extension(introspection::RefuseIntrospection)
    }
}

/// The SDL of the schema, as checked in at `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}
