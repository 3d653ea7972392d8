//! The public proposals collection: GeoJSON, one item, CSV for the nærutvalg.

use super::*;
use crate::coverage::{ProposalCatchments, proposal_catchments};
use crate::http::programme::json_response;

/// The public properties of published proposal `i` of the snapshot.
fn public_properties(s: &crate::index::Snapshot, catchments: &ProposalCatchments, i: u32) -> Value {
    let ps = &s.proposals;
    let p = &ps.items[i as usize];
    let catchment = catchment_json(catchments.of(i));
    json!({
        "id": p.id,
        "category": p.category.as_str(),
        "category_label": { "nb": p.category.label("nb"), "en": p.category.label("en") },
        "title": p.title,
        "text": p.body,
        "status": p.status.as_str(),
        "status_label": { "nb": p.status.label("nb"), "en": p.status.label("en") },
        "supports": p.supports,
        "published": date_oslo(p.published_ms),
        "updated": date_oslo(p.updated_ms),
        "district": district_json(s, ps.district[i as usize]),
        "kommunedel": district_json(s, ps.kommunedel[i as usize]),
        "catchment": catchment,
        "answers": answers_json(&p.answers),
    })
}

fn feature(
    s: &crate::index::Snapshot,
    catchments: &ProposalCatchments,
    i: u32,
    base: &str,
) -> Value {
    let p = &s.proposals.items[i as usize];
    let mut properties = public_properties(s, catchments, i);
    properties["photo"] = match p.has_photo {
        true => json!(format!(
            "{base}/api/collections/proposals/items/{}/photo",
            p.id
        )),
        false => Value::Null,
    };
    json!({
        "type": "Feature",
        "id": p.id,
        "geometry": { "type": "Point", "coordinates": [p.lon, p.lat] },
        "properties": properties,
        "links": [{ "href": format!("{base}/api/collections/proposals/items/{}", p.id), "rel": "self", "type": GEO_JSON }],
    })
}

const LIST_PARAMS: &[&str] = &[
    "bbox", "limit", "offset", "status", "category", "district", "from", "to", "sort", "f", "crs",
    "bbox-crs",
];

fn list_of<T>(
    params: &Params,
    name: &str,
    parse: impl Fn(&str) -> Option<T>,
    ids: Vec<&str>,
) -> Result<Option<Vec<T>>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.split(',')
                .map(|x| {
                    parse(x.trim()).ok_or_else(|| {
                        ApiError::invalid(name, format!("{x:?} is not one of {}", ids.join(", ")))
                    })
                })
                .collect()
        })
        .transpose()
}

