//! Placeholder for the accounts mutations (being written).

use async_graphql::Object;

#[derive(Default)]
pub struct AccountMutations;

#[Object]
impl AccountMutations {
    /// Placeholder, removed when the area lands.
    async fn accounts_placeholder(&self) -> bool {
        false
    }
}
