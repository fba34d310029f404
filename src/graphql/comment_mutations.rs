//! Placeholder for the comment_mutations mutations (being written).

use async_graphql::Object;

#[derive(Default)]
pub struct CommentMutations;

#[Object]
impl CommentMutations {
    /// Placeholder, removed when the area lands.
    async fn comment_mutations_placeholder(&self) -> bool {
        false
    }
}
