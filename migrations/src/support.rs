//! Column helpers shared by the migrations, so that every table spells ids, timestamps and
//! foreign keys the same way on both engines.

use sea_orm_migration::prelude::*;

/// `id BIGINT` auto-increment primary key (SQLite: `INTEGER PRIMARY KEY AUTOINCREMENT`).
pub fn id() -> ColumnDef {
    ColumnDef::new("id")
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}

pub fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().take()
}

pub fn big_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).big_integer().null().take()
}

pub fn int(name: &'static str, default: i32) -> ColumnDef {
    ColumnDef::new(name)
        .integer()
        .not_null()
        .default(default)
        .take()
}

pub fn text(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().not_null().take()
}

pub fn text_default(name: &'static str, default: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .text()
        .not_null()
        .default(default)
        .take()
}

pub fn text_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name).text().null().take()
}

/// Timestamps are always written by the application (UTC), never by a SQL default, so that
/// both engines store the same representation and compare correctly.
pub fn ts(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

pub fn ts_null(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .timestamp_with_time_zone()
        .null()
        .take()
}

pub fn boolean(name: &'static str, default: bool) -> ColumnDef {
    ColumnDef::new(name)
        .boolean()
        .not_null()
        .default(default)
        .take()
}

/// A foreign key from `table.column` to `target.id`.
pub fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .take()
}

/// Runs raw statements one by one (index definitions with `WHERE`/`DESC` read the same on
/// both engines; engine-specific SQL is chosen by the caller).
/// The statements of this engine: `postgres` or `sqlite` (any other backend is an error).
pub fn for_engine<'a>(
    manager: &SchemaManager<'_>,
    postgres: &'a [&'a str],
    sqlite: &'a [&'a str],
) -> Result<&'a [&'a str], DbErr> {
    use sea_orm_migration::sea_orm::DatabaseBackend;
    match manager.get_database_backend() {
        DatabaseBackend::Postgres => Ok(postgres),
        DatabaseBackend::Sqlite => Ok(sqlite),
        other => Err(DbErr::Migration(format!(
            "unsupported database backend {other:?}"
        ))),
    }
}

pub async fn run_all(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    for sql in statements {
        conn.execute_unprepared(sql).await?;
    }
    Ok(())
}

pub async fn drop_tables(
    manager: &SchemaManager<'_>,
    tables: &[&'static str],
) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(Table::drop().table(*table).if_exists().take())
            .await?;
    }
    Ok(())
}
