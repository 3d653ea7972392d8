//! The kommune's boundary and names from Kartverket's kommuneinfo API:
//! `GET {base}/kommuner/{knr}` (names, fylke) and `GET {base}/kommuner/{knr}/omrade?utkoordsys=4326`
//! (a GeoJSON MultiPolygon in lon/lat, sea areas included). Written as `kommune.geojson`:
//! one Feature with the boundary and `kommunenummer`, `kommunenavn`, `fylkesnummer`,
//! `fylkesnavn`.

use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Ctx, FetchError, Fetched};

pub const FILE: &str = "kommune.geojson";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Info {
    kommunenummer: String,
    kommunenavn: String,
    #[serde(default)]
    kommunenavn_norsk: Option<String>,
    #[serde(default)]
    fylkesnummer: Option<String>,
    #[serde(default)]
    fylkesnavn: Option<String>,
}

#[derive(Deserialize)]
struct Area {
    omrade: Value,
}

pub(crate) async fn fetch(ctx: &Ctx<'_>) -> Result<Fetched, FetchError> {
    let knr = &ctx.opts.kommune;
    let base = &ctx.opts.endpoints.kommuneinfo;
    let info_url = format!("{base}/kommuner/{knr}");
    let info: Info = ctx.http.get_json(ctx.source, &info_url, &[]).await?;
    if info.kommunenummer != *knr {
        return Err(ctx.error(
            &info_url,
            format!("answered for kommune {}, not {knr}", info.kommunenummer),
        ));
    }
    let area_url = format!("{base}/kommuner/{knr}/omrade?utkoordsys=4326");
    let area: Area = ctx.http.get_json(ctx.source, &area_url, &[]).await?;
    let geometry: geojson::Geometry =
        serde_json::from_value(strip_crs(area.omrade)).map_err(|e| {
            ctx.error(
                &area_url,
                format!("`omrade` is not a GeoJSON geometry: {e}"),
            )
        })?;
    let boundary = boundary_of(&geometry)
        .ok_or_else(|| ctx.error(&area_url, "`omrade` is not a Polygon or MultiPolygon"))?;
    use geo::BoundingRect;
    let bbox = boundary
        .bounding_rect()
        .ok_or_else(|| ctx.error(&area_url, "`omrade` is empty"))?;
    let in_degrees = |x: f64, y: f64| (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y);
    if !in_degrees(bbox.min().x, bbox.min().y) || !in_degrees(bbox.max().x, bbox.max().y) {
        return Err(ctx.error(
            &area_url,
            "`omrade` is not in longitude/latitude (asked for utkoordsys=4326)",
        ));
    }
    let name = info
        .kommunenavn_norsk
        .clone()
        .unwrap_or(info.kommunenavn.clone());
    let feature = json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "kommunenummer": info.kommunenummer,
                "kommunenavn": name,
                "fylkesnummer": info.fylkesnummer,
                "fylkesnavn": info.fylkesnavn,
            },
        }],
    });
    let file = ctx.write(FILE, feature.to_string().as_bytes(), &area_url)?;
    Ok(Fetched {
        files: vec![file],
        urls: vec![info_url, area_url],
        notes: vec![format!("{name} ({knr})")],
    })
}

/// GeoJSON from older APIs carries a `crs` member that the `geojson` crate does not take.
fn strip_crs(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("crs");
    }
    v
}

/// A Polygon or MultiPolygon as a `geo` MultiPolygon (lon/lat).
pub(crate) fn boundary_of(g: &geojson::Geometry) -> Option<geo::MultiPolygon<f64>> {
    match crate::import::geo_geometry(g).ok()? {
        geo::Geometry::Polygon(p) => Some(geo::MultiPolygon(vec![p])),
        geo::Geometry::MultiPolygon(m) => Some(m),
        _ => None,
    }
}

/// The boundary in `dir/kommune.geojson` (fetched before the other sources); `None` when
/// there is none yet.
pub(crate) fn read_boundary(dir: &Path) -> Result<Option<geo::MultiPolygon<f64>>, String> {
    let path = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e| format!("{} is not GeoJSON: {e}", path.display()))?;
    let geometry = match gj {
        geojson::GeoJson::FeatureCollection(fc) => {
            fc.features.into_iter().next().and_then(|f| f.geometry)
        }
        geojson::GeoJson::Feature(f) => f.geometry,
        geojson::GeoJson::Geometry(g) => Some(g),
    };
    geometry
        .as_ref()
        .and_then(boundary_of)
        .map(Some)
        .ok_or_else(|| format!("{} holds no kommune polygon", path.display()))
}

/// The longitude of the boundary's centre, for choosing the local UTM zone.
pub(crate) fn centre_lon(dir: &Path) -> Option<f64> {
    use geo::BoundingRect;
    let b = read_boundary(dir).ok()??.bounding_rect()?;
    Some((b.min().x + b.max().x) / 2.0)
}
