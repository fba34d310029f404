//! The mutation root: the write areas merged into one type. Each area lives in its own
//! file and calls the content services; rules (permissions, validation) live there.

use async_graphql::MergedObject;

use super::accounts::AccountMutations;
use super::comment_mutations::CommentMutations;
use super::editorial::EditorialMutations;
use super::webhooks::WebhookMutations;

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    AccountMutations,
    EditorialMutations,
    CommentMutations,
    WebhookMutations,
);
