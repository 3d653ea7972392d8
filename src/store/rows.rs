//! SQL that is the same on both stores, written once: `load_rows!` reads the imported
//! tables into domain rows once each store has selected the same columns (positions as
//! `lon`, `lat`; district geometry as WKB `wkb`; facility properties as JSON text), and
//! `sync_population!` replaces a source's population figures. (SQLite takes `$1`
//! placeholders as PostgreSQL does.)

/// `(facilities, addresses, districts, walk_graph, population, nature)` from a transaction
/// `$tx`, given each backend's four SELECTs.
macro_rules! load_rows {
    ($tx:expr, $facilities:literal, $addresses:literal, $districts:literal, $nature:literal) => {{
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
                area: match r.try_get::<Option<Vec<u8>>, _>("area")? {
                    None => None,
                    Some(blob) => Some(crate::store::rows::multipolygon_from_wkb(&blob).map_err(
                        |reason| crate::store::StoreError::Corrupt {
                            table: "facilities",
                            id,
                            reason: format!("area: {reason}"),
                        },
                    )?),
                },
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
                access: match (
                    r.try_get::<Option<f64>, _>("access_lon")?,
                    r.try_get::<Option<f64>, _>("access_lat")?,
                ) {
                    (Some(lon), Some(lat)) => Some(crate::domain::LonLat::new(lon, lat)),
                    _ => None,
                },
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
            let geometry = crate::store::rows::multipolygon_from_wkb(&blob).map_err(|reason| {
                crate::store::StoreError::Corrupt {
                    table: "districts",
                    id,
                    reason,
                }
            })?;
            let source_id: String = r.try_get("source_id")?;
            districts.push(crate::domain::District {
                id: id.to_string(),
                code: source_id.clone(),
                name: r.try_get("name")?,
                level: r.try_get("level")?,
                geometry,
                population: r.try_get("population")?,
                population_sum: false,
                parent: None,
                source: Some(crate::domain::SourceRef {
                    source: r.try_get("source")?,
                    source_id,
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
        let rows = sqlx::query($nature).fetch_all(&mut *$tx).await?;
        let mut nature = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let corrupt = |reason: String| crate::store::StoreError::Corrupt {
                table: "nature_areas",
                id,
                reason,
            };
            let class: String = r.try_get("class")?;
            let class = crate::domain::nature::NatureClass::parse(&class)
                .ok_or_else(|| corrupt(format!("unknown class {class:?}")))?;
            let blob: Vec<u8> = r.try_get("wkb")?;
            nature.push(crate::domain::nature::NatureArea {
                id,
                class,
                tag: r.try_get("tag")?,
                name: r.try_get("name")?,
                area_ha: r.try_get("area_ha")?,
                position: crate::domain::LonLat::new(r.try_get("lon")?, r.try_get("lat")?),
                source: crate::domain::SourceRef {
                    source: r.try_get("source")?,
                    source_id: r.try_get("source_id")?,
                },
                geometry: crate::store::rows::nature_from_wkb(&blob).map_err(corrupt)?,
            });
        }
        (
            facilities, addresses, districts, walk_graph, population, nature,
        )
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

/// `impl Store` for a backend, written once: everything but the SQL that differs. The
/// backend gives its migrations folder, how a consistent read begins (`$begin_read`) and a
/// write (`$begin_write`), its
/// three SELECTs for [`load_rows!`], how the `imports` row is made (`$new_import`: `$1`
/// importer, `$2` source, `$3` file, returning its id) and given its summary
/// (`$set_summary`: `$1` JSON text, `$2` id), and any methods of its own (`changes`). In
/// scope where it is used: `bump` (the data version, in a write's transaction) and the
/// backend's bulk upserts `insert_facilities`, `insert_addresses`, `insert_districts`
/// (`tx, source, import_id, rows`), which differ in how they batch rows.
///
/// An import's bookkeeping is the same on both: per table, count the source's rows, upsert,
/// then remove the source's rows this import did not touch; the difference is the
/// [`TableChange`](crate::store::TableChange).
/// Applies staff's edits (`facility_edits`: source, source_id, the fields as JSON text) over
/// the imported facilities: `opening_hours` replaces the column, any other field the
/// property of that name (`services`); a null removes it. Edits of rows no longer imported
/// are left as they are.
pub fn apply_facility_edits(
    facilities: &mut [crate::domain::Facility],
    edits: &[(String, String, String)],
) -> Result<(), crate::store::StoreError> {
    if edits.is_empty() {
        return Ok(());
    }
    let by_key: std::collections::HashMap<(&str, &str), &str> = edits
        .iter()
        .map(|(a, b, c)| ((a.as_str(), b.as_str()), c.as_str()))
        .collect();
    for f in facilities {
        let Some(text) = by_key.get(&(f.source.source.as_str(), f.source.source_id.as_str()))
        else {
            continue;
        };
        let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
            .map_err(|e| crate::store::StoreError::Corrupt {
                table: "facility_edits",
                id: f.id,
                reason: e.to_string(),
            })?;
        for (k, v) in fields {
            if k == "opening_hours" {
                f.opening_hours = v.as_str().map(str::to_string);
            } else if v.is_null() {
                f.properties.remove(&k);
            } else {
                f.properties.insert(k, v);
            }
        }
    }
    Ok(())
}

macro_rules! store_impl {
    (
        $store:ty, $db:ty,
        migrations: $migrations:expr,
        begin_read: $begin_read:literal,
        begin_write: $begin_write:literal,
        lock: $lock:literal,
        json_text: $text:literal,
        selects: ($facilities:literal, $addresses:literal, $districts:literal, $nature:literal),
        new_import: $new_import:literal,
        set_summary: $set_summary:literal,
        last_imports: $last_imports:literal,
        facility_places: $facility_places:literal,
        json_cast: $json_cast:literal,
        $($own:tt)*
    ) => {
        #[async_trait::async_trait]
        impl crate::store::Store for $store {
            async fn migrate(&self) -> Result<(), StoreError> {
                $migrations.run(&self.pool).await?;
                Ok(())
            }

            async fn data_version(&self) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = 'data_version'")
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

            async fn load(&self) -> Result<crate::store::StoreContents, StoreError> {
                // One read transaction: every table and both versions from the same moment.
                let mut tx = self.pool.begin_with($begin_read).await?;
                let (data_version, base_version) = crate::store::editing::versions!(tx);
                let (mut facilities, addresses, districts, walk_graph, population, nature) =
                    crate::store::rows::load_rows!(tx, $facilities, $addresses, $districts, $nature);
                let edits: Vec<(String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT source, source_id, fields{t} FROM facility_edits",
                    t = $text
                )))
                .fetch_all(&mut *tx)
                .await?;
                crate::store::rows::apply_facility_edits(&mut facilities, &edits)?;
                let (organisations, activities, volunteer_needs, proposals, feed_changes) =
                    crate::store::editing::load_editing!(tx, $text);
                tx.commit().await?;
                Ok(crate::store::StoreContents {
                    data_version,
                    base_version,
                    organisations,
                    activities,
                    feed_changes,
                    volunteer_needs,
                    proposals,
                    facilities,
                    addresses,
                    districts,
                    walk_graph,
                    population,
                    nature,
                })
            }

            async fn counts(&self) -> Result<crate::store::Counts, StoreError> {
                let row = sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM facilities) AS f, (SELECT COUNT(*) FROM addresses) AS a,
                            (SELECT COUNT(*) FROM districts) AS d",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok(crate::store::Counts {
                    facilities: row.try_get::<i64, _>("f")? as u64,
                    addresses: row.try_get::<i64, _>("a")? as u64,
                    districts: row.try_get::<i64, _>("d")? as u64,
                })
            }

            async fn last_imports(&self) -> Result<Vec<crate::store::LastImport>, StoreError> {
                let rows = sqlx::query($last_imports).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(crate::store::LastImport {
                        source: r.try_get("source")?,
                        importer: r.try_get("importer")?,
                        file: r.try_get("file")?,
                        finished_at: r.try_get("finished_at")?,
                    });
                }
                Ok(out)
            }

            async fn apply_import(
                &self,
                batch: crate::store::ImportBatch,
            ) -> Result<crate::store::ImportOutcome, StoreError> {
                batch.check()?;
                let mut tx = self.pool.begin_with($begin_write).await?;
                let import_id: i64 = sqlx::query_scalar($new_import)
                    .bind(&batch.importer)
                    .bind(&batch.source)
                    .bind(&batch.file)
                    .fetch_one(&mut *tx)
                    .await?;
                let source = batch.source.as_str();
                let mut outcome = crate::store::ImportOutcome::default();
                // Count, upsert, remove what this import did not touch.
                macro_rules! sync {
                    ($table:literal, $insert:ident, $rows:expr) => {
                        sync!($table, $insert, $rows, {})
                    };
                    // `$before_delete` runs once the rows are written, before the rows this
                    // import did not touch are removed.
                    ($table:literal, $insert:ident, $rows:expr, $before_delete:block) => {{
                        let before: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                            "SELECT COUNT(*) FROM {} WHERE source = $1",
                            $table
                        )))
                        .bind(source)
                        .fetch_one(&mut *tx)
                        .await?;
                        $insert(&mut tx, source, import_id, $rows).await?;
                        $before_delete
                        let removed = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DELETE FROM {} WHERE source = $1 AND import_id <> $2",
                            $table
                        )))
                        .bind(source)
                        .bind(import_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        Some(crate::store::TableChange::from_counts(
                            before as u64,
                            removed,
                            $rows.len() as u64,
                        ))
                    }};
                }
                let mut renamed_or_moved = Vec::new();
                if let Some(rows) = &batch.facilities {
                    let places_before: Vec<(i64, String, Option<String>, f64, f64)> =
                        sqlx::query_as($facility_places)
                            .bind(source)
                            .fetch_all(&mut *tx)
                            .await?;
                    let places = crate::store::rows::FacilityPlaces::compare(&places_before, rows);
                    renamed_or_moved = places.renamed_or_moved;
                    let removed = places.removed;
                    outcome.facilities = sync!("facilities", insert_facilities, rows, {
                        outcome.relocated = crate::store::rows::keep_items_of_removed!(
                            tx, removed, $text, $json_cast, $lock
                        );
                    });
                }
                if let Some(rows) = &batch.addresses {
                    outcome.addresses = sync!("addresses", insert_addresses, rows);
                }
                if let Some(rows) = &batch.districts {
                    outcome.districts = sync!("districts", insert_districts, rows);
                }
                if let Some(rows) = &batch.nature {
                    outcome.nature = sync!("nature_areas", insert_nature_areas, rows);
                }
                if let Some(rows) = &batch.population {
                    outcome.population =
                        Some(crate::store::rows::sync_population!(tx, source, import_id, rows));
                }
                if let Some(graph) = &batch.walk_graph {
                    sqlx::query(
                        "INSERT INTO graphs (name, source, nodes, edges, data, import_id) VALUES ('walk', $1, $2, $3, $4, $5)
                         ON CONFLICT (name) DO UPDATE SET source = excluded.source, nodes = excluded.nodes,
                         edges = excluded.edges, data = excluded.data, import_id = excluded.import_id",
                    )
                    .bind(source)
                    .bind(graph.nodes as i64)
                    .bind(graph.edges as i64)
                    .bind(&graph.data)
                    .bind(import_id)
                    .execute(&mut *tx)
                    .await?;
                    outcome.walk_graph = Some((graph.nodes, graph.edges));
                }
                crate::store::rows::audit_renamed_and_moved!(tx, $db, renamed_or_moved, $json_cast, $lock);
                outcome.data_version = bump(&mut tx).await?;
                // An import changes the base data: servers rebuild their whole snapshot.
                sqlx::query("UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'data_version') WHERE key = 'base_version'")
                    .execute(&mut *tx)
                    .await?;
                let summary = serde_json::to_string(&outcome).expect("an outcome always serialises");
                sqlx::query($set_summary)
                    .bind(summary)
                    .bind(import_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(outcome)
            }

            $($own)*
        }
    };
}

