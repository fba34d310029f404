//! A small SQL text builder: fragments plus numbered parameters (`$1`, `$2`, …), which both
//! engines accept. SQL text depends only on the shape of a request, never on its values (id
//! lists are one array parameter), so prepared statements are reused from the connection's
//! statement cache.

use sea_orm::{DatabaseBackend, Statement, Value};

#[derive(Debug)]
pub struct Sql {
    pub backend: DatabaseBackend,
    pub text: String,
    pub values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            text: String::with_capacity(512),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, fragment: &str) -> &mut Self {
        self.text.push_str(fragment);
        self
    }

    /// Adds a parameter and returns its placeholder.
    pub fn param(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// Writes a parameter placeholder into the text.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        let p = self.param(value);
        self.text.push_str(&p);
        self
    }

    /// Writes a membership test of `expr` in a list of ids as ONE parameter (see
    /// [`super::in_ids`]).
    pub fn in_ids(&mut self, expr: &str, ids: &[i64]) -> &mut Self {
        super::in_ids(self, expr, ids);
        self
    }

    pub fn build(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}
