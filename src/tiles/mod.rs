//! Mapbox Vector Tiles (2.1) for the product's layers, cut from the in-memory snapshot:
//! z/x/y maths in Web Mercator, points kept in the one tile that contains them, polygons
//! clipped to the tile plus a buffer and simplified for the zoom. No I/O here.

pub mod hexagons;

use geo::{BooleanOps, Orient, Simplify};
use mvt::{GeomEncoder, GeomType, Tile};

use crate::domain::{Bbox, LonLat};
use crate::index::Snapshot;

/// Tile units per side, as MVT 2.1 and MapLibre use by default.
pub const EXTENT: u32 = 4096;
/// How far polygons reach past the tile edge, in tile units.
pub const BUFFER: f64 = 64.0;
pub const MAX_ZOOM: u8 = 22;
/// Address points start at this zoom: below it a tile would hold thousands of points that
/// no one can tell apart.
pub const ADDRESSES_MIN_ZOOM: u8 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    #[error("zoom {0} is outside 0..=22")]
    Zoom(i64),
    #[error("x {x} or y {y} is outside 0..{n} for zoom {z}")]
    OutOfRange { z: u8, x: i64, y: i64, n: u64 },
}

impl TileId {
    pub fn new(z: i64, x: i64, y: i64) -> Result<TileId, TileError> {
        if !(0..=MAX_ZOOM as i64).contains(&z) {
            return Err(TileError::Zoom(z));
        }
        let n = 1u64 << z;
        if x < 0 || y < 0 || x as u64 >= n || y as u64 >= n {
            return Err(TileError::OutOfRange {
                z: z as u8,
                x,
                y,
                n,
            });
        }
        Ok(TileId {
            z: z as u8,
            x: x as u32,
            y: y as u32,
        })
    }

    fn n(&self) -> f64 {
        (1u64 << self.z) as f64
    }

    /// The tile of zoom `z` (at most [`MAX_ZOOM`]) holding `p` (Web Mercator, OSM's
    /// slippy-map numbering).
    pub fn containing(p: LonLat, z: u8) -> TileId {
        let z = z.min(MAX_ZOOM);
        let n = (1u64 << z) as f64;
        let x = ((p.lon + 180.0) / 360.0 * n).floor();
        let lat = p.lat.to_radians();
        let y =
            ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
        let clamp = |v: f64| v.clamp(0.0, n - 1.0) as u32;
        TileId {
            z,
            x: clamp(x),
            y: clamp(y),
        }
    }

    /// The tile's bounds in lon/lat.
    pub fn bounds(&self) -> Bbox {
        let n = self.n();
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| {
            (std::f64::consts::PI * (1.0 - 2.0 * y / n))
                .sinh()
                .atan()
                .to_degrees()
        };
        Bbox {
            min_lon: lon(self.x as f64),
            max_lon: lon(self.x as f64 + 1.0),
            min_lat: lat(self.y as f64 + 1.0),
            max_lat: lat(self.y as f64),
        }
    }

    /// `p` in this tile's units: (0, 0) is the north-west corner, (4096, 4096) the south-east.
    pub fn to_tile(&self, p: LonLat) -> (f64, f64) {
        let n = self.n();
        let x = (p.lon + 180.0) / 360.0 * n;
        let lat = p.lat.clamp(-85.051_128_78, 85.051_128_78).to_radians();
        let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n;
        (
            (x - self.x as f64) * EXTENT as f64,
            (y - self.y as f64) * EXTENT as f64,
        )
    }

    /// The bounds grown by `units` tile units on every side, in lon/lat.
    pub(crate) fn buffered_bounds(&self, units: f64) -> Bbox {
        let b = self.bounds();
        let dlon = (b.max_lon - b.min_lon) * units / EXTENT as f64;
        let dlat = (b.max_lat - b.min_lat) * units / EXTENT as f64;
        Bbox {
            min_lon: b.min_lon - dlon,
            max_lon: b.max_lon + dlon,
            min_lat: b.min_lat - dlat,
            max_lat: b.max_lat + dlat,
        }
    }
}

