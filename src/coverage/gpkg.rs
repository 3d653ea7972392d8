//! GeoPackage files of coverage and gaps for planners (issue 17 item 5): OGC GeoPackage
//! 1.4 (OGC 12-128r19), one feature table per layer, written with SQLite (sqlx, as the
//! store) and the `geopackage-core` crate's table definitions, spatial reference systems
//! and geometry encoding (the GeoPackage binary header before ISO WKB).
//!
//! Features come as GeoJSON `Feature` values whose coordinates are already in the target
//! CRS, x first (easting, or longitude: a GeoPackage is always x/y, whatever axis order the
//! CRS's definition gives). Properties become columns: integers `INTEGER`, other numbers
//! `REAL`, booleans `BOOLEAN`, strings `TEXT`, anything else its JSON as `TEXT`; a layer
//! declares the columns it always has (`Layer::columns`), so that their types do not depend
//! on the values of one download. A property named as a column the table has already
//! (`fid`, `geom`, or another but for case, as SQLite compares names) is `NAME_2`.

use serde_json::Value;
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

/// One feature table.
pub struct Layer {
    /// The table's name and identifier (`[a-z_]+`).
    pub name: &'static str,
    pub description: String,
    /// GeoJSON Features, in the file's CRS, x first.
    pub features: Vec<Value>,
    /// The columns every file of this layer has, in this order, with their types (`INTEGER`,
    /// `REAL`, `BOOLEAN`, `TEXT`), whatever the features hold: a saved style or model keeps
    /// working when a column is all NULL or the layer is empty. Other properties follow.
    pub columns: &'static [(&'static str, &'static str)],
    /// The geometry type when there are no features to tell it (`POINT`, `MULTIPOLYGON`).
    pub geometry: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum GpkgError {
    #[error("no definition of EPSG:{0} for a GeoPackage")]
    UnknownSrs(i32),
    #[error("feature {index} of {layer}: {reason}")]
    Geometry {
        layer: &'static str,
        index: usize,
        reason: String,
    },
    #[error("writing the GeoPackage: {0}")]
    Sqlite(#[from] sqlx::Error),
    #[error("the GeoPackage's temporary file: {0}")]
    Io(#[from] std::io::Error),
}

/// The GeoPackage file's bytes: `layers` in the CRS `srs_id` (an EPSG code; 4326 for
/// CRS84 longitude/latitude).
///
/// # Errors
/// An EPSG code without a vendored definition, a geometry that is not valid GeoJSON or
/// cannot be encoded, or SQLite or the temporary file failing.
pub async fn write(layers: &[Layer], srs_id: i32) -> Result<Vec<u8>, GpkgError> {
    let srs = match srs_id {
        4326 => None,
        25835 => Some(utm35()),
        _ => Some(
            geopackage_core::srs::epsg_definition(srs_id).ok_or(GpkgError::UnknownSrs(srs_id))?,
        ),
    };
    let mut nonce = [0u8; 12];
    getrandom::fill(&mut nonce).map_err(|e| std::io::Error::other(e.to_string()))?;
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let path = std::env::temp_dir().join(format!("naermiljo-{nonce}.gpkg"));
    // Gone however this ends, a client that hangs up mid-way included.
    let _remove = RemoveOnDrop(path.clone());
    async {
        let mut db = SqliteConnection::connect_with(
            &SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true),
        )
        .await?;
        fill(&mut db, layers, srs_id, srs).await?;
        db.close().await?;
        Ok::<_, GpkgError>(tokio::fs::read(&path).await?)
    }
    .await
}

/// Removes a temporary file when dropped.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn fill(
    db: &mut SqliteConnection,
    layers: &[Layer],
    srs_id: i32,
    srs: Option<geopackage_core::srs::SrsDefinition>,
) -> Result<(), GpkgError> {
    use sqlx::AssertSqlSafe;
    let mut tx = db.begin().await?;
    sqlx::query(AssertSqlSafe(format!(
        "PRAGMA application_id = {}",
        geopackage_core::version::APPLICATION_ID_GPKG
    )))
    .execute(&mut *tx)
    .await?;
    sqlx::query("PRAGMA user_version = 10400")
        .execute(&mut *tx)
        .await?;
    for ddl in [
        geopackage_core::ddl::CREATE_GPKG_SPATIAL_REF_SYS,
        geopackage_core::ddl::CREATE_GPKG_CONTENTS,
        geopackage_core::ddl::CREATE_GPKG_GEOMETRY_COLUMNS,
    ]
    .into_iter()
    .chain(geopackage_core::ddl::SEED_SPATIAL_REF_SYS)
    {
        sqlx::raw_sql(AssertSqlSafe(ddl)).execute(&mut *tx).await?;
    }
    if let Some(d) = &srs {
        sqlx::query(
            "INSERT INTO gpkg_spatial_ref_sys
             (srs_name, srs_id, organization, organization_coordsys_id, definition)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(d.name.as_ref())
        .bind(srs_id)
        .bind(d.organization.as_ref())
        .bind(d.organization_coordsys_id)
        .bind(d.definition.as_ref())
        .execute(&mut *tx)
        .await?;
    }
    for layer in layers {
        let columns = columns(layer.columns, &layer.features);
        let geometry_type = if layer.features.is_empty() {
            layer.geometry
        } else {
            geometry_type(&layer.features)
        };
        let definition: String = columns
            .iter()
            .map(|c| format!(", \"{}\" {}", c.name.replace('"', "\"\""), c.ty))
            .collect();
        sqlx::query(AssertSqlSafe(format!(
            "CREATE TABLE \"{}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {geometry_type}{definition})",
            layer.name
        )))
        .execute(&mut *tx)
        .await?;
        let placeholders: String = (0..columns.len())
            .map(|k| format!(", ${}", k + 2))
            .collect();
        let names: String = columns
            .iter()
            .map(|c| format!(", \"{}\"", c.name.replace('"', "\"\"")))
            .collect();
        let insert = format!(
            "INSERT INTO \"{}\" (geom{names}) VALUES ($1{placeholders})",
            layer.name
        );
        let mut extent: Option<[f64; 4]> = None;
        for (index, feature) in layer.features.iter().enumerate() {
            let bad = |reason: String| GpkgError::Geometry {
                layer: layer.name,
                index,
                reason,
            };
            let geometry: geojson::Geometry = serde_json::from_value(feature["geometry"].clone())
                .map_err(|e| bad(e.to_string()))?;
            let geometry: geo::Geometry<f64> = geometry
                .try_into()
                .map_err(|e: geojson::Error| bad(e.to_string()))?;
            let (blob, envelope) = geopackage_core::geometry::encode_gpb(&geometry, srs_id)
                .map_err(|e| bad(e.to_string()))?;
            if let Some([min_x, max_x, min_y, max_y]) = envelope {
                let e = extent.get_or_insert([min_x, min_y, max_x, max_y]);
                *e = [
                    e[0].min(min_x),
                    e[1].min(min_y),
                    e[2].max(max_x),
                    e[3].max(max_y),
                ];
            }
            let mut q = sqlx::query(AssertSqlSafe(insert.as_str())).bind(blob);
            for c in &columns {
                let v = &feature["properties"][c.key.as_str()];
                q = match (c.ty, v) {
                    (_, Value::Null) => q.bind(None::<String>),
                    // A whole number written as a float (`2.0`) is still that number.
                    ("INTEGER", v) => {
                        q.bind(v.as_i64().or_else(|| v.as_f64().map(|f| f.round() as i64)))
                    }
                    ("REAL", v) => q.bind(v.as_f64()),
                    ("BOOLEAN", v) => q.bind(v.as_bool()),
                    (_, Value::String(s)) => q.bind(s.clone()),
                    (_, v) => q.bind(v.to_string()),
                };
            }
            q.execute(&mut *tx).await?;
        }
        let [min_x, min_y, max_x, max_y] = extent.map_or([None; 4], |e| e.map(Some));
        sqlx::query(
            "INSERT INTO gpkg_contents
             (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
             VALUES ($1, 'features', $1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(layer.name)
        .bind(&layer.description)
        .bind(min_x)
        .bind(min_y)
        .bind(max_x)
        .bind(max_y)
        .bind(srs_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO gpkg_geometry_columns
             (table_name, column_name, geometry_type_name, srs_id, z, m)
             VALUES ($1, 'geom', $2, $3, 0, 0)",
        )
        .bind(layer.name)
        .bind(geometry_type)
        .bind(srs_id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// ETRS89 / UTM zone 35N (EPSG:25835, Finnmark's), which `geopackage-core` does not carry:
/// its zone 33 definition with zone 35's central meridian (27° E) and code.
fn utm35() -> geopackage_core::srs::SrsDefinition {
    let zone33 = geopackage_core::srs::epsg_definition(25833).expect("EPSG:25833 is vendored");
    geopackage_core::srs::SrsDefinition {
        name: "ETRS89 / UTM zone 35N".into(),
        organization: "EPSG".into(),
        organization_coordsys_id: 25835,
        definition: zone33
            .definition
            .replace("UTM zone 33N", "UTM zone 35N")
            .replace(
                "PARAMETER[\"central_meridian\",15]",
                "PARAMETER[\"central_meridian\",27]",
            )
            .replace(
                "AUTHORITY[\"EPSG\",\"25833\"]",
                "AUTHORITY[\"EPSG\",\"25835\"]",
            )
            .into(),
    }
}

/// A column of a layer's table: the property it holds, its name and its type.
#[derive(Debug, PartialEq)]
struct Column {
    key: String,
    /// The key, unless that names another column as SQLite compares names (ASCII case
    /// ignored): `fid` and `geom` are the table's own, so a property `fid` is `fid_2`.
    name: String,
    ty: &'static str,
}

/// The declared columns, then every other property of the features in the order first
/// seen, with its column type.
fn columns(declared: &[(&str, &'static str)], features: &[Value]) -> Vec<Column> {
    let mut columns: Vec<Column> = declared
        .iter()
        .map(|(name, ty)| Column {
            key: name.to_string(),
            name: name.to_string(),
            ty,
        })
        .collect();
    for f in features {
        let Some(properties) = f["properties"].as_object() else {
            continue;
        };
        for (key, v) in properties {
            let ty = match v {
                Value::Null => None,
                Value::Bool(_) => Some("BOOLEAN"),
                Value::Number(n) if n.is_i64() => Some("INTEGER"),
                Value::Number(_) => Some("REAL"),
                _ => Some("TEXT"),
            };
            if declared.iter().any(|(n, _)| n == key) {
                continue;
            }
            match columns.iter_mut().find(|c| c.key == *key) {
                // A column that held only integers (or nothing yet) and meets a fraction.
                Some(c) => match (c.ty, ty) {
                    ("NULL" | "INTEGER", Some("REAL")) | ("NULL", Some(_)) => c.ty = ty.unwrap(),
                    _ => {}
                },
                None => {
                    let taken = |name: &str| {
                        ["fid", "geom"]
                            .into_iter()
                            .chain(columns.iter().map(|c| c.name.as_str()))
                            .any(|n| n.eq_ignore_ascii_case(name))
                    };
                    let name = std::iter::once(key.clone())
                        .chain((2..).map(|k| format!("{key}_{k}")))
                        .find(|n| !taken(n))
                        .expect("a free name");
                    columns.push(Column {
                        key: key.clone(),
                        name,
                        ty: ty.unwrap_or("NULL"),
                    })
                }
            }
        }
    }
    for c in &mut columns {
        if c.ty == "NULL" {
            c.ty = "TEXT";
        }
    }
    columns
}

/// The one geometry type of the layer's features, or `GEOMETRY` when they differ.
fn geometry_type(features: &[Value]) -> &'static str {
    let mut types = features
        .iter()
        .map(|f| f["geometry"]["type"].as_str().unwrap_or(""));
    let first = types.next().unwrap_or("");
    if !types.all(|t| t == first) {
        return "GEOMETRY";
    }
    match first {
        "Point" => "POINT",
        "MultiPoint" => "MULTIPOINT",
        "LineString" => "LINESTRING",
        "MultiLineString" => "MULTILINESTRING",
        "Polygon" => "POLYGON",
        "MultiPolygon" => "MULTIPOLYGON",
        _ => "GEOMETRY",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Properties named as the table's own columns, or as another column but for case, get
    /// a name of their own; the file is still written, each value in its column.
    #[tokio::test]
    async fn a_property_named_fid_or_geom_gets_a_column_of_its_own() {
        let features = vec![json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [10.2, 59.74] },
            "properties": { "fid": 7, "GEOM": "x", "label": "a", "Label": "b", "fid_2": 1.5 }
        })];
        let names: Vec<(String, String)> = columns(&[("label", "TEXT")], &features)
            .into_iter()
            .map(|c| (c.key, c.name))
            .collect();
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        assert_eq!(
            names,
            pairs(&[
                ("label", "label"),
                ("fid", "fid_2"),
                ("GEOM", "GEOM_2"),
                ("Label", "Label_2"),
                ("fid_2", "fid_2_2"),
            ])
        );
        let layer = Layer {
            name: "test",
            description: String::new(),
            features,
            columns: &[("label", "TEXT")],
            geometry: "POINT",
        };
        let bytes = write(&[layer], 4326)
            .await
            .expect("a property fid is no error");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.gpkg");
        std::fs::write(&path, bytes).unwrap();
        let mut db = SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let row: (i64, i64, String, String, f64) =
            sqlx::query_as("SELECT fid, fid_2, GEOM_2, Label_2, fid_2_2 FROM test")
                .fetch_one(&mut db)
                .await
                .unwrap();
        assert_eq!(row, (1, 7, "x".into(), "b".into(), 1.5));
    }
}
