//! Every difference between SQLite and PostgreSQL that Kiosque's SQL meets, in one place:
//! SQL fragments (id lists, JSON aggregates), per-group joins (LATERAL or correlated `IN`),
//! locking, bulk inserts and sequences, and full-text search ([`search`]). Nothing outside
//! this module compares `DatabaseBackend`s: callers ask it for a fragment or a strategy.
//! (Connection set-up per engine, pragmas and pools, stays with the connection in `db`.)

pub mod search;
mod sql;

pub use search::SearchPlan;
pub use sql::Sql;

use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};

use crate::error::AppResult;

fn is_postgres(backend: DatabaseBackend) -> bool {
    backend == DatabaseBackend::Postgres
}

/// Writes a membership test of `expr` in a list of ids as ONE parameter (so that the SQL text
/// does not depend on the list's length): `expr = ANY($n)` on PostgreSQL,
/// `expr IN (SELECT value FROM json_each($n))` on SQLite.
fn in_ids(sql: &mut Sql, expr: &str, ids: &[i64]) {
    if is_postgres(sql.backend) {
        let p = sql.param(ids.to_vec());
        sql.push(&format!("{expr} = ANY({p})"));
    } else {
        let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        let p = sql.param(json);
        sql.push(&format!("{expr} IN (SELECT value FROM json_each({p}))"));
    }
}

/// A subquery writer: writes `SELECT id …` of the rows wanted for the current group row `g`.
pub type Subquery<'a> = &'a (dyn Fn(&mut Sql) -> AppResult<()> + Sync);

/// Joins `target` (as `alias`) to each row `g` of the group table already written, keeping
/// the rows whose id one of `subs` selects for that group (each sub may refer to `g`).
/// PostgreSQL: `CROSS JOIN LATERAL ((sub) UNION ALL (sub)) gs JOIN target alias` — each
/// sub runs once per group with its own `LIMIT`. SQLite has no LATERAL: a correlated
/// `alias.id IN (sub) OR alias.id IN (sub)`.
pub fn join_per_group(
    sql: &mut Sql,
    target: &str,
    alias: &str,
    subs: &[Subquery<'_>],
) -> AppResult<()> {
    if is_postgres(sql.backend) {
        sql.push("CROSS JOIN LATERAL (");
        for (i, sub) in subs.iter().enumerate() {
            sql.push(if i == 0 { "(" } else { " UNION ALL (" });
            sub(sql)?;
            sql.push(")");
        }
        sql.push(&format!(") gs JOIN {target} {alias} ON {alias}.id = gs.id"));
    } else {
        sql.push(&format!("JOIN {target} {alias} ON ("));
        for (i, sub) in subs.iter().enumerate() {
            sql.push(&format!(
                "{}{alias}.id IN (",
                if i == 0 { "" } else { " OR " }
            ));
            sub(sql)?;
            sql.push(")");
        }
        sql.push(")");
    }
    Ok(())
}

/// `json_agg(json_build_array(items) ORDER BY order)` as text: a JSON array with one array
/// per row (`json_group_array(json_array(…))` on SQLite).
pub fn json_rows_aggregate(backend: DatabaseBackend, items: &str, order: &str) -> String {
    if is_postgres(backend) {
        format!("json_agg(json_build_array({items}) ORDER BY {order})::text")
    } else {
        format!("json_group_array(json_array({items}) ORDER BY {order})")
    }
}

/// Serialises the transactions that take `key`, from this call to their commit: PostgreSQL's
/// transaction-level advisory lock. SQLite runs write transactions one at a time already
/// (`BEGIN IMMEDIATE`), so there it does nothing.
pub async fn lock_until_commit(conn: &impl ConnectionTrait, key: i64) -> Result<(), DbErr> {
    if is_postgres(conn.get_database_backend()) {
        conn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({key})"))
            .await?;
    }
    Ok(())
}

/// Bound parameters per statement on PostgreSQL (limit 65,535).
const MAX_PARAMS_POSTGRES: usize = 30_000;
/// Bound parameters per statement on SQLite (limit 32,766). Kept small on purpose: sqlx binds
/// each parameter after looking its name up with `sqlite3_bind_parameter_name`, a linear scan,
/// so binding costs O(parameters²) per statement (10,000 parameters per statement made
/// binding 85 % of the seeding time).
const MAX_PARAMS_SQLITE: usize = 1_000;
/// Rows per multi-row `INSERT`.
const MAX_ROWS: usize = 1_000;

/// Writes `values` (row after row, `cols.len()` values each) into `table` with multi-row
/// `INSERT … VALUES (…), (…)` statements, each under the engine's parameter limit.
pub async fn bulk_insert<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    cols: &[&str],
    values: Vec<Value>,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let width = cols.len();
    debug_assert!(width > 0 && values.len().is_multiple_of(width));
    if values.is_empty() {
        return Ok(());
    }
    let max_params = if is_postgres(backend) {
        MAX_PARAMS_POSTGRES
    } else {
        MAX_PARAMS_SQLITE
    };
    let per_statement = (max_params / width).clamp(1, MAX_ROWS) * width;
    let head = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let mut values = values.into_iter().peekable();
    while values.peek().is_some() {
        let chunk: Vec<Value> = values.by_ref().take(per_statement).collect();
        let rows = chunk.len() / width;
        let mut sql = String::with_capacity(head.len() + chunk.len() * 8);
        sql.push_str(&head);
        let mut n = 0;
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for col in 0..width {
                n += 1;
                if col > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            sql.push(')');
        }
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, chunk))
            .await?;
    }
    Ok(())
}

/// Puts each table's id sequence right after the largest id present: after rows were
/// written with explicit ids (PostgreSQL's sequences do not see them; SQLite's `AUTOINCREMENT`
/// does, through `sqlite_sequence`), or after the last rows were removed (both engines would
/// otherwise go on from the largest id ever given).
pub async fn reset_sequences<C: ConnectionTrait>(conn: &C, tables: &[&str]) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for table in tables {
        if is_postgres(backend) {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            );
            conn.query_one_raw(Statement::from_string(backend, sql))
                .await?;
        } else {
            let sql = format!(
                "UPDATE sqlite_sequence SET seq = COALESCE((SELECT MAX(id) FROM {table}), 0) \
                 WHERE name = '{table}'"
            );
            conn.execute_raw(Statement::from_string(backend, sql))
                .await?;
        }
    }
    Ok(())
}
