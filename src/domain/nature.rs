//! Nature as areas (issue 22): green areas, forest and the shore, which residents reach at
//! their edge, and the questions planners ask of them.
//!
//! The classes follow what Drammen's strategy means by "close to nature": parks and green
//! spaces, forest (Drammensmarka), and water people can reach (the river, the fjord, lakes,
//! beaches and bathing places). Sizes are in hectares, computed in a metre-based projection
//! (GRS80 equirectangular around each area, `index::partition::LocalMetres`).

use serde::Serialize;

use super::{LonLat, SourceRef};

/// What kind of nature an area is. The string form is stable: stored and used in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NatureClass {
    /// Parks and green spaces: `leisure=park|nature_reserve`,
    /// `landuse=recreation_ground|village_green|grass`.
    Green,
    /// Forest and woodland: `landuse=forest`, `natural=wood`.
    Forest,
    /// Water people can reach: lakes, rivers and the sea (`natural=water|coastline`,
    /// `waterway=river|riverbank`), beaches and bathing places.
    Shore,
}

impl NatureClass {
    pub const ALL: [NatureClass; 3] = [NatureClass::Green, NatureClass::Forest, NatureClass::Shore];

    pub fn as_str(self) -> &'static str {
        match self {
            NatureClass::Green => "green",
            NatureClass::Forest => "forest",
            NatureClass::Shore => "shore",
        }
    }

    pub fn parse(s: &str) -> Option<NatureClass> {
        NatureClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_nb(self) -> &'static str {
        match self {
            NatureClass::Green => "Park og grøntområde",
            NatureClass::Forest => "Skogkanten",
            NatureClass::Shore => "Vann og strand",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            NatureClass::Green => "Park or green space",
            NatureClass::Forest => "Forest edge",
            NatureClass::Shore => "Water and shore",
        }
    }

    /// Areas of this class smaller than this (after merging) are slivers: left out and
    /// counted, in hectares. Grass verges and traffic islands are the usual ones.
    pub fn min_ha(self) -> f64 {
        match self {
            NatureClass::Green => 0.02,
            NatureClass::Forest => 0.05,
            NatureClass::Shore => 0.01,
        }
    }

    /// How near the edge the walking network must pass for a home to reach it, in metres.
    /// A river drawn as its centre line is reached from a path within 30 m of it (most
    /// Norwegian rivers of that kind are under 30 m wide); an area at its drawn edge.
    pub fn touch_m(self, line: bool) -> f64 {
        if line { 30.0 } else { 15.0 }
    }
}

/// Which class an OSM object's tags make it, and the tag that said so (`leisure=park`).
/// `None` for everything else, including water nobody walks to (basins, fountains,
/// wastewater, reflecting pools) and grass under `GRASS_MIN_HA` (decided by the caller,
/// which knows the size).
pub fn classify<'a>(
    tags: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<(NatureClass, String)> {
    let get = |key: &str| tags.clone().find(|(k, _)| *k == key).map(|(_, v)| v);
    let said = |k: &str, v: &str| format!("{k}={v}");
    if let Some(v @ ("park" | "nature_reserve")) = get("leisure") {
        return Some((NatureClass::Green, said("leisure", v)));
    }
    if let Some(v @ ("swimming_area" | "bathing_place")) = get("leisure") {
        return Some((NatureClass::Shore, said("leisure", v)));
    }
    match get("landuse") {
        Some(v @ ("recreation_ground" | "village_green" | "grass")) => {
            return Some((NatureClass::Green, said("landuse", v)));
        }
        Some("forest") => return Some((NatureClass::Forest, said("landuse", "forest"))),
        _ => {}
    }
    match get("natural") {
        Some("wood") => return Some((NatureClass::Forest, said("natural", "wood"))),
        Some(v @ ("beach" | "coastline")) => return Some((NatureClass::Shore, said("natural", v))),
        Some("water") => {
            let unreachable = matches!(
                get("water"),
                Some("basin" | "wastewater" | "reflecting_pool" | "fountain" | "moat")
            ) || get("landuse") == Some("basin");
            return (!unreachable).then(|| (NatureClass::Shore, said("natural", "water")));
        }
        _ => {}
    }
    match get("waterway") {
        Some(v @ ("river" | "riverbank")) => Some((NatureClass::Shore, said("waterway", v))),
        _ => None,
    }
}

/// Forest smaller than this is a copse, not "the forest", in hectares: FAO's definition of
/// forest ("land spanning more than 0.5 hectares with trees higher than 5 metres and a
/// canopy cover of more than 10 percent", *Global Forest Resources Assessment*, Terms and
/// Definitions, 2020). A copse still counts as green.
pub const FOREST_MIN_HA: f64 = 0.5;

/// `landuse=grass` smaller than this is a verge, not a green space, in hectares.
pub const GRASS_MIN_HA: f64 = 0.5;

/// What a planner asks nature coverage about (issue 22 item 3): homes within N minutes of
/// (a) a green area of at least 0.5 ha (the WHO guideline's proxy: ≥ 0.5 ha within 300 m;
/// WHO Regional Office for Europe, *Urban green spaces: a brief for action*, 2017), (b) one of
/// at least 1 ha, (c) the forest edge, (d) a shore or bathing place. Forest counts as green.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NatureTarget {
    Green,
    Green1ha,
    Forest,
    Shore,
}

