//! Sports facilities and nærmiljøanlegg from Anleggsregisteret (its undocumented JSON:
//! `GET {base}/facilities?page=N&size=500` with `X-Requested-With: XMLHttpRequest`, a
//! Spring page `{content, last}` or a bare array). The register has no kommune number, so
//! facilities are kept where they lie within 3 km of the kommune's boundary (homes near
//! the border walk to the neighbour's). Known faults are mended or dropped, each counted in
//! the notes: a point one UTM zone off (longitude 6°, 12° or 18° out) that lands in the
//! kommune it is registered in is moved back; a point registered in this kommune that lies
//! elsewhere (the placeholder in central Oslo) is dropped; no position, dropped. Only
//! `EXISTING` facilities are kept.
//!
//! Written as `anlegg.geojson`: Points with `name`, `anleggsnummer`, `type`, `category`,
//! `owner`, `operator`, `built`, `naermiljoanlegg` (from its type) and `kind` (the
//! facility kind naermiljo files it under).

use std::collections::BTreeMap;

use geo::{Contains, Distance, Euclidean};
use serde_json::{Value, json};

use super::{Ctx, FetchError, Fetched};

pub const FILE: &str = "anlegg.geojson";

/// How far outside the boundary a facility is still kept, in metres.
const BORDER_M: f64 = 3000.0;
/// The most pages read (500 each): the whole register is about 30,000 facilities.
const MAX_PAGES: usize = 400;

/// The types that are nærmiljøanlegg (DATA-SOURCES.md §6), with the kind each is filed
/// under.
const NAERMILJO: &[(&str, &str)] = &[
    ("Ballbinge", "pitch"),
    ("Ballbinge/ballvegg", "pitch"),
    ("Liten balløkke/-bane", "pitch"),
    ("Flerbruksflate", "pitch"),
    ("Flerbruksområde (ute)", "pitch"),
    ("Ballareal / Fleraktivitetsområde (aktivitetspark)", "pitch"),
    ("Skatepark", "skatepark"),
    ("Skateboard-/rulleanlegg", "skatepark"),
    ("Skateområde (aktivitetspark)", "skatepark"),
    ("Trimpark", "fitness_station"),
    ("Trimpark/styrkeapparater", "fitness_station"),
    ("Utendørs treningsanlegg", "fitness_station"),
    ("Parkouranlegg", "fitness_station"),
    ("Hinderløype", "fitness_station"),
    ("Klatre/buldrevegg (ute)", "fitness_station"),
    ("Sandvolleyballbane", "pitch"),
    ("Basketbane utendørs", "pitch"),
    ("Bordtennisbord (ute)", "pitch"),
    ("Pumptrack", "skatepark"),
    ("Akebakke", "park"),
    ("Isflate", "pitch"),
    ("Mindre isflate (ute)", "pitch"),
    ("Discgolfbane", "park"),
    ("Nærmiljøkart", "park"),
    ("Turløype/tursti/turvei", "park"),
];

/// Other types naermiljo knows, with their kind; any type in neither list is kept as a
/// sports facility and named in the notes.
const OTHER: &[(&str, &str)] = &[
    ("Fotballbane", "pitch"),
    ("Fotballbane (kunstgress)", "pitch"),
    ("Kunstgressbane", "pitch"),
    ("Gressbane", "pitch"),
    ("Grusbane", "pitch"),
    ("Tennisbane", "pitch"),
    ("Idrettshall", "sports_hall"),
    ("Flerbrukshall", "sports_hall"),
    ("Gymsal", "sports_hall"),
    ("Svømmehall", "sports_hall"),
    ("Ishall", "sports_hall"),
    ("Friidrettsanlegg", "track"),
    ("Løpebane", "track"),
];

/// The kind and whether a nærmiljøanlegg, by the register's type; `None`: unknown.
fn classify(kind: &str) -> Option<(&'static str, bool)> {
    let k = kind.trim();
    NAERMILJO
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(k))
        .map(|(_, kind)| (*kind, true))
        .or_else(|| {
            OTHER
                .iter()
                .find(|(t, _)| t.eq_ignore_ascii_case(k))
                .map(|(_, kind)| (*kind, false))
        })
}

/// Metres from a point to the boundary (0 inside), in a local projection around the point.
fn metres_outside(boundary: &geo::MultiPolygon<f64>, lon: f64, lat: f64) -> f64 {
    let p = geo::Point::new(lon, lat);
    if boundary.contains(&p) {
        return 0.0;
    }
    let kx = 111_320.0 * lat.to_radians().cos();
    let ky = 110_574.0;
    let local = geo::MapCoords::map_coords(
        boundary,
        |c| geo::coord! { x: (c.x - lon) * kx, y: (c.y - lat) * ky },
    );
    Euclidean.distance(&geo::Point::new(0.0, 0.0), &local)
}

