//! The migrations embedded by `build.rs`, as sqlx's `Migrator`: each file's version,
//! description (the file name after the version, `_` read as a space), SQL and checksum,
//! and `-- no-transaction` on its first line read as sqlx reads it. This is what sqlx's
//! `migrate!` macro makes, so a store migrated by either is the same to the other.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

fn migrator(files: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        files
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    Cow::Borrowed(description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    sql.starts_with("-- no-transaction"),
                )
            })
            .collect(),
    )
}

/// The SQLite store's migrations (`migrations/sqlite`).
pub fn sqlite() -> Migrator {
    migrator(embedded::SQLITE)
}

/// The PostGIS store's migrations (`migrations/postgres`).
pub fn postgres() -> Migrator {
    migrator(embedded::POSTGRES)
}
