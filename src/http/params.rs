//! Query-string parsing with problem+json errors that name the parameter.

use std::collections::HashMap;

use super::error::ApiError;
use crate::domain::Bbox;

/// Query parameters, each at most once, all of them known to the endpoint.
pub struct Params(HashMap<String, String>);

impl Params {
    /// True when the request named no parameter.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn parse(raw: Option<&str>, allowed: &'static [&'static str]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
            .map_err(|e| ApiError::invalid("query", format!("not a valid query string: {e}")))?;
        let mut map = HashMap::new();
        for (k, v) in pairs {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::UnknownParameter { name: k, allowed });
            }
            if map.insert(k.clone(), v).is_some() {
                return Err(ApiError::invalid(&k, "given more than once"));
            }
        }
        Ok(Params(map))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A whole number in `min..`, or `default` when absent.
    pub fn integer(&self, name: &str, default: u64, min: u64) -> Result<u64, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(s) => {
                let v: i128 = s
                    .trim()
                    .parse()
                    .map_err(|_| ApiError::invalid(name, format!("{s:?} is not a whole number")))?;
                if v < min as i128 {
                    return Err(ApiError::invalid(
                        name,
                        format!("must be at least {min}, got {v}"),
                    ));
                }
                Ok(u64::try_from(v).unwrap_or(u64::MAX))
            }
        }
    }

    /// `true` or `false`; `None` when absent. Errors: a 422 naming the parameter.
    /// `limit` (default `limits.default_limit`, at least 1, at most `limits.max_limit`) and
    /// `offset` (default 0) of a list of items, as OGC API – Features pages them.
    pub fn page(&self, limits: &crate::config::Limits) -> Result<(usize, usize), ApiError> {
        let limit = self
            .integer("limit", limits.default_limit, 1)?
            .min(limits.max_limit) as usize;
        let offset = self.integer("offset", 0, 0)?.min(u32::MAX as u64) as usize;
        Ok((limit, offset))
    }

    pub fn boolean(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(s) => Err(ApiError::invalid(
                name,
                format!("{s:?} is not true or false"),
            )),
        }
    }

    /// `true` or `false`, or `default` when absent.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        Ok(self.boolean(name)?.unwrap_or(default))
    }

    /// A search's `q` (required, at most `limits.max_query_chars`; `example` says what to
    /// give) and `limit` (default `default_limit`, at least 1, clamped to the search maximum).
    pub fn search(
        &self,
        limits: &crate::config::Limits,
        default_limit: u64,
        example: &str,
    ) -> Result<(&str, usize), ApiError> {
        let q = self
            .text("q", limits.max_query_chars)?
            .ok_or_else(|| ApiError::invalid("q", format!("give {example}")))?;
        let limit = self
            .integer("limit", default_limit, 1)?
            .min(limits.search_max_limit) as usize;
        Ok((q, limit))
    }

    /// Free text, at most `max_chars` characters.
    pub fn text(&self, name: &str, max_chars: usize) -> Result<Option<&str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(s) if s.chars().count() > max_chars => Err(ApiError::invalid(
                name,
                format!("longer than {max_chars} characters"),
            )),
            Some(s) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
        }
    }

    /// `bbox=`'s four numbers as given (a 6-number 3D box's heights dropped), in whatever CRS
    /// they are: `crs::bbox` reads them in `bbox-crs`.
    pub fn bbox_numbers(&self) -> Result<[f64; 4], ApiError> {
        let s = self.get("bbox").unwrap_or_default();
        let bad = |detail: String| ApiError::invalid("bbox", detail);
        let numbers: Vec<f64> = s
            .split(',')
            .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                bad(format!(
                    "{s:?} is not four numbers minlon,minlat,maxlon,maxlat"
                ))
            })?;
        match numbers[..] {
            [a, b, c, d] => Ok([a, b, c, d]),
            [a, b, _, d, e, _] => Ok([a, b, d, e]),
            _ => Err(bad(format!(
                "has {} numbers; expected minlon,minlat,maxlon,maxlat",
                numbers.len()
            ))),
        }
    }

    /// `bbox=minlon,minlat,maxlon,maxlat` in WGS84 (a 6-number 3D box is accepted, heights ignored).
    pub fn bbox(&self) -> Result<Option<Bbox>, ApiError> {
        if self.get("bbox").is_none() {
            return Ok(None);
        }
        let bad = |detail: String| ApiError::invalid("bbox", detail);
        let [min_lon, min_lat, max_lon, max_lat] = self.bbox_numbers()?;
        if !(-180.0..=180.0).contains(&min_lon) || !(-180.0..=180.0).contains(&max_lon) {
            return Err(bad("longitudes must lie within -180..180".into()));
        }
        if !(-90.0..=90.0).contains(&min_lat) || !(-90.0..=90.0).contains(&max_lat) {
            return Err(bad("latitudes must lie within -90..90".into()));
        }
        if min_lat > max_lat {
            return Err(bad(format!("minlat {min_lat} is above maxlat {max_lat}")));
        }
        if min_lon > max_lon {
            // OGC reads this as a box across the antimeridian; no Norwegian municipality
            // needs one, and it is far more often a mistake, so we say so.
            return Err(bad(format!(
                "minlon {min_lon} is east of maxlon {max_lon} (boxes across the antimeridian are not supported)"
            )));
        }
        Ok(Some(Bbox {
            min_lon,
            min_lat,
            max_lon,
            max_lat,
        }))
    }
}
