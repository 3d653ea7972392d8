//! The self-hosted basemap: which OSM objects it draws (`classify`), their geometry in
//! lon/lat (`MapFeature`), cutting them into vector tiles for zoom 10–16 (`cut`) and the
//! PMTiles archive that holds them (`write_archive`, `Basemap` for reading).
//!
//! The archive is built from the same extract as the import, in the same pass over the file,
//! so the basemap always shows the data's own area. MapLibre overzooms beyond zoom 16.

pub(crate) mod assemble;
pub mod coast;
mod cut;

pub use assemble::Collector;
pub use cut::{Cut, cut};

use std::path::{Path, PathBuf};

use bytes::Bytes;
use pmtiles::{AsyncPmTilesReader, Compression, MmapBackend, PmTilesWriter, TileCoord, TileType};

/// Zoom range of the archive. Readers of a city map expect streets from 10 and houses from 14.
pub const MIN_ZOOM: u8 = 10;
pub const MAX_ZOOM: u8 = 16;

/// The basemap's layers, in drawing order (bottom first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MapLayer {
    Landuse,
    Water,
    Waterway,
    Building,
    Road,
    Rail,
    Place,
}

impl MapLayer {
    pub const ALL: [MapLayer; 7] = [
        MapLayer::Landuse,
        MapLayer::Water,
        MapLayer::Waterway,
        MapLayer::Building,
        MapLayer::Road,
        MapLayer::Rail,
        MapLayer::Place,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MapLayer::Landuse => "landuse",
            MapLayer::Water => "water",
            MapLayer::Waterway => "waterway",
            MapLayer::Building => "building",
            MapLayer::Road => "road",
            MapLayer::Rail => "rail",
            MapLayer::Place => "place",
        }
    }

    /// The attributes each feature may carry, for TileJSON's `vector_layers`.
    pub fn fields(self) -> &'static [(&'static str, &'static str)] {
        match self {
            MapLayer::Building => &[],
            MapLayer::Road => &[
                ("class", "String"),
                ("name", "String"),
                ("bridge", "Boolean"),
                ("tunnel", "Boolean"),
            ],
            MapLayer::Rail => &[("class", "String"), ("tunnel", "Boolean")],
            _ => &[("class", "String"), ("name", "String")],
        }
    }

    fn geometry(self) -> Shape {
        match self {
            MapLayer::Landuse | MapLayer::Water | MapLayer::Building => Shape::Area,
            MapLayer::Waterway | MapLayer::Road | MapLayer::Rail => Shape::Line,
            MapLayer::Place => Shape::Point,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Point,
    Line,
    Area,
}

/// What the basemap draws for one OSM object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    pub layer: MapLayer,
    pub class: &'static str,
    /// The lowest zoom it is drawn at.
    pub min_zoom: u8,
    pub bridge: bool,
    pub tunnel: bool,
}

impl Class {
    pub fn shape(&self) -> Shape {
        self.layer.geometry()
    }
}

/// One object of the basemap, in lon/lat (EPSG:4326).
#[derive(Debug, Clone)]
pub struct MapFeature {
    pub class: Class,
    pub name: Option<String>,
    pub geometry: geo::Geometry<f64>,
}