pub(crate) use {load_rows, store_impl, sync_population};

use geo_traits::to_geo::ToGeoGeometry;

/// Little-endian WKB of a MultiPolygon, as PostGIS's `ST_AsBinary` writes it.
pub(crate) fn multipolygon_to_wkb(geometry: &geo::MultiPolygon<f64>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(wkb::writer::multi_polygon_wkb_size(geometry));
    wkb::writer::write_multi_polygon(&mut buf, geometry, &Default::default())
        .expect("writing WKB to a Vec cannot fail");
    buf
}

/// Little-endian WKB of a nature area's geometry (MultiPolygon, MultiLineString or Point).
pub(crate) fn nature_to_wkb(geometry: &crate::domain::nature::NatureGeometry) -> Vec<u8> {
    let g = geometry.to_geo();
    let mut buf = Vec::with_capacity(wkb::writer::geometry_wkb_size(&g));
    wkb::writer::write_geometry(&mut buf, &g, &Default::default())
        .expect("writing WKB to a Vec cannot fail");
    buf
}

pub(crate) fn nature_from_wkb(
    blob: &[u8],
) -> Result<crate::domain::nature::NatureGeometry, String> {
    use crate::domain::nature::NatureGeometry;
    let wkb = wkb::reader::read_wkb(blob).map_err(|e| format!("bad WKB: {e}"))?;
    match wkb.to_geometry() {
        geo::Geometry::MultiPolygon(mp) => Ok(NatureGeometry::Area(mp)),
        geo::Geometry::Polygon(p) => Ok(NatureGeometry::Area(geo::MultiPolygon(vec![p]))),
        geo::Geometry::MultiLineString(l) => Ok(NatureGeometry::Line(l)),
        geo::Geometry::LineString(l) => Ok(NatureGeometry::Line(geo::MultiLineString(vec![l]))),
        geo::Geometry::Point(p) => Ok(NatureGeometry::Point(crate::domain::LonLat::new(
            p.x(),
            p.y(),
        ))),
        other => Err(format!(
            "expected an area, a line or a point, found {other:?}"
        )),
    }
}