/// The layers served as tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Facilities,
    Addresses,
    Districts,
    /// Residents' published proposals (issue 15): they follow every edit, so their tiles
    /// are cached with the snapshot, not with the base.
    Proposals,
    /// Green areas, forest and shores (issue 22): areas, lines (rivers) and points
    /// (bathing places).
    Nature,
}

impl Layer {
    pub const ALL: [Layer; 5] = [
        Layer::Facilities,
        Layer::Addresses,
        Layer::Districts,
        Layer::Proposals,
        Layer::Nature,
    ];

    pub fn parse(name: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Layer::Facilities => "facilities",
            Layer::Addresses => "addresses",
            Layer::Districts => "districts",
            Layer::Proposals => "proposals",
            Layer::Nature => "nature",
        }
    }

    pub fn min_zoom(self) -> u8 {
        match self {
            Layer::Addresses => ADDRESSES_MIN_ZOOM,
            Layer::Facilities | Layer::Districts | Layer::Proposals | Layer::Nature => 0,
        }
    }

    /// The attributes each feature carries, for TileJSON's `vector_layers`.
    pub fn fields(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Layer::Facilities => &[
                ("id", "Number"),
                ("name", "String"),
                ("kind", "String"),
                ("kind_label_nb", "String"),
                ("kind_label_en", "String"),
                ("district", "String"),
            ],
            Layer::Addresses => &[
                ("id", "Number"),
                ("label", "String"),
                ("district", "String"),
            ],
            Layer::Districts => &[("id", "String"), ("name", "String"), ("level", "String")],
            Layer::Proposals => &[
                ("id", "Number"),
                ("category", "String"),
                ("status", "String"),
                ("supports", "Number"),
                ("title", "String"),
            ],
            Layer::Nature => &[
                ("id", "Number"),
                ("class", "String"),
                ("class_label_nb", "String"),
                ("class_label_en", "String"),
                ("name", "String"),
                ("tag", "String"),
                ("area_ha", "Number"),
            ],
        }
    }
}

/// True when the point falls in the tile: west and north edges in, east and south out, so
/// that every point is in exactly one tile of a zoom.
fn owns(t: &TileId, p: LonLat) -> bool {
    let (x, y) = t.to_tile(p);
    (0.0..EXTENT as f64).contains(&x) && (0.0..EXTENT as f64).contains(&y)
}

/// The indices of the layer's points that belong to the tile, in id order.
pub fn points_in(s: &Snapshot, layer: Layer, t: &TileId) -> Vec<u32> {
    let candidates = match layer {
        Layer::Facilities => s.facilities_in(&t.bounds()),
        Layer::Addresses => s.addresses_in(&t.bounds()),
        Layer::Proposals => s.proposals.in_bbox(&t.bounds()),
        Layer::Districts | Layer::Nature => return Vec::new(),
    };
    let position = |i: u32| match layer {
        Layer::Facilities => s.facilities[i as usize].position,
        Layer::Proposals => {
            let p = &s.proposals.items[i as usize];
            LonLat::new(p.lon, p.lat)
        }
        _ => s.addresses[i as usize].position,
    };
    candidates
        .into_iter()
        .filter(|&i| owns(t, position(i)))
        .collect()
}

fn point_geometry(t: &TileId, p: LonLat) -> mvt::GeomData {
    let (x, y) = t.to_tile(p);
    GeomEncoder::new(GeomType::Point)
        .point(x, y)
        .and_then(|e| e.encode())
        .expect("a point inside the tile always encodes")
}

/// Encoded tiles of one snapshot, so that a tile is cut once per data version. Lives in the
/// snapshot: a reload starts a new, empty cache, which is all the invalidation it needs.
#[derive(Debug, Default)]
pub struct TileCache {
    inner: std::sync::Mutex<CacheInner>,
}

#[derive(Debug, Default)]
struct CacheInner {
    tiles: std::collections::HashMap<(Layer, TileId), Option<EncodedTile>>,
    bytes: usize,
}

