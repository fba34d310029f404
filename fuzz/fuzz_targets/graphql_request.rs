//! GraphQL requests as the server receives them (a JSON body, or a bare query), parsed and
//! validated against Kiosque's schema with the production limits (depth, complexity,
//! recursion, directives). Execution is stopped after validation, so no database is
//! needed: what is fuzzed is everything a request meets before a resolver runs.
#![no_main]

use std::sync::{Arc, LazyLock};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{Request, ServerError, ValidationResult};
use kiosque::config::Config;
use kiosque::graphql::{KiosqueSchema, Limits};
use libfuzzer_sys::fuzz_target;

/// Answers every request right after validation.
struct StopAfterValidation;

impl ExtensionFactory for StopAfterValidation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(StopAfterValidation)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for StopAfterValidation {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await?;
        Err(vec![ServerError::new("validated", None)])
    }
}

static SCHEMA: LazyLock<KiosqueSchema> = LazyLock::new(|| {
    let config = Config::from_lookup(|_| None).expect("default config");
    let mut limits = Limits::from_config(&config);
    limits.introspection = false;
    kiosque::graphql::builder(limits)
        .extension(StopAfterValidation)
        .finish()
});

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
});

fuzz_target!(|data: &[u8]| {
    let request = match serde_json::from_slice::<Request>(data) {
        Ok(request) => request,
        Err(_) => match std::str::from_utf8(data) {
            Ok(query) => Request::new(query),
            Err(_) => return,
        },
    };
    let response = RUNTIME.block_on(SCHEMA.execute(request));
    // Nothing ever executes: every answer is an error, and none of them an internal one.
    assert!(!response.errors.is_empty());
    assert!(response.data == async_graphql::Value::Null);
});
