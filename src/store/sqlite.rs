//! The embedded store: one SQLite file, WAL mode, so that a server keeps reading while an
//! import in another process writes.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use geo_traits::to_geo::ToGeoGeometry;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool, Transaction};

use super::{Counts, ImportBatch, ImportOutcome, Store, StoreContents, StoreError, TableChange};
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

#[async_trait]
impl Store for SqliteStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn data_version(&self) -> Result<i64, StoreError> {
        let v: i64 = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'data_version'")
            .fetch_one(&self.pool)
            .await?;
        Ok(v)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn load(&self) -> Result<StoreContents, StoreError> {
        // One read transaction: the three tables and the version come from the same moment.
        let mut tx = self.pool.begin().await?;
        let data_version: i64 =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'data_version'")
                .fetch_one(&mut *tx)
                .await?;

        let (facilities, addresses, districts, walk_graph, population) =
            super::rows::load_rows!(
                tx,
                "SELECT id, source, source_id, kind, name, lon, lat, address, wheelchair, opening_hours, properties
             FROM facilities ORDER BY id",
                "SELECT id, source, source_id, street, number, postcode, city, municipality_code,
                    grunnkrets_code, grunnkrets_name, lon, lat
             FROM addresses ORDER BY id",
                "SELECT id, source, source_id, name, level, geometry AS wkb, population FROM districts ORDER BY id"
            );
        let base_version: i64 =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'base_version'")
                .fetch_one(&mut *tx)
                .await?;
        let (organisations, activities, volunteer_needs) = super::editing::load_editing!(tx, "");
        tx.commit().await?;
        Ok(StoreContents {
            data_version,
            base_version,
            organisations,
            activities,
            volunteer_needs,
            facilities,
            addresses,
            districts,
            walk_graph,
            population,
        })
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM facilities) AS f, (SELECT COUNT(*) FROM addresses) AS a,
                    (SELECT COUNT(*) FROM districts) AS d",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts {
            facilities: row.try_get::<i64, _>("f")? as u64,
            addresses: row.try_get::<i64, _>("a")? as u64,
            districts: row.try_get::<i64, _>("d")? as u64,
        })
    }

    async fn apply_import(&self, batch: ImportBatch) -> Result<ImportOutcome, StoreError> {
        batch.check()?;
        let mut tx = self.pool.begin().await?;
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO imports (importer, source, file, finished_at, summary)
             VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), '{}') RETURNING id",
        )
        .bind(&batch.importer)
        .bind(&batch.source)
        .bind(&batch.file)
        .fetch_one(&mut *tx)
        .await?;

        let mut outcome = ImportOutcome::default();
        if let Some(rows) = &batch.facilities {
            outcome.facilities =
                Some(sync_facilities(&mut tx, &batch.source, import_id, rows).await?);
        }
        if let Some(rows) = &batch.addresses {
            outcome.addresses =
                Some(sync_addresses(&mut tx, &batch.source, import_id, rows).await?);
        }
        if let Some(rows) = &batch.districts {
            outcome.districts =
                Some(sync_districts(&mut tx, &batch.source, import_id, rows).await?);
        }
        if let Some(rows) = &batch.population {
            outcome.population = Some(super::rows::sync_population!(
                tx,
                &batch.source,
                import_id,
                rows
            ));
        }
        if let Some(graph) = &batch.walk_graph {
            sqlx::query(
                "INSERT INTO graphs (name, source, nodes, edges, data, import_id) VALUES ('walk', ?, ?, ?, ?, ?)
                 ON CONFLICT (name) DO UPDATE SET source = excluded.source, nodes = excluded.nodes,
                 edges = excluded.edges, data = excluded.data, import_id = excluded.import_id",
            )
            .bind(&batch.source)
            .bind(graph.nodes as i64)
            .bind(graph.edges as i64)
            .bind(&graph.data)
            .bind(import_id)
            .execute(&mut *tx)
            .await?;
            outcome.walk_graph = Some((graph.nodes, graph.edges));
        }
        outcome.data_version = bump(&mut tx).await?;
        // An import changes the base data: servers rebuild their whole snapshot.
        sqlx::query("UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'data_version') WHERE key = 'base_version'")
            .execute(&mut *tx)
            .await?;
        let summary = serde_json::to_string(&outcome).expect("an outcome always serialises");
        sqlx::query("UPDATE imports SET summary = ? WHERE id = ?")
            .bind(summary)
            .bind(import_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(outcome)
    }
}