/// A tile's bytes and its ETag (a hash of the bytes, so it changes exactly when they do).
#[derive(Debug, Clone)]
pub struct EncodedTile {
    pub bytes: bytes::Bytes,
    pub etag: String,
}

/// FNV-1a, 64 bits: a cheap, stable hash for ETags (not for security).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The most bytes of tiles kept per snapshot; past it the cache starts again empty.
const CACHE_MAX_BYTES: usize = 64 << 20;

impl TileCache {
    /// The tile from the cache, or encoded now and kept.
    pub fn get_or_encode(&self, s: &Snapshot, layer: Layer, t: &TileId) -> Option<EncodedTile> {
        if let Some(hit) = self
            .inner
            .lock()
            .expect("tile cache lock")
            .tiles
            .get(&(layer, *t))
        {
            return hit.clone();
        }
        let tile = encode(s, layer, t).map(|b| EncodedTile {
            etag: format!("\"{:016x}\"", fnv1a(&b)),
            bytes: b.into(),
        });
        let mut inner = self.inner.lock().expect("tile cache lock");
        let size = tile.as_ref().map_or(0, |b| b.bytes.len()) + 64;
        if inner.bytes + size > CACHE_MAX_BYTES {
            inner.tiles.clear();
            inner.bytes = 0;
        }
        inner.bytes += size;
        inner.tiles.insert((layer, *t), tile.clone());
        tile
    }
}

/// The tile plus its buffer on every side, in tile units: what lines and areas are clipped to.
pub(crate) fn buffered_rect() -> geo::Polygon<f64> {
    geo::Rect::new(
        geo::coord! { x: -BUFFER, y: -BUFFER },
        geo::coord! { x: EXTENT as f64 + BUFFER, y: EXTENT as f64 + BUFFER },
    )
    .to_polygon()
}

/// Polygons in tile units as one MVT geometry: oriented as MVT 2.1 wants (exterior rings
/// positive by the surveyor's formula in tile coordinates), rings implicitly closed.
/// `None` when nothing drawable is left.
pub(crate) fn polygon_geometry(polygons: &[geo::Polygon<f64>]) -> Option<mvt::GeomData> {
    let mut encoder = GeomEncoder::new(GeomType::Polygon);
    for p in polygons {
        let p = p.orient(geo::orient::Direction::Default);
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            if ring.0.len() < 4 {
                continue;
            }
            // Leave out the repeated first point.
            for c in &ring.0[..ring.0.len() - 1] {
                encoder.add_point(c.x, c.y).ok()?;
            }
            encoder.complete_geom().ok()?;
        }
    }
    encoder.encode().ok().filter(|g| !g.is_empty())
}

/// What a facility tile tells of opening hours when a request asks (`open_now`, `open_at`):
/// per facility index, `None` to leave it out, else its `open` state (`None`: unknown) and
/// its `next_change` (RFC 3339).
pub type OpenTags<'a> = &'a dyn Fn(u32) -> Option<(Option<bool>, Option<String>)>;

/// The facilities layer of one tile with each facility's `open` (absent when unknown) and
/// `next_change`, keeping only those `open` keeps; `None` when none is left. Not cached:
/// the answer depends on the time.
pub fn encode_facilities_open(s: &Snapshot, t: &TileId, open: OpenTags) -> Option<Vec<u8>> {
    let mut tile = Tile::new(EXTENT);
    let out = facility_features(
        s,
        t,
        tile.create_layer(Layer::Facilities.name()),
        Some(open),
    );
    if out.num_features() == 0 {
        return None;
    }
    tile.add_layer(out).ok()?;
    tile.to_bytes().ok()
}