/// Which basemap layer and class an OSM object's tags describe, if any. `closed` says
/// whether a way is a ring (areas need one); relations pass `true` for multipolygons.
pub fn classify<'a>(tags: impl Iterator<Item = (&'a str, &'a str)>, closed: bool) -> Option<Class> {
    let mut get = std::collections::HashMap::new();
    for (k, v) in tags {
        get.insert(k, v);
    }
    let tag = |k: &str| get.get(k).copied();
    let yes = |k: &str| tag(k).is_some_and(|v| v != "no");
    let make = |layer, class, min_zoom| {
        Some(Class {
            layer,
            class,
            min_zoom,
            bridge: yes("bridge"),
            tunnel: yes("tunnel") || tag("layer").is_some_and(|l| l.starts_with('-')),
        })
    };
    if let Some(place) = tag("place") {
        let (class, z) = match place {
            "city" => ("city", 10),
            "town" => ("town", 10),
            "village" => ("village", 12),
            "suburb" | "borough" => ("suburb", 12),
            "quarter" => ("quarter", 13),
            "neighbourhood" => ("neighbourhood", 14),
            "hamlet" => ("hamlet", 14),
            "island" => ("island", 13),
            "locality" => ("locality", 15),
            _ => return None,
        };
        tag("name")?;
        return make(MapLayer::Place, class, z);
    }
    if let Some(highway) = tag("highway") {
        if tag("area") == Some("yes") {
            return None;
        }
        let (class, z) = match highway {
            "motorway" | "motorway_link" => ("motorway", 10),
            "trunk" | "trunk_link" => ("trunk", 10),
            "primary" | "primary_link" => ("primary", 10),
            "secondary" | "secondary_link" => ("secondary", 10),
            "tertiary" | "tertiary_link" => ("tertiary", 11),
            "residential" | "unclassified" | "living_street" | "road" => ("minor", 13),
            "service" => ("service", 14),
            "pedestrian" => ("pedestrian", 14),
            "footway" | "path" | "cycleway" | "bridleway" | "corridor" => ("path", 14),
            "steps" => ("steps", 15),
            "track" => ("track", 14),
            _ => return None,
        };
        return make(MapLayer::Road, class, z);
    }
    if let Some(railway) = tag("railway") {
        let class = match railway {
            "rail" => "rail",
            "light_rail" => "light_rail",
            "subway" => "subway",
            "tram" => "tram",
            "narrow_gauge" => "narrow_gauge",
            _ => return None,
        };
        return make(MapLayer::Rail, class, if class == "rail" { 10 } else { 12 });
    }
    if let Some(waterway) = tag("waterway") {
        if matches!(waterway, "riverbank" | "dock") && closed {
            return make(MapLayer::Water, "river", 10);
        }
        let (class, z) = match waterway {
            "river" => ("river", 10),
            "canal" => ("canal", 12),
            "stream" => ("stream", 13),
            "ditch" | "drain" => (
                if waterway == "ditch" {
                    "ditch"
                } else {
                    "drain"
                },
                15,
            ),
            _ => return None,
        };
        return make(MapLayer::Waterway, class, z);
    }
    if !closed {
        return None;
    }
    if tag("building").is_some_and(|v| v != "no") {
        return make(MapLayer::Building, "building", 14);
    }
    if tag("natural") == Some("water") || tag("landuse") == Some("reservoir") {
        let class = match tag("water") {
            Some("lake") => "lake",
            Some("river") => "river",
            Some("pond") => "pond",
            Some("basin") => "basin",
            Some("reservoir") => "reservoir",
            _ if tag("landuse") == Some("reservoir") => "reservoir",
            _ => "water",
        };
        return make(MapLayer::Water, class, 10);
    }
    if tag("natural") == Some("bay") || tag("natural") == Some("strait") {
        return make(MapLayer::Water, "sea", 10);
    }
    let landuse = match (
        tag("leisure"),
        tag("landuse"),
        tag("natural"),
        tag("amenity"),
    ) {
        (Some("park" | "nature_reserve"), _, _, _) => ("park", 10),
        (Some("pitch"), _, _, _) => ("pitch", 14),
        (Some("playground"), _, _, _) => ("playground", 14),
        (Some("garden"), _, _, _) => ("garden", 13),
        (_, Some("residential"), _, _) => ("residential", 10),
        (_, Some("commercial"), _, _) => ("commercial", 10),
        (_, Some("industrial"), _, _) => ("industrial", 10),
        (_, Some("retail"), _, _) => ("retail", 10),
        (_, Some("forest"), _, _) | (_, _, Some("wood"), _) => ("forest", 10),
        (_, Some("grass" | "village_green" | "recreation_ground"), _, _) => ("grass", 12),
        (_, Some("meadow"), _, _) | (_, _, Some("grassland" | "heath" | "scrub"), _) => {
            ("meadow", 11)
        }
        (_, Some("cemetery"), _, _) | (_, _, _, Some("grave_yard")) => ("cemetery", 11),
        (_, Some("farmland" | "farmyard" | "orchard"), _, _) => ("farmland", 10),
        (_, Some("allotments"), _, _) => ("allotments", 12),
        (_, Some("railway"), _, _) => ("railway", 12),
        (_, Some("construction" | "brownfield"), _, _) => ("construction", 12),
        (_, _, Some("beach"), _) => ("beach", 11),
        (_, _, Some("sand"), _) => ("sand", 11),
        (_, _, Some("wetland"), _) => ("wetland", 11),
        (_, _, Some("bare_rock" | "scree"), _) => ("rock", 11),
        _ => return None,
    };
    make(MapLayer::Landuse, landuse.0, landuse.1)
}

