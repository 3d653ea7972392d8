//! The PostGIS store: the same rows as the embedded store, in PostgreSQL with PostGIS, for
//! several server instances on one database. Every committed write bumps `data_version` and
//! sends `NOTIFY naermiljo_data`; each instance listens and reloads its snapshot at once.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, Executor, PgPool, Postgres, Row, Transaction};
use tokio::sync::Notify;

use super::sqlite::multipolygon_to_wkb;
use super::{Counts, ImportBatch, ImportOutcome, Store, StoreContents, StoreError, TableChange};
use crate::domain::{NewAddress, NewDistrict, NewFacility};

/// The channel every write notifies.
pub const CHANNEL: &str = "naermiljo_data";

pub struct PostgisStore {
    pool: PgPool,
    changes: Arc<Notify>,
    pool_size: u32,
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl PostgisStore {
    /// Connects with a pool of at most `pool_size` connections, never more than the server
    /// allows (`max_connections` less those reserved for superusers), and starts listening
    /// for other instances' writes.
    pub async fn connect(
        url: &str,
        pool_size: u32,
        application: &str,
    ) -> Result<PostgisStore, StoreError> {
        let open_error = |e: sqlx::Error| StoreError::Open {
            path: redact(url),
            reason: e.to_string(),
        };
        let options: PgConnectOptions = url.parse().map_err(open_error)?;
        let options = options
            .application_name(application)
            .log_statements(tracing::log::LevelFilter::Trace);

        // Ask the server how many connections it takes before sizing the pool.
        let mut probe = options.connect().await.map_err(open_error)?;
        let row = sqlx::query(
            "SELECT current_setting('max_connections')::int AS max, \
             current_setting('superuser_reserved_connections')::int AS reserved",
        )
        .fetch_one(&mut probe)
        .await
        .map_err(open_error)?;
        let available =
            (row.try_get::<i32, _>("max")? - row.try_get::<i32, _>("reserved")?).max(1) as u32;
        drop(probe);
        let size = pool_size.clamp(1, available);
        if size < pool_size {
            tracing::warn!(
                requested = pool_size,
                allowed = size,
                "database pool capped at the server's max_connections"
            );
        }
        let pool = PgPoolOptions::new()
            .max_connections(size)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(open_error)?;

        let changes = Arc::new(Notify::new());
        let mut listener = PgListener::connect_with(&pool).await.map_err(open_error)?;
        listener.listen(CHANNEL).await.map_err(open_error)?;
        let notify = changes.clone();
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(_) => notify.notify_waiters(),
                    // The listener reconnects by itself; polling covers what it missed.
                    Err(e) => {
                        tracing::debug!(error = %e, "LISTEN connection lost; retrying");
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(PostgisStore {
            pool,
            changes,
            pool_size: size,
        })
    }

    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Store for PostgisStore {
    async fn migrate(&self) -> Result<(), StoreError> {
        sqlx::migrate!("./migrations/postgres")
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn data_version(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'data_version'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn changes(&self) -> Option<Arc<Notify>> {
        Some(self.changes.clone())
    }

    async fn load(&self) -> Result<StoreContents, StoreError> {
        // REPEATABLE READ: all tables from one snapshot of the database.
        let mut tx = self.pool.begin().await?;
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let data_version: i64 =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'data_version'")
                .fetch_one(&mut *tx)
                .await?;

        let (facilities, addresses, districts, walk_graph, population) =
            super::rows::load_rows!(
                tx,
                "SELECT id, source, source_id, kind, name, ST_X(geom) AS lon, ST_Y(geom) AS lat, address, wheelchair,
                    opening_hours, properties::text AS properties
             FROM facilities ORDER BY id",
                "SELECT id, source, source_id, street, number, postcode, city, municipality_code, grunnkrets_code,
                    grunnkrets_name, ST_X(geom) AS lon, ST_Y(geom) AS lat
             FROM addresses ORDER BY id",
                "SELECT id, source, source_id, name, level, ST_AsBinary(geom, 'NDR') AS wkb, population
             FROM districts ORDER BY id"
            );
        let base_version: i64 =
            sqlx::query_scalar("SELECT value FROM meta WHERE key = 'base_version'")
                .fetch_one(&mut *tx)
                .await?;
        let (organisations, activities, volunteer_needs) =
            super::editing::load_editing!(tx, "::text");
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
            "INSERT INTO imports (importer, source, file) VALUES ($1, $2, $3) RETURNING id",
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
                "INSERT INTO graphs (name, source, nodes, edges, data, import_id) VALUES ('walk', $1, $2, $3, $4, $5)
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
        sqlx::query("UPDATE imports SET summary = $1::jsonb WHERE id = $2")
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
    tx: &mut Transaction<'_, Postgres>,
    table: &'static str,
    source: &str,
    import_id: i64,
    before: i64,
    written: usize,
) -> Result<TableChange, StoreError> {
    let removed = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE source = $1 AND import_id <> $2"
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
    tx: &mut Transaction<'_, Postgres>,
    table: &'static str,
    source: &str,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM {table} WHERE source = $1"
    )))
    .bind(source)
    .fetch_one(&mut **tx)
    .await?)
}

async fn sync_facilities(
    tx: &mut Transaction<'_, Postgres>,
    source: &str,
    import_id: i64,
    rows: &[NewFacility],
) -> Result<TableChange, StoreError> {
    let before = rows_of_source(tx, "facilities", source).await?;
    // One statement per table: arrays of columns, unnested on the server.
    sqlx::query(
        "INSERT INTO facilities (source, source_id, kind, name, geom, address, wheelchair, opening_hours, properties, import_id)
         SELECT $1, u.source_id, u.kind, u.name, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), u.address,
                u.wheelchair, u.opening_hours, u.properties::jsonb, $2
         FROM UNNEST($3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::text[],
                     $10::text[], $11::text[])
              AS u(source_id, kind, name, lon, lat, address, wheelchair, opening_hours, properties)
         ON CONFLICT (source, source_id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
              geom = excluded.geom, address = excluded.address, wheelchair = excluded.wheelchair,
              opening_hours = excluded.opening_hours, properties = excluded.properties, import_id = excluded.import_id",
    )
    .bind(source)
    .bind(import_id)
    .bind(rows.iter().map(|f| f.source_id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.kind.as_str().to_string()).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.name.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.position.lon).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.position.lat).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.address.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.wheelchair.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| f.opening_hours.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|f| serde_json::Value::Object(f.properties.clone()).to_string()).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    prune(tx, "facilities", source, import_id, before, rows.len()).await
}