fn facility_features(
    s: &Snapshot,
    t: &TileId,
    mut out: mvt::Layer,
    open: Option<OpenTags>,
) -> mvt::Layer {
    for i in points_in(s, Layer::Facilities, t) {
        let state = match open {
            Some(open) => match open(i) {
                Some(state) => Some(state),
                None => continue,
            },
            None => None,
        };
        let f = &s.facilities[i as usize];
        let mut feature = out.into_feature(point_geometry(t, f.position));
        feature.set_id(f.id as u64);
        feature.add_tag_uint("id", f.id as u64);
        if let Some(name) = &f.name {
            feature.add_tag_string("name", name);
        }
        feature.add_tag_string("kind", f.kind.as_str());
        feature.add_tag_string("kind_label_nb", f.kind.label_nb());
        feature.add_tag_string("kind_label_en", f.kind.label_en());
        if let Some(d) =
            s.facility_district[i as usize].map(|d| s.districts[d as usize].name.as_str())
        {
            feature.add_tag_string("district", d);
        }
        if let Some((is_open, next)) = state {
            if let Some(is_open) = is_open {
                feature.add_tag_bool("open", is_open);
            }
            if let Some(next) = next {
                feature.add_tag_string("next_change", &next);
            }
        }
        out = feature.into_layer();
    }
    out
}

/// Encodes one layer of one tile; `None` when the tile has nothing in it.
pub fn encode(s: &Snapshot, layer: Layer, t: &TileId) -> Option<Vec<u8>> {
    if t.z < layer.min_zoom() {
        return None;
    }
    let mut tile = Tile::new(EXTENT);
    let mut out = tile.create_layer(layer.name());
    let district_name = |d: Option<u32>| d.map(|d| s.districts[d as usize].name.as_str());
    match layer {
        Layer::Facilities => out = facility_features(s, t, out, None),
        Layer::Addresses => {
            for i in points_in(s, layer, t) {
                let a = &s.addresses[i as usize];
                let mut feature = out.into_feature(point_geometry(t, a.position));
                feature.set_id(a.id as u64);
                feature.add_tag_uint("id", a.id as u64);
                feature.add_tag_string("label", &a.label());
                if let Some(d) = district_name(s.address_district[i as usize]) {
                    feature.add_tag_string("district", d);
                }
                out = feature.into_layer();
            }
        }
        Layer::Proposals => {
            for i in points_in(s, layer, t) {
                let p = &s.proposals.items[i as usize];
                let mut feature = out.into_feature(point_geometry(t, LonLat::new(p.lon, p.lat)));
                feature.set_id(p.id as u64);
                feature.add_tag_uint("id", p.id as u64);
                feature.add_tag_string("category", p.category.as_str());
                feature.add_tag_string("status", p.status.as_str());
                feature.add_tag_uint("supports", p.supports.max(0) as u64);
                feature.add_tag_string("title", &p.title);
                out = feature.into_layer();
            }
        }
        Layer::Districts => {
            let clip_box = t.buffered_bounds(BUFFER);
            let tile_rect = buffered_rect();
            for (k, i) in s.districts_in(&clip_box).into_iter().enumerate() {
                let d = &s.districts[i as usize];
                let in_tile = geo::MapCoords::map_coords(&d.geometry, |c| {
                    let (x, y) = t.to_tile(LonLat::new(c.x, c.y));
                    geo::coord! { x: x, y: y }
                });
                // Simplify to half a tile unit, then cut to the tile and its buffer.
                let clipped = in_tile
                    .simplify(0.5)
                    .intersection(&geo::MultiPolygon(vec![tile_rect.clone()]));
                let Some(geometry) = polygon_geometry(&clipped.0) else {
                    continue;
                };
                let mut feature = out.into_feature(geometry);
                feature.set_id(k as u64 + 1);
                feature.add_tag_string("id", &d.id);
                feature.add_tag_string("name", &d.name);
                feature.add_tag_string("level", &d.level);
                feature.add_tag_string("code", &d.code);
                if let Some(p) = d.parent {
                    feature.add_tag_string("parent_id", &s.districts[p as usize].id);
                }
                out = feature.into_layer();
            }
        }
        Layer::Nature => out = nature_features(s, t, out),
    }
    if out.num_features() == 0 {
        return None;
    }
    tile.add_layer(out).expect("a layer made by this tile");
    Some(
        tile.to_bytes()
            .expect("writing a tile to memory cannot fail"),
    )
}