fn text(v: &Value, field: &str) -> Option<String> {
    match v.get(field)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) async fn fetch(ctx: &Ctx<'_>) -> Result<Fetched, FetchError> {
    let base = &ctx.opts.endpoints.anlegg;
    let boundary = super::kommune::read_boundary(&ctx.opts.out)
        .map_err(|r| ctx.error(base, r))?
        .ok_or_else(|| {
            ctx.error(
                base,
                "needs the kommune's boundary: fetch the `kommune` source first",
            )
        })?;
    let kommune_name = std::fs::read_to_string(ctx.opts.out.join(super::kommune::FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| text(&v["features"][0]["properties"], "kommunenavn"))
        .unwrap_or_default();
    let headers = [("X-Requested-With", "XMLHttpRequest")];
    let mut items = Vec::new();
    let mut urls = Vec::new();
    for page in 0..MAX_PAGES {
        let url = format!("{base}/facilities?page={page}&size=500");
        let answer: Value = ctx.http.get_json(ctx.source, &url, &headers).await?;
        urls.push(url.clone());
        let (content, last) = match &answer {
            Value::Array(a) => (a.clone(), true),
            Value::Object(o) => match (o.get("content"), o.get("last")) {
                (Some(Value::Array(a)), Some(Value::Bool(last))) => (a.clone(), *last),
                _ => {
                    return Err(ctx.error(
                        &url,
                        "neither a page ({content: [...], last}) nor an array: has the format changed?",
                    ));
                }
            },
            _ => return Err(ctx.error(&url, "not a page of facilities")),
        };
        let empty = content.is_empty();
        items.extend(content);
        if last || empty {
            break;
        }
    }
    let mut counts: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut unknown_types: BTreeMap<String, usize> = BTreeMap::new();
    let mut features = Vec::new();
    for item in &items {
        let id = text(item, "facilityId").ok_or_else(|| {
            ctx.error(
                base,
                "a facility without `facilityId`: has the format changed?",
            )
        })?;
        let name = text(item, "name").unwrap_or_else(|| format!("Anlegg {id}"));
        if text(item, "status").as_deref() != Some("EXISTING") {
            continue;
        }
        let registered_here = text(item, "municipalityName")
            .is_some_and(|m| !kommune_name.is_empty() && m.eq_ignore_ascii_case(&kommune_name));
        let (Some(mut lon), Some(lat)) = (
            item.get("longitude").and_then(Value::as_f64),
            item.get("latitude").and_then(Value::as_f64),
        ) else {
            if registered_here {
                counts
                    .entry("without a position (left out)")
                    .or_default()
                    .push(name);
            }
            continue;
        };
        let mut outside = metres_outside(&boundary, lon, lat);
        if outside > BORDER_M && registered_here {
            // One, two or three UTM zones off: 6° of longitude each.
            let mended = [-6.0, 6.0, -12.0, 12.0, -18.0, 18.0]
                .into_iter()
                .map(|d| lon + d)
                .find(|&l| metres_outside(&boundary, l, lat) == 0.0);
            match mended {
                Some(l) => {
                    counts
                        .entry("moved back from a UTM-zone slip")
                        .or_default()
                        .push(name.clone());
                    lon = l;
                    outside = 0.0;
                }
                None => {
                    counts
                        .entry("registered here but placed elsewhere (left out)")
                        .or_default()
                        .push(name);
                    continue;
                }
            }
        }
        if outside > BORDER_M {
            continue;
        }
        let kind_text = text(item, "typeDescription").unwrap_or_default();
        let (kind, naermiljo) = match classify(&kind_text) {
            Some(c) => c,
            None => {
                *unknown_types.entry(kind_text.clone()).or_default() += 1;
                ("sports_hall", false)
            }
        };
        features.push(json!({
            "type": "Feature",
            "id": id,
            "geometry": { "type": "Point", "coordinates": [lon, lat] },
            "properties": {
                "name": name,
                "anleggsnummer": id,
                "type": kind_text,
                "category": text(item, "categoryDescription"),
                "owner": text(item, "ownerName"),
                "operator": text(item, "operatorName"),
                "built": item.get("buildingYear").and_then(Value::as_i64),
                "naermiljoanlegg": naermiljo,
                "kind": kind,
                "outside_kommune": outside > 0.0,
            },
        }));
    }
    let mut notes: Vec<String> = counts
        .into_iter()
        .map(|(what, names)| format!("{} {what}: {}", names.len(), names.join(", ")))
        .collect();
    if !unknown_types.is_empty() {
        notes.push(format!(
            "types naermiljo does not know (kept as sports facilities): {}",
            unknown_types
                .iter()
                .map(|(t, n)| format!("{t} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    notes.push(format!(
        "{} facilities within {} km of the boundary, of {} in the register",
        features.len(),
        BORDER_M / 1000.0,
        items.len()
    ));
    let collection = json!({ "type": "FeatureCollection", "features": features });
    let file = ctx.write(FILE, collection.to_string().as_bytes(), base)?;
    Ok(Fetched {
        files: vec![file],
        urls,
        notes,
    })
}