/// `GET /api/collections/proposals/items`: published proposals, filtered and sorted;
/// `f=csv` for the nærutvalg's list.
pub async fn list_proposals(
    State(state): State<AppState>,
    base: BaseUrl,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), LIST_PARAMS)?;
    let limits = &state.limits;
    let (limit, offset) = params.page(limits)?;
    let bbox = crate::http::crs::bbox(&params)?;
    let out = crate::http::crs::output(&params)?;
    let statuses = list_of(&params, "status", Status::parse, Status::ids())?;
    let categories = list_of(&params, "category", Category::parse, Category::ids())?;
    let date = |name: &str| -> Result<Option<String>, ApiError> {
        params
            .get(name)
            .map(|d| {
                d.parse::<jiff::civil::Date>()
                    .map(|d| d.to_string())
                    .map_err(|_| {
                        ApiError::invalid(name, format!("{d:?} is not a date (YYYY-MM-DD)"))
                    })
            })
            .transpose()
    };
    let (from, to) = (date("from")?, date("to")?);
    let csv = match params.get("f") {
        None | Some("json") | Some("geojson") => false,
        Some("csv") if params.get("crs").is_some() => {
            return Err(ApiError::invalid(
                "crs",
                "the CSV gives longitude and latitude; crs is for GeoJSON",
            ));
        }
        Some("csv") => true,
        Some(f) => return Err(ApiError::invalid("f", format!("{f:?}: json or csv"))),
    };
    let by_published = match params.get("sort") {
        None | Some("-supports") => false,
        Some("-published") => true,
        Some(o) => {
            return Err(ApiError::invalid(
                "sort",
                format!("{o:?}: -supports or -published"),
            ));
        }
    };
    let s = state.snapshot.load();
    let district = match params.get("district") {
        None => None,
        Some(id) => Some(
            s.district(id)
                .ok_or_else(|| ApiError::invalid("district", format!("no district {id:?}")))?,
        ),
    };
    let ps = &s.proposals;
    let candidates: Vec<u32> = match &bbox {
        Some(b) => ps.in_bbox(&b.lonlat),
        None => (0..ps.len() as u32).collect(),
    };
    let mut chosen: Vec<u32> = candidates
        .into_iter()
        .filter(|&i| {
            let p = &ps.items[i as usize];
            let published = date_oslo(p.published_ms);
            bbox.as_ref().is_none_or(|b| b.holds(p.lon, p.lat))
                && statuses.as_ref().is_none_or(|v| v.contains(&p.status))
                && categories.as_ref().is_none_or(|v| v.contains(&p.category))
                && from.as_ref().is_none_or(|f| &published >= f)
                && to.as_ref().is_none_or(|t| &published <= t)
                && district.is_none_or(|d| {
                    [ps.district[i as usize], ps.kommunedel[i as usize]]
                        .into_iter()
                        .flatten()
                        .any(|x| x == d || crate::coverage::descends_from(&s, x, d))
                        || crate::index::proposals::district_at(
                            &s,
                            LonLat::new(p.lon, p.lat),
                            &s.districts[d as usize].level,
                        ) == Some(d)
                })
        })
        .collect();
    chosen.sort_by_key(|&i| {
        let p = &ps.items[i as usize];
        if by_published {
            (
                std::cmp::Reverse(p.published_ms),
                std::cmp::Reverse(0),
                p.id,
            )
        } else {
            (
                std::cmp::Reverse(p.supports),
                std::cmp::Reverse(p.published_ms),
                p.id,
            )
        }
    });
    if csv {
        return Ok(csv_response(&s, &chosen, district));
    }
    let catchments = proposal_catchments(&s);
    let matched = chosen.len();
    let features: Vec<Value> = chosen
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&i| {
            let mut f = feature(&s, &catchments, i, &base.0);
            out.feature(&mut f)?;
            Ok(f)
        })
        .collect::<Result<_, ApiError>>()?;
    let mut body = crate::http::programme::collection_page(
        &base.0,
        "proposals",
        raw.as_deref(),
        matched,
        features,
        offset,
        limit,
    );
    body["attribution"] = json!(s.attribution());
    let mut r = json_response(StatusCode::OK, GEO_JSON, &body);
    crate::http::crs::content_crs(&mut r, out.crs());
    Ok(r)
}