async fn sync_addresses(
    tx: &mut Transaction<'_, Postgres>,
    source: &str,
    import_id: i64,
    rows: &[NewAddress],
) -> Result<TableChange, StoreError> {
    let before = rows_of_source(tx, "addresses", source).await?;
    sqlx::query(
        "INSERT INTO addresses (source, source_id, street, number, postcode, city, municipality_code,
                                grunnkrets_code, grunnkrets_name, geom, import_id)
         SELECT $1, u.source_id, u.street, u.number, u.postcode, u.city, u.municipality_code, u.grunnkrets_code,
                u.grunnkrets_name, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), $2
         FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::float8[], $12::float8[])
              AS u(source_id, street, number, postcode, city, municipality_code, grunnkrets_code, grunnkrets_name, lon, lat)
         ON CONFLICT (source, source_id) DO UPDATE SET street = excluded.street, number = excluded.number,
              postcode = excluded.postcode, city = excluded.city, municipality_code = excluded.municipality_code,
              grunnkrets_code = excluded.grunnkrets_code, grunnkrets_name = excluded.grunnkrets_name,
              geom = excluded.geom, import_id = excluded.import_id",
    )
    .bind(source)
    .bind(import_id)
    .bind(rows.iter().map(|a| a.source_id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.street.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.number.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.postcode.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.city.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.municipality_code.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.grunnkrets_code.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.grunnkrets_name.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.position.lon).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.position.lat).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    prune(tx, "addresses", source, import_id, before, rows.len()).await
}

async fn sync_districts(
    tx: &mut Transaction<'_, Postgres>,
    source: &str,
    import_id: i64,
    rows: &[NewDistrict],
) -> Result<TableChange, StoreError> {
    let before = rows_of_source(tx, "districts", source).await?;
    sqlx::query(
        "INSERT INTO districts (source, source_id, name, level, geom, population, import_id)
         SELECT $1, u.source_id, u.name, u.level, ST_Multi(ST_GeomFromWKB(u.wkb, 4326)), u.population, $2
         FROM UNNEST($3::text[], $4::text[], $5::text[], $6::bytea[], $7::int8[])
              AS u(source_id, name, level, wkb, population)
         ON CONFLICT (source, source_id) DO UPDATE SET name = excluded.name, level = excluded.level,
              geom = excluded.geom, population = excluded.population, import_id = excluded.import_id",
    )
    .bind(source)
    .bind(import_id)
    .bind(rows.iter().map(|d| d.source_id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|d| d.name.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|d| d.level.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|d| multipolygon_to_wkb(&d.geometry)).collect::<Vec<_>>())
    .bind(rows.iter().map(|d| d.population).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    prune(tx, "districts", source, import_id, before, rows.len()).await
}

super::editing::editing_impl!(
    PostgisStore,
    "::jsonb",
    "::text",
    "BEGIN",
    " FOR UPDATE",
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
);

/// Bumps the data version inside a write's transaction and returns the new one.
/// Listeners hear of it when the transaction commits.
async fn bump(tx: &mut Transaction<'_, Postgres>) -> Result<i64, StoreError> {
    let version: i64 = sqlx::query_scalar(
        "UPDATE meta SET value = value + 1 WHERE key = 'data_version' RETURNING value",
    )
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(version.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(version)
}
