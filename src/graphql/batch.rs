//! Deterministic batching without a timer: every object produced by one list shares a
//! `Siblings` set, and the first sibling that needs a relation loads it for all of them
//! (one statement), the others await the same result. Unlike a delay-based DataLoader, the
//! number of statements of a query depends only on its shape, never on timing.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::error::AppResult;

type Cell = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// The ids of the objects of one list, and the relations loaded for them so far.
#[derive(Default)]
pub struct Siblings {
    pub ids: Vec<i64>,
    cells: Mutex<HashMap<String, Cell>>,
}

impl Siblings {
    pub fn new(ids: Vec<i64>) -> Arc<Self> {
        Arc::new(Self {
            ids,
            cells: Mutex::default(),
        })
    }

    fn cell(&self, key: &str) -> Cell {
        let mut cells = self
            .cells
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cells.entry(key.to_owned()).or_default().clone()
    }

    /// Loads the relation named `key` (which must include any arguments) for every sibling,
    /// once.
    pub async fn load<T, F, Fut>(&self, key: &str, load: F) -> AppResult<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: FnOnce(Vec<i64>) -> Fut,
        Fut: Future<Output = AppResult<T>>,
    {
        let cell = self.cell(key);
        let value = cell
            .get_or_try_init(|| async {
                let loaded = load(self.ids.clone()).await?;
                Ok::<_, crate::error::AppError>(Arc::new(loaded) as Arc<dyn Any + Send + Sync>)
            })
            .await?
            .clone();
        Ok(value
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("one key, one type")))
    }

    /// A sibling set derived from this one (e.g. the authors of all the articles of a
    /// list), built once.
    pub fn derived(&self, key: &str, ids: impl FnOnce() -> Vec<i64>) -> Arc<Siblings> {
        let cell = self.cell(&format!("derived:{key}"));
        if let Some(existing) = cell.get() {
            return existing
                .clone()
                .downcast::<Siblings>()
                .unwrap_or_else(|_| unreachable!("one key, one type"));
        }
        let mut unique = ids();
        unique.sort_unstable();
        unique.dedup();
        let fresh: Arc<dyn Any + Send + Sync> = Siblings::new(unique);
        let stored = match cell.set(fresh.clone()) {
            Ok(()) => fresh,
            Err(_) => cell.get().cloned().unwrap_or(fresh),
        };
        stored
            .downcast::<Siblings>()
            .unwrap_or_else(|_| unreachable!("one key, one type"))
    }
}