pub(crate) fn multipolygon_from_wkb(blob: &[u8]) -> Result<geo::MultiPolygon<f64>, String> {
    let wkb = wkb::reader::read_wkb(blob).map_err(|e| format!("bad WKB: {e}"))?;
    match wkb.to_geometry() {
        geo::Geometry::MultiPolygon(mp) => Ok(mp),
        geo::Geometry::Polygon(p) => Ok(geo::MultiPolygon(vec![p])),
        other => Err(format!("expected a (multi)polygon, found {other:?}")),
    }
}

/// Inside an import's transaction, after its facilities are written and before the source's
/// others are removed (issue 20): every activity and volunteer need placed at a facility
/// about to be removed is moved to a point at the facility's last position, so that it stays
/// on the map, in reach and editable. Each gets a new version and an audit row (`replace`,
/// no person: the import). Evaluates to how many were moved.
macro_rules! keep_items_of_removed {
    ($tx:ident, $removed:ident, $text:literal, $json_cast:literal, $lock:literal) => {{
        let removed: &std::collections::HashMap<i64, (f64, f64)> = &$removed;
        let mut moved = 0u64;
        if !removed.is_empty() {
            // Editing writes wait from here to the import's commit (PostgreSQL: the data
            // version's row lock, which they take first too): the audit rows below then
            // number in commit order for the open feed, and the locks are taken in one
            // order, so an edit and an import cannot deadlock.
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *$tx)
                .await?;
            use crate::store::editing::ItemCollection;
            for collection in [ItemCollection::Activities, ItemCollection::VolunteerNeeds] {
                let table = collection.table();
                let items: Vec<(i64, i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT id, org_id, doc{} AS doc FROM {table}",
                    $text
                )))
                .fetch_all(&mut *$tx)
                .await?;
                for (id, org_id, doc) in items {
                    let mut doc: serde_json::Value =
                        serde_json::from_str(&doc).map_err(|e| StoreError::Corrupt {
                            table,
                            id,
                            reason: e.to_string(),
                        })?;
                    let Some(&(lon, lat)) = doc
                        .pointer("/place/facility_id")
                        .and_then(serde_json::Value::as_i64)
                        .and_then(|f| removed.get(&f))
                    else {
                        continue;
                    };
                    let before = doc.clone();
                    doc["place"] = serde_json::json!({ "lon": lon, "lat": lat });
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE {table} SET doc = $1{}, version = version + 1, updated_ms = $2 \
                         WHERE id = $3",
                        $json_cast
                    )))
                    .bind(doc.to_string())
                    .bind(crate::store::editing::now_ms())
                    .bind(id)
                    .execute(&mut *$tx)
                    .await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO audit_log (at_ms, person_id, role, action, collection, item_id, \
                         before, after, org_id) VALUES ($1, NULL, 'import', 'replace', $2, $3, $4{c}, $5{c}, $6)",
                        c = $json_cast
                    )))
                    .bind(crate::store::editing::now_ms())
                    .bind(collection.id())
                    .bind(id)
                    .bind(before.to_string())
                    .bind(doc.to_string())
                    .bind(org_id)
                    .execute(&mut *$tx)
                    .await?;
                    moved += 1;
                }
            }
        }
        moved
    }};
}
pub(crate) use keep_items_of_removed;

