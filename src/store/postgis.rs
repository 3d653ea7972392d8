//! The PostGIS store: the same rows as the embedded store, in PostgreSQL with PostGIS, for
//! several server instances on one database. Every committed write bumps `data_version` and
//! sends `NOTIFY naermiljo_data`; each instance listens and reloads its snapshot at once.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool, Postgres, Row, Transaction};
use tokio::sync::Notify;

use super::StoreError;
use super::rows::multipolygon_to_wkb;
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

super::rows::store_impl!(
    PostgisStore,
    Postgres,
    migrations: crate::store::migrations::postgres(),
    begin_read: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    begin_write: "BEGIN",
    lock: " FOR UPDATE",
    json_text: "::text",
    selects: (
        "SELECT id, source, source_id, kind, name, ST_X(geom) AS lon, ST_Y(geom) AS lat, address, wheelchair,
                opening_hours, properties::text AS properties, ST_AsBinary(area) AS area
         FROM facilities ORDER BY id",
        "SELECT id, source, source_id, street, number, postcode, city, municipality_code, grunnkrets_code,
                grunnkrets_name, ST_X(geom) AS lon, ST_Y(geom) AS lat, ST_X(access) AS access_lon,
                ST_Y(access) AS access_lat
         FROM addresses ORDER BY id",
        "SELECT id, source, source_id, name, level, ST_AsBinary(geom, 'NDR') AS wkb, population
         FROM districts ORDER BY id",
        "SELECT id, source, source_id, class, tag, name, area_ha, ST_X(position) AS lon,
                ST_Y(position) AS lat, ST_AsBinary(geom, 'NDR') AS wkb
         FROM nature_areas ORDER BY id"
    ),
    new_import: "INSERT INTO imports (importer, source, file) VALUES ($1, $2, $3) RETURNING id",
    set_summary: "UPDATE imports SET summary = $1::jsonb WHERE id = $2",
    last_imports: "SELECT source, importer, file,
                          to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS finished_at
                   FROM imports WHERE id IN (SELECT MAX(id) FROM imports GROUP BY source) ORDER BY source",
    facility_places: "SELECT id, source_id, name, ST_X(geom), ST_Y(geom) FROM facilities WHERE source = $1",
    json_cast: "::jsonb",
    fn changes(&self) -> Option<Arc<Notify>> {
        Some(self.changes.clone())
    }

    fn keeps_basemap(&self) -> bool {
        true
    }

    async fn put_basemap(&self, archive: &[u8]) -> Result<(), StoreError> {
        let sha256 = crate::store::editing::bytes_sha256(archive);
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO basemap (id, sha256, archive, written_ms) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET sha256 = excluded.sha256, archive = excluded.archive,
                                            written_ms = excluded.written_ms",
        )
        .bind(&sha256)
        .bind(archive)
        .bind(crate::store::editing::now_ms())
        .execute(&mut *tx)
        .await?;
        // Other instances hear of it as of any write, and fetch the new archive.
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn basemap_digest(&self) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT sha256 FROM basemap WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn basemap_archive(&self) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(sqlx::query_as("SELECT sha256, archive FROM basemap WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?)
    }
);

// The bulk upserts: one statement per table, arrays of columns unnested on the server.

async fn insert_facilities(
    tx: &mut Transaction<'_, Postgres>,
    source: &str,
    import_id: i64,
    rows: &[NewFacility],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO facilities (source, source_id, kind, name, geom, address, wheelchair, opening_hours, properties, area, import_id)
         SELECT $1, u.source_id, u.kind, u.name, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), u.address,
                u.wheelchair, u.opening_hours, u.properties::jsonb,
                CASE WHEN u.area IS NULL THEN NULL ELSE ST_SetSRID(ST_GeomFromWKB(u.area), 4326) END, $2
         FROM UNNEST($3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::bytea[])
              AS u(source_id, kind, name, lon, lat, address, wheelchair, opening_hours, properties, area)
         ON CONFLICT (source, source_id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
              geom = excluded.geom, address = excluded.address, wheelchair = excluded.wheelchair,
              opening_hours = excluded.opening_hours, properties = excluded.properties, area = excluded.area,
              import_id = excluded.import_id",
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
    .bind(rows.iter().map(|f| f.area.as_ref().map(super::rows::multipolygon_to_wkb)).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_addresses(
    tx: &mut Transaction<'_, Postgres>,
    source: &str,
    import_id: i64,
    rows: &[NewAddress],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO addresses (source, source_id, street, number, postcode, city, municipality_code,
                                grunnkrets_code, grunnkrets_name, geom, access, import_id)
         SELECT $1, u.source_id, u.street, u.number, u.postcode, u.city, u.municipality_code, u.grunnkrets_code,
                u.grunnkrets_name, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326),
                CASE WHEN u.access_lon IS NULL THEN NULL
                     ELSE ST_SetSRID(ST_MakePoint(u.access_lon, u.access_lat), 4326) END, $2
         FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::float8[], $12::float8[], $13::float8[], $14::float8[])
              AS u(source_id, street, number, postcode, city, municipality_code, grunnkrets_code, grunnkrets_name,
                   lon, lat, access_lon, access_lat)
         ON CONFLICT (source, source_id) DO UPDATE SET street = excluded.street, number = excluded.number,
              postcode = excluded.postcode, city = excluded.city, municipality_code = excluded.municipality_code,
              grunnkrets_code = excluded.grunnkrets_code, grunnkrets_name = excluded.grunnkrets_name,
              geom = excluded.geom, access = excluded.access, import_id = excluded.import_id",
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
    .bind(rows.iter().map(|a| a.access.map(|p| p.lon)).collect::<Vec<_>>())
    .bind(rows.iter().map(|a| a.access.map(|p| p.lat)).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_districts(
    tx: &mut Transaction<'_, Postgres>,
    source: &str,
    import_id: i64,
    rows: &[NewDistrict],
) -> Result<(), StoreError> {
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
    Ok(())
}

async fn insert_nature_areas(
    tx: &mut Transaction<'_, Postgres>,
    source: &str,
    import_id: i64,
    rows: &[crate::domain::nature::NewNatureArea],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO nature_areas (source, source_id, class, tag, name, area_ha, position, geom, import_id)
         SELECT $1, u.source_id, u.class, u.tag, u.name, u.area_ha,
                ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), ST_SetSRID(ST_GeomFromWKB(u.wkb), 4326), $2
         FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::float8[],
                     $9::float8[], $10::bytea[])
              AS u(source_id, class, tag, name, area_ha, lon, lat, wkb)
         ON CONFLICT (source, source_id) DO UPDATE SET class = excluded.class, tag = excluded.tag,
              name = excluded.name, area_ha = excluded.area_ha, position = excluded.position,
              geom = excluded.geom, import_id = excluded.import_id",
    )
    .bind(source)
    .bind(import_id)
    .bind(rows.iter().map(|n| n.source_id.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|n| n.class.as_str().to_string()).collect::<Vec<_>>())
    .bind(rows.iter().map(|n| n.tag.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|n| n.name.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|n| n.area_ha).collect::<Vec<_>>())
    .bind(rows.iter().map(|n| n.position.lon).collect::<Vec<_>>())
    .bind(rows.iter().map(|n| n.position.lat).collect::<Vec<_>>())
    .bind(rows.iter().map(|n| super::rows::nature_to_wkb(&n.geometry)).collect::<Vec<_>>())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

super::accounts::accounts_impl!(PostgisStore, "::jsonb", "BEGIN");

super::editing::editing_impl!(
    PostgisStore,
    "::jsonb",
    "::text",
    "BEGIN",
    " FOR UPDATE",
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
);

super::participation::participation_impl!(PostgisStore, "::jsonb", "BEGIN", " FOR UPDATE");

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
