//! SQL that is the same on both stores, written once: `load_rows!` reads the imported
//! tables into domain rows once each store has selected the same columns (positions as
//! `lon`, `lat`; district geometry as WKB `wkb`; facility properties as JSON text), and
//! `sync_population!` replaces a source's population figures. (SQLite takes `$1`
//! placeholders as PostgreSQL does.)

/// `(facilities, addresses, districts, walk_graph, population)` from a transaction `$tx`,
/// given each backend's three SELECTs.
macro_rules! load_rows {
    ($tx:expr, $facilities:literal, $addresses:literal, $districts:literal) => {{
        let rows = sqlx::query($facilities).fetch_all(&mut *$tx).await?;
        let mut facilities = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let kind: String = r.try_get("kind")?;
            let kind = crate::domain::FacilityKind::parse(&kind).ok_or_else(|| {
                crate::store::StoreError::Corrupt {
                    table: "facilities",
                    id,
                    reason: format!("unknown kind {kind:?}"),
                }
            })?;
            let properties: String = r.try_get("properties")?;
            let properties = serde_json::from_str(&properties).map_err(|e| {
                crate::store::StoreError::Corrupt {
                    table: "facilities",
                    id,
                    reason: format!("properties: {e}"),
                }
            })?;
            facilities.push(crate::domain::Facility {
                id,
                kind,
                name: r.try_get("name")?,
                position: crate::domain::LonLat::new(r.try_get("lon")?, r.try_get("lat")?),
                address: r.try_get("address")?,
                wheelchair: r.try_get("wheelchair")?,
                opening_hours: r.try_get("opening_hours")?,
                source: crate::domain::SourceRef {
                    source: r.try_get("source")?,
                    source_id: r.try_get("source_id")?,
                },
                properties,
            });
        }

        let rows = sqlx::query($addresses).fetch_all(&mut *$tx).await?;
        let mut addresses = Vec::with_capacity(rows.len());
        for r in rows {
            addresses.push(crate::domain::Address {
                id: r.try_get("id")?,
                street: r.try_get("street")?,
                number: r.try_get("number")?,
                postcode: r.try_get("postcode")?,
                city: r.try_get("city")?,
                municipality_code: r.try_get("municipality_code")?,
                grunnkrets_code: r.try_get("grunnkrets_code")?,
                grunnkrets_name: r.try_get("grunnkrets_name")?,
                position: crate::domain::LonLat::new(r.try_get("lon")?, r.try_get("lat")?),
                source: crate::domain::SourceRef {
                    source: r.try_get("source")?,
                    source_id: r.try_get("source_id")?,
                },
            });
        }

        let rows = sqlx::query($districts).fetch_all(&mut *$tx).await?;
        let mut districts = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let blob: Vec<u8> = r.try_get("wkb")?;
            let geometry =
                crate::store::sqlite::multipolygon_from_wkb(&blob).map_err(|reason| {
                    crate::store::StoreError::Corrupt {
                        table: "districts",
                        id,
                        reason,
                    }
                })?;
            districts.push(crate::domain::District {
                id: id.to_string(),
                name: r.try_get("name")?,
                level: r.try_get("level")?,
                geometry,
                population: r.try_get("population")?,
                source: Some(crate::domain::SourceRef {
                    source: r.try_get("source")?,
                    source_id: r.try_get("source_id")?,
                }),
            });
        }
        let walk_graph: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT data FROM graphs WHERE name = 'walk'")
                .fetch_optional(&mut *$tx)
                .await?;
        let mut population = Vec::new();
        for r in sqlx::query("SELECT code, name, year, persons FROM population ORDER BY code")
            .fetch_all(&mut *$tx)
            .await?
        {
            population.push(crate::domain::AreaPopulation {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                year: r.try_get("year")?,
                persons: r.try_get("persons")?,
            });
        }
        (facilities, addresses, districts, walk_graph, population)
    }};
}

/// Replaces the population figures of `$source` in transaction `$tx` with `$rows`; a code
/// another source had is taken over by this one. Evaluates to (rows before, rows now).
macro_rules! sync_population {
    ($tx:expr, $source:expr, $import_id:expr, $rows:expr) => {{
        let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM population WHERE source = $1")
            .bind($source)
            .fetch_one(&mut *$tx)
            .await?;
        sqlx::query("DELETE FROM population WHERE source = $1")
            .bind($source)
            .execute(&mut *$tx)
            .await?;
        for r in $rows {
            sqlx::query(
                "INSERT INTO population (code, name, year, persons, source, import_id)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, year = excluded.year,
                   persons = excluded.persons, source = excluded.source, import_id = excluded.import_id",
            )
            .bind(&r.code)
            .bind(&r.name)
            .bind(r.year)
            .bind(r.persons)
            .bind($source)
            .bind($import_id)
            .execute(&mut *$tx)
            .await?;
        }
        (before as u64, $rows.len() as u64)
    }};
}

pub(crate) use {load_rows, sync_population};