/// What an import of a source's facilities changes of those stored before it:
/// `(id, source_id, name, lon, lat)` of each, against the file's rows.
pub(crate) struct FacilityPlaces {
    /// Each one renamed or moved by more than [`MOVED_DEGREES`]: `(id, before, after)`, each
    /// side `{name, lon, lat}`.
    pub renamed_or_moved: Vec<(i64, serde_json::Value, serde_json::Value)>,
    /// Each one the file no longer has: id → its last position (lon, lat).
    pub removed: std::collections::HashMap<i64, (f64, f64)>,
}

impl FacilityPlaces {
    pub(crate) fn compare(
        before: &[(i64, String, Option<String>, f64, f64)],
        rows: &[crate::domain::NewFacility],
    ) -> FacilityPlaces {
        let incoming: std::collections::HashMap<&str, &crate::domain::NewFacility> =
            rows.iter().map(|f| (f.source_id.as_str(), f)).collect();
        let mut places = FacilityPlaces {
            renamed_or_moved: Vec::new(),
            removed: std::collections::HashMap::new(),
        };
        for (id, source_id, name, lon, lat) in before {
            let Some(f) = incoming.get(source_id.as_str()) else {
                places.removed.insert(*id, (*lon, *lat));
                continue;
            };
            let moved = (f.position.lon - lon).abs() > MOVED_DEGREES
                || (f.position.lat - lat).abs() > MOVED_DEGREES;
            if moved || f.name != *name {
                places.renamed_or_moved.push((
                    *id,
                    serde_json::json!({ "name": name, "lon": lon, "lat": lat }),
                    serde_json::json!({ "name": f.name, "lon": f.position.lon, "lat": f.position.lat }),
                ));
            }
        }
        places
    }
}