/// Removes the rows of `source` this import did not touch, and says what the import changed
/// given the `before` rows the source had and the `written` rows it upserted.
async fn prune(
    tx: &mut Transaction<'_, Sqlite>,
    table: &'static str,
    source: &str,
    import_id: i64,
    before: i64,
    written: usize,
) -> Result<TableChange, StoreError> {
    let removed = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE source = ? AND import_id <> ?"
    )))
    .bind(source)
    .bind(import_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(TableChange::from_counts(
        before as u64,
        removed,
        written as u64,
    ))
}

async fn rows_of_source(
    tx: &mut Transaction<'_, Sqlite>,
    table: &'static str,
    source: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {table} WHERE source = ?"
    )))
    .bind(source)
    .fetch_one(&mut **tx)
    .await?)
}

async fn sync_facilities(
    tx: &mut Transaction<'_, Sqlite>,
    source: &str,
    import_id: i64,
    rows: &[NewFacility],
) -> Result<TableChange, StoreError> {
    let before = rows_of_source(tx, "facilities", source).await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO facilities (source, source_id, kind, name, lon, lat, address, wheelchair, opening_hours, properties, import_id) ",
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
                .push_bind(import_id);
        });
        q.push(
            " ON CONFLICT (source, source_id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
              lon = excluded.lon, lat = excluded.lat, address = excluded.address, wheelchair = excluded.wheelchair,
              opening_hours = excluded.opening_hours, properties = excluded.properties, import_id = excluded.import_id",
        );
        q.build().execute(&mut **tx).await?;
    }
    prune(tx, "facilities", source, import_id, before, rows.len()).await
}

async fn sync_addresses(
    tx: &mut Transaction<'_, Sqlite>,
    source: &str,
    import_id: i64,
    rows: &[NewAddress],
) -> Result<TableChange, StoreError> {
    let before = rows_of_source(tx, "addresses", source).await?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO addresses (source, source_id, street, number, postcode, city, municipality_code,
             grunnkrets_code, grunnkrets_name, lon, lat, import_id) ",
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
                .push_bind(import_id);
        });
        q.push(
            " ON CONFLICT (source, source_id) DO UPDATE SET street = excluded.street, number = excluded.number,
              postcode = excluded.postcode, city = excluded.city, municipality_code = excluded.municipality_code,
              grunnkrets_code = excluded.grunnkrets_code, grunnkrets_name = excluded.grunnkrets_name,
              lon = excluded.lon, lat = excluded.lat, import_id = excluded.import_id",
        );
        q.build().execute(&mut **tx).await?;
    }
    prune(tx, "addresses", source, import_id, before, rows.len()).await
}

async fn sync_districts(
    tx: &mut Transaction<'_, Sqlite>,
    source: &str,
    import_id: i64,
    rows: &[NewDistrict],
) -> Result<TableChange, StoreError> {
    let before = rows_of_source(tx, "districts", source).await?;
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
    prune(tx, "districts", source, import_id, before, rows.len()).await
}

/// Little-endian WKB of a MultiPolygon, as PostGIS's `ST_AsBinary` writes it.
pub(crate) fn multipolygon_to_wkb(geometry: &geo::MultiPolygon<f64>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(wkb::writer::multi_polygon_wkb_size(geometry));
    wkb::writer::write_multi_polygon(&mut buf, geometry, &Default::default())
        .expect("writing WKB to a Vec cannot fail");
    buf
}

pub(crate) fn multipolygon_from_wkb(blob: &[u8]) -> Result<geo::MultiPolygon<f64>, String> {
    let wkb = wkb::reader::read_wkb(blob).map_err(|e| format!("bad WKB: {e}"))?;
    match wkb.to_geometry() {
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        geo::Geometry::Polygon(p) => Ok(geo::MultiPolygon(vec![p])),
        other => Err(format!("expected a (multi)polygon, found {other:?}")),
    }
}

super::editing::editing_impl!(SqliteStore, "", "", "BEGIN IMMEDIATE", "", "BEGIN");

/// Bumps the data version inside a write's transaction and returns the new one.
async fn bump(tx: &mut Transaction<'_, Sqlite>) -> Result<i64, StoreError> {
    let version: i64 = sqlx::query_scalar(
        "UPDATE meta SET value = value + 1 WHERE key = 'data_version' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(version)
}
