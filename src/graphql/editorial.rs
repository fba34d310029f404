//! Placeholder for the editorial mutations (being written).

use async_graphql::Object;

#[derive(Default)]
pub struct EditorialMutations;

#[Object]
impl EditorialMutations {
    /// Placeholder, removed when the area lands.
    async fn editorial_placeholder(&self) -> bool {
        false
    }
}