/// An audit row (role `import`, action `update`, collection `facilities`) for each facility
/// of [`FacilityPlaces::renamed_or_moved`], a thousand rows a statement. The open feed reads these rows: an
/// activity held at the facility is changed for a harvester from then on, since its
/// `location` names and places it. Called last before the import bumps the data version:
/// editing writes wait from here to the commit (PostgreSQL: the data version's row lock,
/// which they take first too), so the rows number in commit order for the feed, and the
/// lock is held no longer than the bump holds it anyway.
macro_rules! audit_renamed_and_moved {
    ($tx:ident, $db:ty, $changed:ident, $json_cast:literal, $lock:literal) => {{
        if !$changed.is_empty() {
            sqlx::query(concat!("SELECT value FROM meta WHERE key = 'data_version'", $lock))
                .execute(&mut *$tx)
                .await?;
            let at_ms = crate::store::editing::now_ms();
            for chunk in $changed.chunks(1000) {
                let mut q = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO audit_log (at_ms, role, action, collection, item_id, before, after) ",
                );
                q.push_values(chunk, |mut b, (id, before, after)| {
                    b.push_bind(at_ms)
                        .push("'import', 'update', 'facilities'")
                        .push_bind(*id)
                        .push_bind(before.to_string())
                        .push_unseparated($json_cast)
                        .push_bind(after.to_string())
                        .push_unseparated($json_cast);
                });
                q.build().execute(&mut *$tx).await?;
            }
        }
    }};
}
pub(crate) use audit_renamed_and_moved;

/// A facility whose longitude or latitude changes by more than this (degrees: 0.11 m of
/// latitude, 0.04 to 0.06 m of longitude in Norway) has moved for the audit log and the open
/// feed; less is a file's rounding.
pub(crate) const MOVED_DEGREES: f64 = 1e-6;