/// Writes tiles into a PMTiles archive at `path`, atomically: a temporary file beside it is
/// renamed over it, so a server reading the old archive keeps a whole file.
pub fn write_archive(path: &Path, tiles: &Cut) -> anyhow::Result<()> {
    use anyhow::Context;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // Unique per process: two imports at once must not write into one temporary file.
    let tmp = path.with_extension(format!("pmtiles.{}.tmp", std::process::id()));
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let [min_lon, min_lat, max_lon, max_lat] = tiles.bounds;
    let metadata = serde_json::json!({
        "name": "naermiljo basemap",
        "attribution": ATTRIBUTION,
        "vector_layers": vector_layers(),
    });
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .tile_compression(Compression::Gzip)
        .min_zoom(MIN_ZOOM)
        .max_zoom(MAX_ZOOM)
        .bounds(min_lon, min_lat, max_lon, max_lat)
        .center((min_lon + max_lon) / 2.0, (min_lat + max_lat) / 2.0)
        .center_zoom(14)
        .metadata(metadata.to_string())
        .create(std::io::BufWriter::new(file))?;
    let mut ordered: Vec<(u64, &crate::tiles::TileId, &Vec<u8>)> = tiles
        .tiles
        .iter()
        .map(|(t, b)| {
            let coord = TileCoord::new(t.z, t.x, t.y).expect("a valid tile");
            (pmtiles::TileId::from(coord).value(), t, b)
        })
        .collect();
    ordered.sort_by_key(|(id, _, _)| *id);
    for (_, t, bytes) in ordered {
        writer.add_tile(TileCoord::new(t.z, t.x, t.y).expect("a valid tile"), bytes)?;
    }
    writer.finalize()?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    Ok(())
}

pub const ATTRIBUTION: &str = "© OpenStreetMap contributors";

/// TileJSON `vector_layers` of the archive.
pub fn vector_layers() -> serde_json::Value {
    MapLayer::ALL
        .iter()
        .map(|l| {
            let fields: serde_json::Map<String, serde_json::Value> = l
                .fields()
                .iter()
                .map(|(k, t)| (k.to_string(), serde_json::json!(t)))
                .collect();
            serde_json::json!({ "id": l.name(), "fields": fields, "minzoom": MIN_ZOOM, "maxzoom": MAX_ZOOM })
        })
        .collect()
}

/// An opened archive, read through a memory map.
pub struct Basemap {
    pub path: PathBuf,
    /// When the file was last written; a server reopens the archive when this changes.
    pub modified: Option<std::time::SystemTime>,
    reader: AsyncPmTilesReader<MmapBackend>,
}

impl Basemap {
    pub async fn open(path: &Path) -> anyhow::Result<Basemap> {
        use anyhow::Context;
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let reader = AsyncPmTilesReader::new_with_path(path)
            .await
            .with_context(|| format!("opening the basemap archive {}", path.display()))?;
        Ok(Basemap {
            path: path.to_path_buf(),
            modified,
            reader,
        })
    }

    /// The gzip-compressed tile, or `None` where the archive has none.
    pub async fn tile_gzip(&self, z: u8, x: u32, y: u32) -> anyhow::Result<Option<Bytes>> {
        let coord = TileCoord::new(z, x, y)?;
        Ok(self.reader.get_tile(coord).await?)
    }

    /// `[min_lon, min_lat, max_lon, max_lat]` of the archive.
    pub fn bounds(&self) -> [f64; 4] {
        let h = self.reader.get_header();
        [
            h.min_longitude,
            h.min_latitude,
            h.max_longitude,
            h.max_latitude,
        ]
    }
}
