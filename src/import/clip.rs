//! Cutting a large OSM extract (a region's, or Norway's) to one kommune while reading it,
//! the way `osmium extract --strategy complete_ways` does: every node inside the area, every
//! way with at least one such node (whole, with all its nodes), and every relation with such
//! a node or way as a member. So no external tool is needed, and memory follows the kommune,
//! not the file: the first two passes keep only ids.
//!
//! The area is the kommune's polygon widened by a buffer (default 3 km, so schools, halls
//! and paths just across the border that residents use are kept), buffered in local metres
//! (`LocalMetres`) with geo's `Buffer`.

use std::collections::HashSet;
use std::path::Path;

use geo::{BoundingRect, Buffer, Contains, MultiPolygon};
use osmpbf::{Element, ElementReader, RelMemberType};

use super::ImportError;
use crate::index::partition::LocalMetres;

/// The default widening of a kommune's polygon, in metres.
pub const DEFAULT_BUFFER_M: f64 = 3000.0;

/// The area to keep, in lon/lat.
#[derive(Debug, Clone)]
pub struct Clip {
    pub area: MultiPolygon<f64>,
    pub bounds: geo::Rect<f64>,
}

impl Clip {
    /// `boundary` (lon/lat) widened by `buffer_m` metres.
    pub fn around(boundary: &MultiPolygon<f64>, buffer_m: f64) -> Clip {
        let points: Vec<crate::domain::LonLat> = boundary
            .0
            .iter()
            .flat_map(|p| p.exterior().0.iter())
            .map(|c| crate::domain::LonLat::new(c.x, c.y))
            .collect();
        let local = LocalMetres::around(&points);
        let metric = local.polygon_to_metres(boundary);
        let widened = if buffer_m > 0.0 {
            metric.buffer(buffer_m)
        } else {
            metric
        };
        let area = local.polygon_to_lonlat(&widened);
        let bounds = area.bounding_rect().unwrap_or(geo::Rect::new(
            geo::coord! { x: 0.0, y: 0.0 },
            geo::coord! { x: 0.0, y: 0.0 },
        ));
        Clip { area, bounds }
    }

    /// The first polygon feature's geometry of a GeoJSON file (lon/lat), widened.
    pub fn from_file(path: &Path, buffer_m: f64) -> Result<Clip, ImportError> {
        let boundary = super::districts::read_boundary(path)?;
        Ok(Clip::around(&boundary, buffer_m))
    }

    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let c = geo::coord! { x: lon, y: lat };
        self.bounds.min().x <= lon
            && lon <= self.bounds.max().x
            && self.bounds.min().y <= lat
            && lat <= self.bounds.max().y
            && self.area.contains(&c)
    }
}

/// What to keep of the file.
#[derive(Debug, Default)]
pub struct Keep {
    pub nodes: HashSet<i64>,
    pub ways: HashSet<i64>,
    pub relations: HashSet<i64>,
}

/// The first two passes: the ids of the nodes, ways and relations to keep.
pub fn select(path: &Path, clip: &Clip) -> Result<Keep, ImportError> {
    let damaged =
        |e: osmpbf::Error| ImportError::file(path, format!("not a readable OSM PBF file: {e}"));
    // Pass 1: the nodes inside.
    let inside: HashSet<i64> = ElementReader::from_path(path)
        .map_err(damaged)?
        .par_map_reduce(
            |e| match e {
                Element::Node(n) if clip.contains(n.lon(), n.lat()) => vec![n.id()],
                Element::DenseNode(n) if clip.contains(n.lon(), n.lat()) => vec![n.id()],
                _ => Vec::new(),
            },
            Vec::new,
            |mut a, b| {
                a.extend(b);
                a
            },
        )
        .map_err(damaged)?
        .into_iter()
        .collect();
    // Pass 2: the ways with a node inside (with all their nodes), and the relations with a
    // kept member: kept at once when a node member is inside (an empty list), else listed
    // with their way members and kept when one of those is kept.
    let (ways, way_nodes, relations) = ElementReader::from_path(path)
        .map_err(damaged)?
        .par_map_reduce(
            |e| match e {
                Element::Way(w) if w.refs().any(|r| inside.contains(&r)) => {
                    (vec![w.id()], w.refs().collect::<Vec<_>>(), Vec::new())
                }
                Element::Relation(r)
                    if r.members().any(|m| {
                        m.member_type == RelMemberType::Node && inside.contains(&m.member_id)
                    }) =>
                {
                    (Vec::new(), Vec::new(), vec![(r.id(), Vec::new())])
                }
                Element::Relation(r) => {
                    let ways: Vec<i64> = r
                        .members()
                        .filter(|m| m.member_type == RelMemberType::Way)
                        .map(|m| m.member_id)
                        .collect();
                    if ways.is_empty() {
                        (Vec::new(), Vec::new(), Vec::new())
                    } else {
                        (Vec::new(), Vec::new(), vec![(r.id(), ways)])
                    }
                }
                _ => (Vec::new(), Vec::new(), Vec::new()),
            },
            || (Vec::new(), Vec::new(), Vec::new()),
            |mut a, b| {
                a.0.extend(b.0);
                a.1.extend(b.1);
                a.2.extend(b.2);
                a
            },
        )
        .map_err(damaged)?;
    let ways: HashSet<i64> = ways.into_iter().collect();
    let relations = relations
        .into_iter()
        .filter(|(_, members)| members.is_empty() || members.iter().any(|w| ways.contains(w)))
        .map(|(id, _)| id)
        .collect();
    let mut nodes = inside;
    nodes.extend(way_nodes);
    Ok(Keep {
        nodes,
        ways,
        relations,
    })
}
