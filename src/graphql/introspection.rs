//! Where introspection is off, a document that asks for `__schema` or `__type` is refused
//! as a whole, with `extensions.code = "INTROSPECTION_DISABLED"` (a request-level error:
//! 400 for `application/graphql-response+json` clients), rather than answered
//! `{"__schema": null}` as if the schema were empty. `__typename` stays available.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{ServerError, ServerResult, Variables};

/// The message `guard::classify` gives the `INTROSPECTION_DISABLED` code.
pub const MESSAGE: &str = "introspection is disabled on this server";

/// Installed on the schema when introspection is off.
pub struct RefuseIntrospection;

impl ExtensionFactory for RefuseIntrospection {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefuseIntrospection)
    }
}

#[async_trait::async_trait]
impl Extension for RefuseIntrospection {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if asks_introspection(&document) {
            return Err(ServerError::new(MESSAGE, None));
        }
        Ok(document)
    }
}

/// Whether any operation or fragment of `document` selects `__schema` or `__type`.
fn asks_introspection(document: &ExecutableDocument) -> bool {
    let operations: Vec<&SelectionSet> = match &document.operations {
        DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
        DocumentOperations::Multiple(ops) => {
            ops.values().map(|op| &op.node.selection_set.node).collect()
        }
    };
    operations.into_iter().any(selects_introspection)
        || document
            .fragments
            .values()
            .any(|f| selects_introspection(&f.node.selection_set.node))
}

fn selects_introspection(set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(field) => {
            matches!(field.node.name.node.as_str(), "__schema" | "__type")
                || selects_introspection(&field.node.selection_set.node)
        }
        Selection::InlineFragment(inline) => selects_introspection(&inline.node.selection_set.node),
        Selection::FragmentSpread(_) => false,
    })
}