fn csv_field(s: &str) -> String {
    // Formula injection guard for spreadsheets (OWASP): a leading =, +, - or @ is quoted.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The nærutvalg's list as a spreadsheet opens it in Norway: UTF-8 with BOM, `;` between
/// fields, decimal commas, headers in words, every answer (newest last, each with its date
/// and status), named after the district when one was chosen.
fn csv_response(s: &crate::index::Snapshot, chosen: &[u32], district: Option<u32>) -> Response {
    let ps = &s.proposals;
    let catchments = proposal_catchments(s);
    let mut out = String::from("\u{feff}");
    out.push_str("Nr.;Tittel;Tekst;Kategori;Status;Støtter;Kommunedel/bydel;Område;Boliger innen 10 min gange;Innbyggere innen 10 min;Boliger uten slikt tilbud innen 10 min;Publisert;Svar fra kommunen;Lengdegrad;Breddegrad\r\n");
    let decimal = |x: f64| format!("{x:.6}").replace('.', ",");
    for &i in chosen {
        let p = &ps.items[i as usize];
        let c = catchments.of(i);
        let name = |d: Option<u32>| {
            d.map(|d| s.districts[d as usize].name.clone())
                .unwrap_or_default()
        };
        let answers: Vec<String> = p
            .answers
            .iter()
            .map(|a| {
                format!(
                    "{} ({}): {}",
                    date_oslo(a.at_ms),
                    a.status.label("nb"),
                    a.answer
                )
            })
            .collect();
        let row = [
            p.id.to_string(),
            csv_field(&p.title),
            csv_field(&p.body),
            csv_field(p.category.label("nb")),
            csv_field(p.status.label("nb")),
            p.supports.to_string(),
            csv_field(&name(ps.kommunedel[i as usize])),
            csv_field(&name(ps.district[i as usize])),
            c.map(|c| c.homes.to_string()).unwrap_or_default(),
            c.and_then(|c| c.residents)
                .map(|r| (r.round() as i64).to_string())
                .unwrap_or_default(),
            c.and_then(|c| c.homes_without)
                .map(|h| h.to_string())
                .unwrap_or_default(),
            date_oslo(p.published_ms),
            csv_field(&answers.join("\n")),
            decimal(p.lon),
            decimal(p.lat),
        ];
        out.push_str(&row.join(";"));
        out.push_str("\r\n");
    }
    let name = match district {
        Some(d) => format!("forslag-{}.csv", file_slug(&s.districts[d as usize].name)),
        None => "forslag.csv".into(),
    };
    let mut r = (StatusCode::OK, out).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = header::HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// A name as a file name: lower case ASCII letters, digits and dashes (æøå spelled out).
fn file_slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'æ' => out.push_str("ae"),
            'ø' => out.push('o'),
            'å' => out.push_str("aa"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    out.trim_matches('-').to_string()
}

/// `GET /api/collections/proposals/items/{id}`.
pub async fn get_proposal(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &["f", "crs"])?;
    if let Some(f) = params
        .get("f")
        .filter(|f| !matches!(*f, "json" | "geojson"))
    {
        return Err(ApiError::invalid("f", format!("{f:?}: json")));
    }
    let out = crate::http::crs::output(&params)?;
    let s = state.snapshot.load();
    let i = fid
        .parse::<i64>()
        .ok()
        .and_then(|id| s.proposals.index_of(id))
        .ok_or_else(|| ApiError::NotFound(format!("no published proposal {fid:?}")))?;
    let mut f = feature(&s, &proposal_catchments(&s), i, &base.0);
    out.feature(&mut f)?;
    let mut r = (StatusCode::OK, f.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(GEO_JSON),
    );
    crate::http::crs::content_crs(&mut r, out.crs());
    Ok(r)
}

/// `GET /api/collections/proposals`.
pub fn collection_json(s: &crate::index::Snapshot, base: &str) -> Value {
    let extent = s
        .extent()
        .map(|b| b.as_array().to_vec())
        .unwrap_or_default();
    json!({
        "id": "proposals",
        "title": "Forslag / Proposals",
        "description": "Residents' published proposals for their neighbourhood (medvirkning): category, status with the municipality's answers, supports, district and kommunedel, and the homes within a 10-minute walk. Filter by status, category, district, from/to; sort=-supports or -published; f=csv. Propose with POST /api/proposals.",
        "itemType": "feature",
        "crs": crate::http::crs::Crs::offered_uris(),
        "storageCrs": crate::http::crs::CRS84,
        "extent": { "spatial": { "bbox": [extent], "crs": crate::http::crs::CRS84 } },
        "links": [
            { "href": format!("{base}/api/collections/proposals"), "rel": "self", "type": "application/json" },
            { "href": format!("{base}/api/collections/proposals/items"), "rel": "items", "type": GEO_JSON },
        ]
    })
}

pub async fn get_collection(State(state): State<AppState>, base: BaseUrl) -> Response {
    axum::Json(collection_json(&state.snapshot.load(), &base.0)).into_response()
}

/// A photo as served: a JPEG we wrote ourselves, never sniffed as anything else.
pub(super) fn jpeg(bytes: Vec<u8>, cache: &'static str) -> Response {
    let mut r = (StatusCode::OK, bytes).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("image/jpeg"),
    );
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(cache),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    r
}

/// `GET /api/collections/proposals/items/{id}/photo`: a published proposal's photo. Read
/// from the store (photos are kept out of the snapshot's memory).
pub async fn get_photo(
    State(state): State<AppState>,
    Path(fid): Path<String>,
) -> Result<Response, ApiError> {
    let gone = || ApiError::NotFound(format!("no photo of a published proposal {fid:?}"));
    let id: i64 = fid.parse().map_err(|_| gone())?;
    let photo = state
        .store
        .proposal_photo(id, true)
        .await?
        .ok_or_else(gone)?;
    Ok(jpeg(photo, "public, max-age=300"))
}