impl NatureTarget {
    pub const ALL: [NatureTarget; 4] = [
        NatureTarget::Green,
        NatureTarget::Green1ha,
        NatureTarget::Forest,
        NatureTarget::Shore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NatureTarget::Green => "green",
            NatureTarget::Green1ha => "green_1ha",
            NatureTarget::Forest => "forest",
            NatureTarget::Shore => "shore",
        }
    }

    pub fn parse(s: &str) -> Option<NatureTarget> {
        NatureTarget::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label_nb(self) -> &'static str {
        match self {
            NatureTarget::Green => "Grøntområde på minst 0,5 ha",
            NatureTarget::Green1ha => "Grøntområde på minst 1 ha",
            NatureTarget::Forest => "Skogkanten",
            NatureTarget::Shore => "Strand, badeplass eller vannkant",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            NatureTarget::Green => "Green area of at least 0.5 ha",
            NatureTarget::Green1ha => "Green area of at least 1 ha",
            NatureTarget::Forest => "Forest edge",
            NatureTarget::Shore => "Shore, beach or bathing place",
        }
    }

    /// The question a resident's "nearest of this class" answers: any green area, the
    /// forest (of at least [`FOREST_MIN_HA`]), any shore.
    pub fn nearest_of(class: NatureClass) -> impl Fn(NatureClass, f64) -> bool {
        move |c, ha| match class {
            NatureClass::Forest => NatureTarget::Forest.matches(c, ha),
            _ => c == class,
        }
    }

    /// The smallest area that answers this question, in hectares (0: any).
    pub fn min_ha(self) -> f64 {
        match self {
            NatureTarget::Green | NatureTarget::Forest => 0.5,
            NatureTarget::Green1ha => 1.0,
            NatureTarget::Shore => 0.0,
        }
    }

    /// Whether an area of `class` and `area_ha` answers this question.
    pub fn matches(self, class: NatureClass, area_ha: f64) -> bool {
        match self {
            NatureTarget::Green => {
                matches!(class, NatureClass::Green | NatureClass::Forest) && area_ha >= 0.5
            }
            NatureTarget::Green1ha => {
                matches!(class, NatureClass::Green | NatureClass::Forest) && area_ha >= 1.0
            }
            NatureTarget::Forest => class == NatureClass::Forest && area_ha >= FOREST_MIN_HA,
            NatureTarget::Shore => class == NatureClass::Shore,
        }
    }
}

/// A nature area as stored: its outline (areas) or line (a river's centre line, the
/// coastline) in lon/lat.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NatureArea {
    pub id: i64,
    pub class: NatureClass,
    /// The OSM tag that made it this class (`leisure=park`); for merged pieces, the largest
    /// piece's.
    pub tag: String,
    pub name: Option<String>,
    /// Size in hectares (0 for lines).
    pub area_ha: f64,
    /// A point inside it (or on its line), for labels and lists.
    pub position: LonLat,
    pub source: SourceRef,
    #[serde(skip)]
    pub geometry: NatureGeometry,
}

/// An area's outline, a line for water drawn as one, or a point (a bathing place).
#[derive(Debug, Clone, PartialEq)]
pub enum NatureGeometry {
    Area(geo::MultiPolygon<f64>),
    Line(geo::MultiLineString<f64>),
    Point(LonLat),
}

impl Default for NatureGeometry {
    fn default() -> Self {
        NatureGeometry::Area(geo::MultiPolygon(Vec::new()))
    }
}

impl NatureGeometry {
    /// Lines and points are reached from a path within [`NatureClass::touch_m`]`(true)`.
    pub fn is_line(&self) -> bool {
        matches!(self, NatureGeometry::Line(_) | NatureGeometry::Point(_))
    }

    /// The lines along which the area is reached: each polygon's rings (outer and inner: a
    /// lake inside a park is an edge too), or the line itself.
    pub fn edges(&self) -> Vec<&geo::LineString<f64>> {
        match self {
            NatureGeometry::Area(mp) => {
                mp.0.iter()
                    .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                    .collect()
            }
            NatureGeometry::Line(ml) => ml.0.iter().collect(),
            NatureGeometry::Point(_) => Vec::new(),
        }
    }

    pub fn to_geo(&self) -> geo::Geometry<f64> {
        match self {
            NatureGeometry::Area(mp) => geo::Geometry::MultiPolygon(mp.clone()),
            NatureGeometry::Line(ml) => geo::Geometry::MultiLineString(ml.clone()),
            NatureGeometry::Point(p) => geo::Geometry::Point(geo::Point::new(p.lon, p.lat)),
        }
    }
}

/// A nature area as an importer produces it, before the store gives it an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNatureArea {
    pub class: NatureClass,
    pub tag: String,
    pub name: Option<String>,
    pub area_ha: f64,
    pub position: LonLat,
    /// `way/12`, `relation/5`; merged pieces take the largest piece's id.
    pub source_id: String,
    pub geometry: NatureGeometry,
}
