//! Kartverket's "Matrikkelen adresse" CSV, exactly as published on Geonorge:
//! `;`-separated, UTF-8 with a byte-order mark, coordinates `Nord`/`Øst` in the CRS named
//! per row by `EPSG-kode`: northing/easting in metres for the UTM zones 25832, 25833 and
//! 25835, **latitude/longitude** in degrees for 4258 (ETRS89). Both layouts are read: the
//! full 46-column file and the slimmer "Vegadresse" file (its first 21 columns: no
//! grunnkrets). The access point (`atkomstNord`/`atkomstØst`, same CRS) is kept where given.

use std::collections::BTreeSet;
use std::path::Path;

use indicatif::ProgressBar;

use super::projection::UtmToWgs84;
use super::{ImportError, Lines, csv_error, find_column, read_file};
use crate::domain::NewAddress;

/// The columns the importer needs; any other column is ignored.
const REQUIRED: [&str; 11] = [
    "lokalid",
    "kommunenummer",
    "adressenavn",
    "nummer",
    "bokstav",
    "adresseTekst",
    "EPSG-kode",
    "Nord",
    "Øst",
    "postnummer",
    "poststed",
];

/// Columns read when present: the full file has them, the Vegadresse file has not; the
/// access point is filled for some rows only.
const OPTIONAL: [&str; 4] = [
    "grunnkretsnummer",
    "grunnkretsnavn",
    "atkomstNord",
    "atkomstØst",
];

#[derive(Debug, Default)]
pub struct MatrikkelData {
    pub addresses: Vec<NewAddress>,
    /// The municipality numbers seen, e.g. `{"3301"}`.
    pub municipalities: BTreeSet<String>,
}

pub fn read(path: &Path, progress: &ProgressBar) -> Result<MatrikkelData, ImportError> {
    let bytes = read_file(path)?;
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&bytes);
    progress.set_length(body.len() as u64);

    let mut csv = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(true)
        .from_reader(body);
    let headers: Vec<String> = csv
        .byte_headers()
        .map_err(|e| csv_error(path, body, e))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .collect();
    if headers.len() < 2 {
        return Err(ImportError::line(
            path,
            1,
            "the header is not `;`-separated: expected Kartverket's Matrikkelen adresse CSV",
        ));
    }
    let mut col = [0usize; REQUIRED.len()];
    for (slot, name) in col.iter_mut().zip(REQUIRED) {
        *slot = find_column(&headers, &[name]).ok_or_else(|| {
            ImportError::line(
                path,
                1,
                format!("missing column {name:?}: expected Kartverket's Matrikkelen adresse CSV"),
            )
        })?;
    }
    let [
        lokalid,
        kommune,
        gate,
        nummer,
        bokstav,
        tekst,
        epsg,
        nord,
        ost,
        postnr,
        poststed,
    ] = col;
    let [gk_nr, gk_navn, access_nord, access_ost] =
        OPTIONAL.map(|name| find_column(&headers, &[name]));
    if access_nord.is_some() != access_ost.is_some() {
        return Err(ImportError::line(
            path,
            1,
            "only one of the columns atkomstNord and atkomstØst: expected both or neither",
        ));
    }

    let projection = UtmToWgs84::new();
    let mut data = MatrikkelData::default();
    let mut seen = std::collections::HashSet::new();
    let mut record = csv::ByteRecord::new();
    let mut lines = Lines::new(body);
    while csv
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, body, e))?
    {
        let line = lines.at(record.position());
        if line.is_multiple_of(1024) {
            progress.set_position(record.position().map(|p| p.byte()).unwrap_or(0));
        }
        let field = |i: usize| -> Result<&str, ImportError> {
            let raw = record.get(i).unwrap_or_default();
            std::str::from_utf8(raw).map(str::trim).map_err(|_| {
                ImportError::line(
                    path,
                    line,
                    format!("column {:?} is not valid UTF-8", headers[i]),
                )
            })
        };
        let optional = |i: usize| -> Result<Option<String>, ImportError> {
            Ok(Some(field(i)?)
                .filter(|s| !s.is_empty())
                .map(str::to_string))
        };
        let optional_column = |i: Option<usize>| match i {
            Some(i) => optional(i),
            None => Ok(None),
        };
        let number_of = |i: usize| -> Result<f64, ImportError> {
            let s = field(i)?;
            s.replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    ImportError::line(
                        path,
                        line,
                        format!("column {:?} is {s:?}, not a number", headers[i]),
                    )
                })
        };

        let id = field(lokalid)?;
        if id.is_empty() {
            return Err(ImportError::line(path, line, "empty lokalid"));
        }
        if !seen.insert(id.to_string()) {
            return Err(ImportError::line(
                path,
                line,
                format!("lokalid {id} appears twice"),
            ));
        }
        let code_text = field(epsg)?;
        let code: u32 = code_text.parse().map_err(|_| {
            ImportError::line(
                path,
                line,
                format!("EPSG-kode {code_text:?} is not a number"),
            )
        })?;
        let place = |ost: usize, nord: usize| -> Result<crate::domain::LonLat, ImportError> {
            Ok(projection
                .to_lonlat(code, number_of(ost)?, number_of(nord)?)
                .map_err(|reason| ImportError::line(path, line, reason))?
                .rounded())
        };
        let position = place(ost, nord)?;
        let access = match (access_ost, access_nord) {
            (Some(ao), Some(an)) if !field(ao)?.is_empty() || !field(an)?.is_empty() => {
                Some(place(ao, an)?)
            }
            _ => None,
        };

        // A matrikkeladresse has no street name; its text (e.g. "19/1") is what residents see.
        let (street, number) = match optional(gate)? {
            Some(street) => (street, format!("{}{}", field(nummer)?, field(bokstav)?)),
            None => (field(tekst)?.to_string(), String::new()),
        };
        if street.is_empty() {
            return Err(ImportError::line(
                path,
                line,
                "neither adressenavn nor adresseTekst is given",
            ));
        }
        let municipality = optional(kommune)?;
        if let Some(m) = &municipality {
            data.municipalities.insert(m.clone());
        }
        data.addresses.push(NewAddress {
            street,
            number,
            postcode: optional(postnr)?,
            city: optional(poststed)?,
            municipality_code: municipality,
            grunnkrets_code: optional_column(gk_nr)?,
            grunnkrets_name: optional_column(gk_navn)?,
            position,
            access,
            source_id: id.to_string(),
        });
    }
    if data.addresses.is_empty() {
        return Err(ImportError::file(
            path,
            "holds no addresses: refusing to replace the data with nothing",
        ));
    }
    Ok(data)
}
