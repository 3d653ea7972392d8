//! The embedded store: one SQLite file, WAL mode, so that a server keeps reading while an
//! import in another process writes.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use super::StoreError;
use super::rows::multipolygon_to_wkb;
use crate::domain::{NewAddress, NewDistrict, NewFacility};

/// Rows per multi-row INSERT: stays well under SQLite's 32,766 bound parameters.
const ROWS_PER_STATEMENT: usize = 1000;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the SQLite file at `path`.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: dir.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        Ok(SqliteStore { pool })
    }

    /// Opens an in-memory database, for tests. One connection, so every query sees the same data.
    pub async fn in_memory() -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Ok(SqliteStore { pool })
    }
}

super::rows::store_impl!(
    SqliteStore,
    Sqlite,
    migrations: crate::store::migrations::sqlite(),
    begin_read: "BEGIN",
    // A write takes the lock as it begins: a deferred transaction that read first cannot
    // wait for the lock when it comes to write (SQLite answers SQLITE_BUSY at once).
    begin_write: "BEGIN IMMEDIATE",
    lock: "",
    json_text: "",
    selects: (
        "SELECT id, source, source_id, kind, name, lon, lat, address, wheelchair, opening_hours, properties, area
         FROM facilities ORDER BY id",
        "SELECT id, source, source_id, street, number, postcode, city, municipality_code,
                grunnkrets_code, grunnkrets_name, lon, lat, access_lon, access_lat
         FROM addresses ORDER BY id",
        "SELECT id, source, source_id, name, level, geometry AS wkb, population FROM districts ORDER BY id",
        "SELECT id, source, source_id, class, tag, name, area_ha, lon, lat, geometry AS wkb
         FROM nature_areas ORDER BY id"
    ),
    new_import: "INSERT INTO imports (importer, source, file, finished_at, summary)
                 VALUES ($1, $2, $3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '{}') RETURNING id",
    set_summary: "UPDATE imports SET summary = $1 WHERE id = $2",
    last_imports: "SELECT source, importer, file, finished_at FROM imports
                   WHERE id IN (SELECT MAX(id) FROM imports GROUP BY source) ORDER BY source",
    facility_places: "SELECT id, source_id, name, lon, lat FROM facilities WHERE source = $1",
    json_cast: "",
);

// The bulk upserts: multi-row VALUES, `ROWS_PER_STATEMENT` rows a statement.

async fn insert_facilities(
    tx: &mut Transaction<'_, Sqlite>,
    source: &str,
    import_id: i64,
    rows: &[NewFacility],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO facilities (source, source_id, kind, name, lon, lat, address, wheelchair, opening_hours, properties, area, import_id) ",
        );
        q.push_values(chunk, |mut b, f| {
            b.push_bind(source.to_string())
                .push_bind(f.source_id.clone())
                .push_bind(f.kind.as_str())
                .push_bind(f.name.clone())
                .push_bind(f.position.lon)
                .push_bind(f.position.lat)
                .push_bind(f.address.clone())
                .push_bind(f.wheelchair.clone())
                .push_bind(f.opening_hours.clone())
                .push_bind(serde_json::Value::Object(f.properties.clone()).to_string())
                .push_bind(f.area.as_ref().map(super::rows::multipolygon_to_wkb))
                .push_bind(import_id);
        });
        q.push(
            " ON CONFLICT (source, source_id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
              lon = excluded.lon, lat = excluded.lat, address = excluded.address, wheelchair = excluded.wheelchair,
              opening_hours = excluded.opening_hours, properties = excluded.properties, area = excluded.area,
              import_id = excluded.import_id",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_addresses(
    tx: &mut Transaction<'_, Sqlite>,
    source: &str,
    import_id: i64,
    rows: &[NewAddress],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO addresses (source, source_id, street, number, postcode, city, municipality_code,
             grunnkrets_code, grunnkrets_name, lon, lat, access_lon, access_lat, import_id) ",
        );
        q.push_values(chunk, |mut b, a| {
            b.push_bind(source.to_string())
                .push_bind(a.source_id.clone())
                .push_bind(a.street.clone())
                .push_bind(a.number.clone())
                .push_bind(a.postcode.clone())
                .push_bind(a.city.clone())
                .push_bind(a.municipality_code.clone())
                .push_bind(a.grunnkrets_code.clone())
                .push_bind(a.grunnkrets_name.clone())
                .push_bind(a.position.lon)
                .push_bind(a.position.lat)
                .push_bind(a.access.map(|p| p.lon))
                .push_bind(a.access.map(|p| p.lat))
                .push_bind(import_id);
        });
        q.push(
            " ON CONFLICT (source, source_id) DO UPDATE SET street = excluded.street, number = excluded.number,
              postcode = excluded.postcode, city = excluded.city, municipality_code = excluded.municipality_code,
              grunnkrets_code = excluded.grunnkrets_code, grunnkrets_name = excluded.grunnkrets_name,
              lon = excluded.lon, lat = excluded.lat, access_lon = excluded.access_lon,
              access_lat = excluded.access_lat, import_id = excluded.import_id",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_districts(
    tx: &mut Transaction<'_, Sqlite>,
    source: &str,
    import_id: i64,
    rows: &[NewDistrict],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO districts (source, source_id, name, level, geometry, population, import_id) ",
        );
        q.push_values(chunk, |mut b, d| {
            b.push_bind(source.to_string())
                .push_bind(d.source_id.clone())
                .push_bind(d.name.clone())
                .push_bind(d.level.clone())
                .push_bind(multipolygon_to_wkb(&d.geometry))
                .push_bind(d.population)
                .push_bind(import_id);
        });
        q.push(
            " ON CONFLICT (source, source_id) DO UPDATE SET name = excluded.name, level = excluded.level,
              geometry = excluded.geometry, population = excluded.population, import_id = excluded.import_id",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_nature_areas(
    tx: &mut Transaction<'_, Sqlite>,
    source: &str,
    import_id: i64,
    rows: &[crate::domain::nature::NewNatureArea],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO nature_areas (source, source_id, class, tag, name, area_ha, lon, lat, geometry, import_id) ",
        );
        q.push_values(chunk, |mut b, n| {
            b.push_bind(source.to_string())
                .push_bind(n.source_id.clone())
                .push_bind(n.class.as_str())
                .push_bind(n.tag.clone())
                .push_bind(n.name.clone())
                .push_bind(n.area_ha)
                .push_bind(n.position.lon)
                .push_bind(n.position.lat)
                .push_bind(super::rows::nature_to_wkb(&n.geometry))
                .push_bind(import_id);
        });
        q.push(
            " ON CONFLICT (source, source_id) DO UPDATE SET class = excluded.class, tag = excluded.tag,
              name = excluded.name, area_ha = excluded.area_ha, lon = excluded.lon, lat = excluded.lat,
              geometry = excluded.geometry, import_id = excluded.import_id",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

super::accounts::accounts_impl!(SqliteStore, "", "BEGIN IMMEDIATE");

super::editing::editing_impl!(SqliteStore, "", "", "BEGIN IMMEDIATE", "", "BEGIN");

super::participation::participation_impl!(SqliteStore, "", "BEGIN IMMEDIATE", "");

/// Bumps the data version inside a write's transaction and returns the new one.
async fn bump(tx: &mut Transaction<'_, Sqlite>) -> Result<i64, StoreError> {
    let version: i64 = sqlx::query_scalar(
        "UPDATE meta SET value = value + 1 WHERE key = 'data_version' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(version)
}