/// The nature layer of one tile: areas cut to the tile and its buffer, lines clipped to it,
/// points in the tile that owns them.
fn nature_features(s: &Snapshot, t: &TileId, mut out: mvt::Layer) -> mvt::Layer {
    use crate::domain::nature::NatureGeometry;
    use geo::{BooleanOps, BoundingRect, Simplify};
    let clip_box = t.buffered_bounds(BUFFER);
    let tile_rect = geo::MultiPolygon(vec![buffered_rect()]);
    let to_tile = |c: geo::Coord<f64>| {
        let (x, y) = t.to_tile(LonLat::new(c.x, c.y));
        geo::coord! { x: x, y: y }
    };
    for n in &s.nature {
        let geometry = match &n.geometry {
            NatureGeometry::Point(p) => {
                if !owns(t, *p) {
                    continue;
                }
                Some(point_geometry(t, *p))
            }
            g => {
                let Some(r) = g.to_geo().bounding_rect() else {
                    continue;
                };
                let bbox = Bbox {
                    min_lon: r.min().x,
                    min_lat: r.min().y,
                    max_lon: r.max().x,
                    max_lat: r.max().y,
                };
                if !bbox.intersects(&clip_box) {
                    continue;
                }
                match g {
                    NatureGeometry::Area(mp) => {
                        let in_tile = geo::MapCoords::map_coords(mp, to_tile);
                        let clipped = in_tile.simplify(0.5).intersection(&tile_rect);
                        polygon_geometry(&clipped.0)
                    }
                    NatureGeometry::Line(ml) => {
                        let in_tile = geo::MapCoords::map_coords(ml, to_tile);
                        let clipped = tile_rect.clip(&in_tile.simplify(0.5), false);
                        line_geometry(&clipped)
                    }
                    NatureGeometry::Point(_) => None,
                }
            }
        };
        let Some(geometry) = geometry else {
            continue;
        };
        let mut feature = out.into_feature(geometry);
        feature.set_id(n.id as u64);
        feature.add_tag_uint("id", n.id as u64);
        feature.add_tag_string("class", n.class.as_str());
        feature.add_tag_string("class_label_nb", n.class.label_nb());
        feature.add_tag_string("class_label_en", n.class.label_en());
        if let Some(name) = &n.name {
            feature.add_tag_string("name", name);
        }
        feature.add_tag_string("tag", &n.tag);
        if n.area_ha > 0.0 {
            feature.add_tag_double("area_ha", (n.area_ha * 100.0).round() / 100.0);
        }
        out = feature.into_layer();
    }
    out
}

/// Lines in tile units as one MVT geometry; `None` when nothing drawable is left.
fn line_geometry(lines: &geo::MultiLineString<f64>) -> Option<mvt::GeomData> {
    let mut encoder = GeomEncoder::new(GeomType::Linestring);
    for l in &lines.0 {
        if l.0.len() < 2 {
            continue;
        }
        for c in &l.0 {
            encoder.add_point(c.x, c.y).ok()?;
        }
        encoder.complete_geom().ok()?;
    }
    encoder.encode().ok().filter(|g| !g.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_maths() {
        let t = TileId::new(0, 0, 0).unwrap();
        let b = t.bounds();
        assert!((b.min_lon + 180.0).abs() < 1e-9 && (b.max_lat - 85.0511287798).abs() < 1e-6);
        let (x, y) = t.to_tile(LonLat::new(0.0, 0.0));
        assert!((x - 2048.0).abs() < 1e-9 && (y - 2048.0).abs() < 1e-9);
        // Oslo's city hall at zoom 14 is in tile 8680/4765, as slippy-map tools number it.
        let oslo = LonLat::new(10.7336, 59.9117);
        let t = TileId::new(14, 8680, 4765).unwrap();
        let (x, y) = t.to_tile(oslo);
        assert!(
            (0.0..4096.0).contains(&x) && (0.0..4096.0).contains(&y),
            "{x} {y}"
        );
        assert!(t.bounds().contains(oslo));
        assert_eq!(TileId::new(23, 0, 0), Err(TileError::Zoom(23)));
        assert!(TileId::new(2, 4, 0).is_err() && TileId::new(2, 0, -1).is_err());
    }
}
