//! From the Norwegian UTM zones (ETRS89 / UTM, EPSG:25832, 25833, 25835) and from ETRS89
//! geographic coordinates (EPSG:4258) to WGS84 lon/lat.
//!
//! ETRS89 and WGS84 are taken as identical, as PROJ does for these codes by default; the
//! difference (well under a metre in Norway, drifting a few cm a year) is below what the
//! product needs, and it keeps results equal to `cs2cs EPSG:258xx EPSG:4326`.

use proj4rs::Proj;

use crate::domain::LonLat;

/// The EPSG codes of the address files Kartverket publishes.
pub const SUPPORTED_EPSG: [u32; 4] = [25832, 25833, 25835, 4258];

/// ETRS89 geographic: Kartverket writes latitude as `Nord` and longitude as `Øst`.
pub const ETRS89: u32 = 4258;

pub struct UtmToWgs84 {
    wgs84: Proj,
    zones: Vec<(u32, Proj)>,
}

impl Default for UtmToWgs84 {
    fn default() -> Self {
        Self::new()
    }
}

impl UtmToWgs84 {
    pub fn new() -> UtmToWgs84 {
        let wgs84 = Proj::from_proj_string("+proj=longlat +ellps=WGS84 +towgs84=0,0,0 +no_defs")
            .expect("a fixed, valid proj string");
        let zones = SUPPORTED_EPSG
            .iter()
            .filter(|&&code| code != ETRS89)
            .map(|&code| {
                let zone = code - 25800;
                let def =
                    format!("+proj=utm +zone={zone} +ellps=GRS80 +towgs84=0,0,0 +units=m +no_defs");
                (
                    code,
                    Proj::from_proj_string(&def).expect("a fixed, valid proj string"),
                )
            })
            .collect();
        UtmToWgs84 { wgs84, zones }
    }

    /// Converts easting/northing in metres in `epsg` to lon/lat in degrees; for 4258,
    /// `east_m`/`north_m` are longitude/latitude in degrees already (ETRS89 taken as WGS84).
    pub fn to_lonlat(&self, epsg: u32, east_m: f64, north_m: f64) -> Result<LonLat, String> {
        if epsg == ETRS89 {
            let p = LonLat::new(east_m, north_m);
            if !p.is_valid() {
                return Err(format!(
                    "({east_m}, {north_m}) is not a longitude/latitude in degrees, as EPSG:4258 needs"
                ));
            }
            return Ok(p);
        }
        let (_, proj) = self.zones.iter().find(|(c, _)| *c == epsg).ok_or_else(|| {
            format!(
                "unknown EPSG code {epsg} (supported: {})",
                SUPPORTED_EPSG.map(|c| c.to_string()).join(", ")
            )
        })?;
        let (lon, lat) = proj4rs::adaptors::transform_xy(proj, &self.wgs84, east_m, north_m)
            .map_err(|e| format!("cannot convert ({east_m}, {north_m}) from EPSG:{epsg}: {e}"))?;
        let p = LonLat::new(lon.to_degrees(), lat.to_degrees());
        if !p.is_valid() {
            return Err(format!(
                "({east_m}, {north_m}) in EPSG:{epsg} is not a place on Earth"
            ));
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oslo_city_hall_in_zone_32_and_33() {
        let t = UtmToWgs84::new();
        // Coarse: central Oslo in both zones. tests/import_addresses.rs checks against PROJ to 0.1 m.
        let p = t.to_lonlat(25833, 262_000.0, 6_650_000.0).unwrap();
        assert!(
            (p.lon - 10.7).abs() < 0.5 && (p.lat - 59.9).abs() < 0.5,
            "{p:?}"
        );
        let q = t.to_lonlat(25832, 597_000.0, 6_643_000.0).unwrap();
        assert!(
            (q.lon - 10.7).abs() < 0.5 && (q.lat - 59.9).abs() < 0.5,
            "{q:?}"
        );
        assert!(
            t.to_lonlat(4326, 10.0, 60.0)
                .unwrap_err()
                .contains("unknown EPSG code 4326")
        );
    }
}
