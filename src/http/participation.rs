//! Medvirkning over HTTP (issue 15, docs/PARTICIPATION.md): residents propose and support
//! with a participation code or a confirmed email (no accounts, no cookies); links confirm
//! an email; staff moderate, answer and make codes; everyone reads published proposals as an
//! OGC API – Features collection (GeoJSON, or CSV for the nærutvalg).
//!
//! Nothing here ever writes an email address or a code into a response: the moderation list
//! says only whether there is an email (`has_email`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::ClientAddr;
use super::error::ApiError;
use super::params::Params;
use super::portal::private;
use super::programme::GEO_JSON;
use super::{AppState, BaseUrl};
use crate::domain::LonLat;
use crate::domain::activity::FieldError;
use crate::participation::{
    self as p, ANSWER_CHARS, Category, State as PState, Status, TEXT_CHARS, TITLE_CHARS,
};
use crate::store::accounts::Person;
use crate::store::editing::{now_ms, token_sha256};
use crate::store::participation::{
    Confirmed, CreateOutcome, ModerateOutcome, Moderation, NewBatch, NewProposal, ProposalRow,
    SupportOutcome,
};

/// Rate limits, per 15 minutes (the window the failure counters keep).
pub const MAX_PROPOSALS_PER_ADDRESS: i64 = 5;
pub const MAX_PROPOSALS_PER_EMAIL: i64 = 3;
pub const MAX_SUPPORTS_PER_ADDRESS: i64 = 30;
/// Wrong codes from one network address before it must wait.
pub const MAX_BAD_CODES_PER_ADDRESS: i64 = 10;

const CODE_REFUSED: &str = "the participation code is not valid: it is unknown, has expired or has been used as many times as it may";

fn field(name: &str, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: name.into(),
        reason: reason.into(),
    }
}

fn chars_in(
    errors: &mut Vec<FieldError>,
    name: &str,
    text: &str,
    range: std::ops::RangeInclusive<usize>,
) {
    let n = text.trim().chars().count();
    if !range.contains(&n) {
        errors.push(field(
            name,
            format!(
                "must be {}–{} characters, is {n}",
                range.start(),
                range.end()
            ),
        ));
    }
}

/// Counts an event against a limit of `max` per 15 minutes; `Err` when it is reached.
async fn limited(state: &AppState, key: &str, max: i64, what: &str) -> Result<(), ApiError> {
    let since = now_ms() - crate::store::accounts::retention::FAILURES_MS;
    if state.store.failures(key, since).await? >= max {
        return Err(ApiError::TooManyRequests(format!(
            "too many {what} came from here lately; try again in 15 minutes"
        )));
    }
    Ok(())
}

async fn note(state: &AppState, keys: &[String]) -> Result<(), ApiError> {
    state.store.note_failure(keys, now_ms()).await?;
    Ok(())
}

/// A wrong code counts against the network address (and then 403s).
async fn bad_code(state: &AppState, client: &str) -> ApiError {
    if let Err(e) = note(state, &[format!("code:{client}")]).await {
        return e;
    }
    ApiError::Forbidden(CODE_REFUSED.into())
}

fn lang_of(lang: Option<&str>) -> String {
    if lang == Some("en") { "en" } else { "nb" }.to_string()
}

/// A link's secret: 32 random bytes, hex.
fn new_secret() -> String {
    crate::store::editing::new_token()
        .trim_start_matches("nm_")
        .to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposalBody {
    category: Option<String>,
    title: Option<String>,
    text: Option<String>,
    lon: Option<f64>,
    lat: Option<f64>,
    lang: Option<String>,
    code: Option<String>,
    email: Option<String>,
}

/// Where the service is, in words, for a point outside it.
fn service_area_name(s: &crate::index::Snapshot) -> String {
    let names: Vec<&str> = s
        .districts
        .iter()
        .filter(|d| matches!(d.level.as_str(), "kommune" | "municipality"))
        .map(|d| d.name.as_str())
        .collect();
    if !names.is_empty() {
        return format!("{} kommune", names.join(", "));
    }
    match s.extent() {
        Some(b) => format!(
            "the area of the data ({:.4}, {:.4}) – ({:.4}, {:.4})",
            b.min_lon, b.min_lat, b.max_lon, b.max_lat
        ),
        None => "no area (no data imported)".into(),
    }
}

/// Names a moderator should not mistake for a person's: those of streets, facilities and
/// districts (folded, so case and æøå spellings do not matter).
fn known_names(s: &crate::index::Snapshot) -> impl Fn(&str) -> bool {
    use crate::index::search::fold;
    let mut names: std::collections::HashSet<String> =
        s.addresses.iter().map(|a| fold(&a.street)).collect();
    names.extend(s.districts.iter().map(|d| fold(&d.name)));
    names.extend(
        s.facilities
            .iter()
            .filter_map(|f| f.name.as_deref().map(fold)),
    );
    move |w: &str| {
        let folded = fold(w);
        names.iter().any(|n| n.contains(&folded))
    }
}

/// `POST /api/proposals`: a resident's proposal, with a code or an email.
pub async fn post_proposal(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: ProposalBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::InvalidBody(vec![field(
            "body",
            format!(
                "expected {{\"category\", \"title\", \"text\", \"lon\", \"lat\", \"lang\", \"code\"?, \"email\"?}}: {e}"
            ),
        )])
    })?;
    let s = state.snapshot.load();
    let mut errors = Vec::new();
    let category = match b.category.as_deref().map(str::trim) {
        None | Some("") => {
            errors.push(field("category", "required"));
            None
        }
        Some(c) => Category::parse(c).or_else(|| {
            errors.push(field(
                "category",
                format!("{c:?} is not one of {}", Category::ids().join(", ")),
            ));
            None
        }),
    };
    let title = b.title.unwrap_or_default().trim().to_string();
    let text = b.text.unwrap_or_default().trim().to_string();
    chars_in(&mut errors, "title", &title, TITLE_CHARS);
    chars_in(&mut errors, "text", &text, TEXT_CHARS);
    let at = match (b.lon, b.lat) {
        (Some(lon), Some(lat))
            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
        {
            Some(LonLat::new(lon, lat))
        }
        (Some(_), Some(_)) => {
            errors.push(field(
                "lon",
                "lon must be within -180..180 and lat within -90..90",
            ));
            None
        }
        _ => {
            errors.push(field(
                "lon",
                "lon and lat (EPSG:4326) are required: where the proposal is",
            ));
            None
        }
    };
    let code = b.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let email = b.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let email = match email {
        None => None,
        Some(e) => p::normalise_email(e).or_else(|| {
            errors.push(field("email", "not an email address"));
            None
        }),
    };
    if code.is_none() && email.is_none() && !errors.iter().any(|e| e.field == "email") {
        errors.push(field(
            "code",
            "give a participation code, or an email address to confirm the proposal by",
        ));
    }
    if matches!(b.lang.as_deref(), Some(l) if l != "nb" && l != "en") {
        errors.push(field("lang", "nb or en"));
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    let (category, at) = (category.expect("checked"), at.expect("checked"));
    if !s.service_area_contains(at) {
        return Err(ApiError::OutsideCoverage(format!(
            "({}, {}) is outside the area this service covers: {}",
            at.lon,
            at.lat,
            service_area_name(&s)
        )));
    }
    limited(
        &state,
        &format!("proposal:{client}"),
        MAX_PROPOSALS_PER_ADDRESS,
        "proposals",
    )
    .await?;
    limited(
        &state,
        &format!("code:{client}"),
        MAX_BAD_CODES_PER_ADDRESS,
        "wrong codes",
    )
    .await?;
    let email_key = email
        .as_deref()
        .map(|e| format!("proposal-{}", p::participant_of_email(e)));
    if let Some(k) = &email_key {
        limited(
            &state,
            k,
            MAX_PROPOSALS_PER_EMAIL,
            "proposals with this email",
        )
        .await?;
    }
    let code_sha = match code {
        None => None,
        Some(c) => match p::code_sha256(c) {
            Some(sha) => Some(sha),
            None => return Err(bad_code(&state, &client).await),
        },
    };
    let known = known_names(&s);
    let mut flags = p::personal_data_flags(&title, &known);
    flags.extend(p::personal_data_flags(&text, &known));
    let secret = email.as_ref().map(|_| new_secret());
    let lang = lang_of(b.lang.as_deref());
    let new = NewProposal {
        category: category.as_str().into(),
        title,
        body: text,
        lon: at.lon,
        lat: at.lat,
        lang: lang.clone(),
        flags,
        code_sha256: code_sha,
        email: email.clone(),
        link_sha256: secret.as_deref().map(token_sha256),
    };
    let (id, state_now) = match state.store.create_proposal(&new, now_ms()).await? {
        CreateOutcome::CodeRefused => return Err(bad_code(&state, &client).await),
        CreateOutcome::Created { id, state: st } => (id, st),
    };
    let mut keys = vec![format!("proposal:{client}")];
    keys.extend(email_key);
    note(&state, &keys).await?;
    if let (Some(email), Some(secret)) = (&email, &secret) {
        let link = format!("{}/delta/bekreft/{secret}", state.public_url());
        let mail = crate::mail::confirm_proposal(
            email,
            &lang,
            &new.title,
            &link,
            state_now == PState::Pending,
        );
        state.store.enqueue_mail(&mail, now_ms()).await?;
    }
    let status = if state_now == PState::Pending {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    Ok(private((
        status,
        axum::Json(json!({
            "id": id,
            "state": state_now.as_str(),
            "email_confirmation": email.is_some(),
        })),
    )))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SupportBody {
    code: Option<String>,
    email: Option<String>,
    lang: Option<String>,
}

/// `POST /api/proposals/{id}/supports`: one support per participant.
pub async fn post_support(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: SupportBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::InvalidBody(vec![field(
            "body",
            format!("expected {{\"code\"}} or {{\"email\", \"lang\"?}}: {e}"),
        )])
    })?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no published proposal {id:?}")))?;
    let code = b.code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let email = b.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
    let (participant, code_sha, email) = match (code, email) {
        (Some(c), _) => {
            limited(
                &state,
                &format!("code:{client}"),
                MAX_BAD_CODES_PER_ADDRESS,
                "wrong codes",
            )
            .await?;
            let Some(sha) = p::code_sha256(c) else {
                return Err(bad_code(&state, &client).await);
            };
            let Some(participant) = state.store.code_participant(&sha, now_ms()).await? else {
                return Err(bad_code(&state, &client).await);
            };
            (participant, Some(sha), None)
        }
        (None, Some(e)) => {
            let e = p::normalise_email(e).ok_or_else(|| {
                ApiError::InvalidBody(vec![field("email", "not an email address")])
            })?;
            (p::participant_of_email(&e), None, Some(e))
        }
        (None, None) => {
            return Err(ApiError::InvalidBody(vec![field(
                "code",
                "give a participation code, or an email address to confirm the support by",
            )]));
        }
    };
    limited(
        &state,
        &format!("support:{client}"),
        MAX_SUPPORTS_PER_ADDRESS,
        "supports",
    )
    .await?;
    let secret = email.as_ref().map(|_| new_secret());
    let outcome = state
        .store
        .add_support(
            id,
            &participant,
            code_sha.as_deref(),
            secret.as_deref().map(token_sha256).as_deref(),
            now_ms(),
        )
        .await?;
    note(&state, &[format!("support:{client}")]).await?;
    match outcome {
        SupportOutcome::Counted { supports } => {
            reload(&state).await;
            Ok(private((
                StatusCode::CREATED,
                axum::Json(json!({ "supports": supports })),
            )))
        }
        SupportOutcome::AwaitingEmail => {
            let (email, secret) = (email.expect("email"), secret.expect("secret"));
            let lang = lang_of(b.lang.as_deref());
            let title = state
                .snapshot
                .load()
                .proposals
                .index_of(id)
                .map(|i| {
                    state.snapshot.load().proposals.items[i as usize]
                        .title
                        .clone()
                })
                .unwrap_or_default();
            let link = format!("{}/delta/bekreft/{secret}", state.public_url());
            let mail = crate::mail::confirm_support(&email, &lang, &title, &link);
            state.store.enqueue_mail(&mail, now_ms()).await?;
            Ok(private((
                StatusCode::ACCEPTED,
                axum::Json(json!({ "email_confirmation": true })),
            )))
        }
        SupportOutcome::Already => Err(ApiError::Conflict(
            "you support this proposal already: each participant counts once".into(),
        )),
        SupportOutcome::NotFound => Err(ApiError::NotFound(format!("no published proposal {id}"))),
        SupportOutcome::CodeRefused => Err(bad_code(&state, &client).await),
    }
}

async fn reload(state: &AppState) {
    if let Err(e) = state.reload.reload().await {
        tracing::warn!(error = %e, "written, but the snapshot could not be rebuilt yet");
    }
}

fn secret_of(path: &str) -> String {
    path.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(64)
        .collect()
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>{title} – Nærmiljø</title><link rel="stylesheet" href="/static/kit/base.css"></head>
<body><main class="layout" id="main"><section class="panel">
{body}
</section></main></body></html>
"#
    )
}

/// `GET /delta/bekreft/{secret}`: one button; a mail scanner that opens the link confirms
/// nothing.
pub async fn get_confirm(Path(secret): Path<String>) -> Response {
    let secret = secret_of(&secret);
    private(Html(page(
        "Bekreft",
        &format!(
            r#"<h1>Bekreft e-postadressen <span lang="en">/ Confirm your email</span></h1>
<form method="post" action="/delta/bekreft/{secret}">
<button type="submit">Bekreft <span lang="en">/ Confirm</span></button>
</form>"#
        ),
    )))
}

/// `POST /delta/bekreft/{secret}`: uses the link.
pub async fn post_confirm(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, ApiError> {
    let secret = secret_of(&secret);
    let confirmed = state
        .store
        .confirm(&token_sha256(&secret), now_ms())
        .await?;
    let (status, nb, en) = match confirmed {
        Confirmed::Proposal(_) => (
            StatusCode::OK,
            "Takk! Forslaget ditt er bekreftet og venter nå på godkjenning. Du får svar på e-post.",
            "Thank you! Your proposal is confirmed and now waits for moderation. You will get answers by email.",
        ),
        Confirmed::Notices(_) => (
            StatusCode::OK,
            "Takk! Svar på forslaget ditt sendes til denne adressen.",
            "Thank you! Answers to your proposal will be sent to this address.",
        ),
        Confirmed::Support(_) => {
            reload(&state).await;
            (
                StatusCode::OK,
                "Takk! Støtten din er telt med.",
                "Thank you! Your support is counted.",
            )
        }
        Confirmed::Gone => (
            StatusCode::NOT_FOUND,
            "Lenken virker ikke lenger: den er brukt, eller eldre enn 48 timer.",
            "This link no longer works: it has been used, or is older than 48 hours.",
        ),
    };
    Ok(private((
        status,
        Html(page(
            "Bekreftet",
            &format!(
                r#"<h1 id="confirm-result">{nb}</h1><p lang="en">{en}</p><p><a href="/">Til kartet <span lang="en">/ To the map</span></a></p>"#
            ),
        )),
    )))
}

fn date_oslo(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| crate::domain::activity::today(t).to_string())
        .unwrap_or_default()
}

fn district_json(s: &crate::index::Snapshot, d: Option<u32>) -> Value {
    match d {
        Some(i) => {
            let d = &s.districts[i as usize];
            json!({ "id": d.id, "name": d.name, "level": d.level })
        }
        None => Value::Null,
    }
}

/// The public properties of published proposal `i` of the snapshot.
fn public_properties(s: &crate::index::Snapshot, i: u32) -> Value {
    let ps = &s.proposals;
    let p = &ps.items[i as usize];
    let catchment = ps.catchment[i as usize].as_ref().map(|c| {
        json!({
            "minutes": c.minutes, "homes": c.homes,
            "residents": c.residents.map(|r| r.round() as i64),
            "kind": c.kind.map(|k| k.as_str()), "homes_without": c.homes_without,
        })
    });
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
        "answers": p.answers.iter().map(|a| json!({
            "status": a.status.as_str(), "answer": a.answer, "at": date_oslo(a.at_ms),
        })).collect::<Vec<_>>(),
    })
}

fn feature(s: &crate::index::Snapshot, i: u32, base: &str) -> Value {
    let p = &s.proposals.items[i as usize];
    json!({
        "type": "Feature",
        "id": p.id,
        "geometry": { "type": "Point", "coordinates": [p.lon, p.lat] },
        "properties": public_properties(s, i),
        "links": [{ "href": format!("{base}/api/collections/proposals/items/{}", p.id), "rel": "self", "type": GEO_JSON }],
    })
}

const LIST_PARAMS: &[&str] = &[
    "bbox", "limit", "offset", "status", "category", "district", "from", "to", "sort", "f",
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
    let limit = params
        .integer("limit", limits.default_limit, 1)?
        .min(limits.max_limit) as usize;
    let offset = params.integer("offset", 0, 0)?.min(u32::MAX as u64) as usize;
    let bbox = params.bbox()?;
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
        Some(b) => ps.in_bbox(b),
        None => (0..ps.len() as u32).collect(),
    };
    let mut chosen: Vec<u32> = candidates
        .into_iter()
        .filter(|&i| {
            let p = &ps.items[i as usize];
            let published = date_oslo(p.published_ms);
            statuses.as_ref().is_none_or(|v| v.contains(&p.status))
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
        return Ok(csv_response(&s, &chosen));
    }
    let matched = chosen.len();
    let features: Vec<Value> = chosen
        .iter()
        .skip(offset)
        .take(limit)
        .map(|&i| feature(&s, i, &base.0))
        .collect();
    let mut links = vec![
        json!({ "href": format!("{}/api/collections/proposals/items{}", base.0, raw.as_deref().map(|q| format!("?{q}")).unwrap_or_default()), "rel": "self", "type": GEO_JSON }),
    ];
    if offset + features.len() < matched {
        let mut q: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.as_deref().unwrap_or_default()).unwrap_or_default();
        q.retain(|(k, _)| k != "offset");
        q.push(("offset".into(), (offset + limit).to_string()));
        links.push(json!({ "href": format!("{}/api/collections/proposals/items?{}", base.0, serde_urlencoded::to_string(&q).unwrap_or_default()), "rel": "next", "type": GEO_JSON }));
    }
    let body = json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": features.len(),
        "timeStamp": jiff::Timestamp::now().to_string(),
        "features": features,
        "links": links,
        "attribution": s.attribution(),
    });
    let mut r = (StatusCode::OK, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(GEO_JSON),
    );
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

fn csv_response(s: &crate::index::Snapshot, chosen: &[u32]) -> Response {
    let ps = &s.proposals;
    let mut out = String::from("\u{feff}");
    out.push_str("id;tittel;kategori;status;støtter;kommunedel;område;hjem_10_min;innbyggere_10_min;hjem_uten_tilbud;publisert;siste_svar;siste_svar_dato;lon;lat\r\n");
    for &i in chosen {
        let p = &ps.items[i as usize];
        let c = ps.catchment[i as usize].as_ref();
        let name = |d: Option<u32>| {
            d.map(|d| s.districts[d as usize].name.clone())
                .unwrap_or_default()
        };
        let last = p.answers.last();
        let row = [
            p.id.to_string(),
            csv_field(&p.title),
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
            csv_field(last.map(|a| a.answer.as_str()).unwrap_or("")),
            last.map(|a| date_oslo(a.at_ms)).unwrap_or_default(),
            format!("{:.6}", p.lon),
            format!("{:.6}", p.lat),
        ];
        out.push_str(&row.join(";"));
        out.push_str("\r\n");
    }
    let mut r = (StatusCode::OK, out).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_static("attachment; filename=\"forslag.csv\""),
    );
    r
}

/// `GET /api/collections/proposals/items/{id}`.
pub async fn get_proposal(
    State(state): State<AppState>,
    base: BaseUrl,
    Path(fid): Path<String>,
) -> Result<Response, ApiError> {
    let s = state.snapshot.load();
    let i = fid
        .parse::<i64>()
        .ok()
        .and_then(|id| s.proposals.index_of(id))
        .ok_or_else(|| ApiError::NotFound(format!("no published proposal {fid:?}")))?;
    let mut r = (StatusCode::OK, feature(&s, i, &base.0).to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static(GEO_JSON),
    );
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
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": { "spatial": { "bbox": [extent], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84" } },
        "links": [
            { "href": format!("{base}/api/collections/proposals"), "rel": "self", "type": "application/json" },
            { "href": format!("{base}/api/collections/proposals/items"), "rel": "items", "type": GEO_JSON },
        ]
    })
}

pub async fn get_collection(State(state): State<AppState>, base: BaseUrl) -> Response {
    axum::Json(collection_json(&state.snapshot.load(), &base.0)).into_response()
}

// ---- Staff ----

/// A signed-in moderator or admin.
async fn staff(state: &AppState, headers: &HeaderMap, changes: bool) -> Result<Person, ApiError> {
    let p = super::auth::signed_in_person(state, headers, changes).await?;
    if p.staff_role.is_none() {
        return Err(ApiError::Forbidden(
            "only the municipality's moderators and admins do this".into(),
        ));
    }
    Ok(p)
}

fn moderation_json(s: &crate::index::Snapshot, r: &ProposalRow) -> Value {
    let at = LonLat::new(r.lon, r.lat);
    let finest = s.levels.last().map(|l| l.level.clone());
    let kommunedel = s
        .levels
        .iter()
        .map(|l| l.level.clone())
        .find(|l| crate::index::districts::level_rank(l) < 3);
    let locate = |level: Option<String>| {
        district_json(
            s,
            level.and_then(|l| crate::index::proposals::district_at(s, at, &l)),
        )
    };
    let catchment = s
        .proposals
        .index_of(r.id)
        .and_then(|i| s.proposals.catchment[i as usize].clone())
        .or_else(|| {
            crate::coverage::catchment(
                s,
                at,
                p::CATCHMENT_MINUTES,
                Category::parse(&r.category).and_then(Category::kind),
            )
        });
    let category = Category::parse(&r.category);
    json!({
        "id": r.id,
        "category": r.category,
        "category_label": category.map(|c| json!({ "nb": c.label("nb"), "en": c.label("en") })),
        "title": r.title,
        "text": r.body,
        "lon": r.lon,
        "lat": r.lat,
        "state": r.state.as_str(),
        "status": r.status.as_str(),
        "supports": r.supports,
        "created": jiff::Timestamp::from_millisecond(r.created_ms).map(|t| t.to_string()).unwrap_or_default(),
        "published": r.published_ms.map(date_oslo),
        "updated": date_oslo(r.updated_ms),
        "district": locate(finest),
        "kommunedel": locate(kommunedel),
        "catchment": catchment.map(|c| json!({
            "minutes": c.minutes, "homes": c.homes, "residents": c.residents.map(|r| r.round() as i64),
            "kind": c.kind.map(|k| k.as_str()), "homes_without": c.homes_without,
        })),
        "answers": r.answers.iter().map(|a| json!({ "status": a.status.as_str(), "answer": a.answer, "at": date_oslo(a.at_ms) })).collect::<Vec<_>>(),
        "reject_reason": r.reject_reason,
        "merged_into": r.merged_into,
        "flags": r.flags,
        "via": r.via,
        "batch": r.batch_label,
        "has_email": r.email.is_some(),
        "version": r.version,
    })
}

/// `GET /api/moderation/proposals?state=…`.
pub async fn get_moderation(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    staff(&state, &headers, false).await?;
    let params = Params::parse(raw.as_deref(), &["state"])?;
    let filter = match params.get("state") {
        None => Some(PState::Pending),
        Some("all") => None,
        Some(s) => Some(PState::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "state",
                format!("{s:?} is not one of all, {}", PState::ids().join(", ")),
            )
        })?),
    };
    let rows = state.store.proposals(filter).await?;
    let s = state.snapshot.load();
    Ok(private(axum::Json(json!({
        "proposals": rows.iter().map(|r| moderation_json(&s, r)).collect::<Vec<_>>(),
    }))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModerationBody {
    action: String,
    version: Option<i64>,
    reason: Option<String>,
    title: Option<String>,
    text: Option<String>,
    status: Option<String>,
    answer: Option<String>,
    into: Option<i64>,
}

/// `POST /api/moderation/proposals/{id}`: publish, reject, edit, answer or merge.
pub async fn post_moderation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let person = staff(&state, &headers, true).await?;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no proposal {id:?}")))?;
    let b: ModerationBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::InvalidBody(vec![field(
            "body",
            format!("expected {{\"action\", \"version\", …}}: {e}"),
        )])
    })?;
    let mut errors = Vec::new();
    let Some(version) = b.version else {
        return Err(ApiError::InvalidBody(vec![field(
            "version",
            "required: the version you read",
        )]));
    };
    let text_of = |errors: &mut Vec<FieldError>, name: &str, v: &Option<String>, range| {
        let t = v.clone().unwrap_or_default().trim().to_string();
        chars_in(errors, name, &t, range);
        t
    };
    let action = match b.action.as_str() {
        "publish" => Moderation::Publish,
        "reject" => Moderation::Reject {
            reason: text_of(&mut errors, "reason", &b.reason, ANSWER_CHARS),
        },
        "edit" => {
            let title = b
                .title
                .as_ref()
                .map(|_| text_of(&mut errors, "title", &b.title, TITLE_CHARS));
            let text = b
                .text
                .as_ref()
                .map(|_| text_of(&mut errors, "text", &b.text, TEXT_CHARS));
            if title.is_none() && text.is_none() {
                errors.push(field("title", "give the new title, the new text, or both"));
            }
            Moderation::Edit { title, body: text }
        }
        "answer" => {
            let status = b.status.as_deref().and_then(Status::parse);
            if status.is_none() {
                errors.push(field(
                    "status",
                    format!("one of {}", Status::ids().join(", ")),
                ));
            }
            let answer = text_of(&mut errors, "answer", &b.answer, ANSWER_CHARS);
            Moderation::Answer {
                status: status.unwrap_or(Status::Received),
                answer,
            }
        }
        "merge" => match b.into {
            Some(into) => Moderation::Merge { into },
            None => {
                errors.push(field(
                    "into",
                    "the id of the published proposal to merge into",
                ));
                Moderation::Publish
            }
        },
        other => {
            return Err(ApiError::InvalidBody(vec![field(
                "action",
                format!("{other:?} is not one of publish, reject, edit, answer, merge"),
            )]));
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    let row = match state
        .store
        .moderate(id, version, &action, person.id)
        .await?
    {
        ModerateOutcome::Done(row) => row,
        ModerateOutcome::NotFound => return Err(ApiError::NotFound(format!("no proposal {id}"))),
        ModerateOutcome::Stale { current_version } => {
            return Err(ApiError::Conflict(format!(
                "someone changed this proposal since you read it (now version {current_version}); read it again"
            )));
        }
        ModerateOutcome::Refused(why) => {
            return Err(ApiError::InvalidBody(vec![field("action", why)]));
        }
    };
    // The proposer hears of it, if they gave (and confirmed) an email.
    if let Some((email, lang)) = row.notice_to() {
        let mail = crate::mail::proposal_notice(&email, &lang, &row, &action, &state.public_url());
        if let Some(mail) = mail
            && let Err(e) = state.store.enqueue_mail(&mail, now_ms()).await
        {
            tracing::warn!(error = %e, proposal = id, "moderated, but the notice could not be queued");
        }
    }
    reload(&state).await;
    let s = state.snapshot.load();
    Ok(private(axum::Json(moderation_json(&s, &row))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    label: Option<String>,
    count: Option<i64>,
    proposals: Option<i64>,
    supports: Option<i64>,
    expires: Option<String>,
}

/// Most codes in one batch.
pub const MAX_CODES_PER_BATCH: i64 = 200;

/// `POST /api/participation/batches`: the codes, shown this once.
pub async fn post_batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let person = staff(&state, &headers, true).await?;
    let b: BatchBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::InvalidBody(vec![field(
            "body",
            format!(
                "expected {{\"label\", \"count\", \"proposals\", \"supports\", \"expires\"}}: {e}"
            ),
        )])
    })?;
    let mut errors = Vec::new();
    let label = b.label.unwrap_or_default().trim().to_string();
    chars_in(&mut errors, "label", &label, 2..=80);
    let mut number = |name: &str, v: Option<i64>, range: std::ops::RangeInclusive<i64>| match v {
        Some(n) if range.contains(&n) => n,
        _ => {
            errors.push(field(
                name,
                format!("a whole number {}–{}", range.start(), range.end()),
            ));
            0
        }
    };
    let count = number("count", b.count, 1..=MAX_CODES_PER_BATCH);
    let proposals = number("proposals", b.proposals, 0..=20);
    let supports = number("supports", b.supports, 0..=100);
    let oslo = crate::domain::activity::oslo();
    let today = crate::domain::activity::today(jiff::Timestamp::now());
    let expires_ms = match b.expires.as_deref().map(str::parse::<jiff::civil::Date>) {
        Some(Ok(d)) if d >= today && d <= today.saturating_add(jiff::Span::new().years(1)) => {
            // Good through the whole of that day, Oslo time.
            d.tomorrow()
                .ok()
                .and_then(|t| t.to_zoned_datetime(oslo.clone()).ok())
                .map(|z| z.timestamp().as_millisecond())
                .unwrap_or(0)
        }
        _ => {
            errors.push(field(
                "expires",
                "a date (YYYY-MM-DD) from today to a year ahead",
            ));
            0
        }
    };
    if proposals == 0 && supports == 0 && !errors.iter().any(|e| e.field == "proposals") {
        errors.push(field(
            "proposals",
            "a code must allow at least one proposal or support",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidBody(errors));
    }
    let codes: Vec<String> = (0..count).map(|_| p::new_code()).collect();
    let batch = NewBatch {
        label: label.clone(),
        code_sha256: codes.iter().filter_map(|c| p::code_sha256(c)).collect(),
        proposals,
        supports,
        expires_ms,
    };
    let id = state.store.create_batch(&batch, person.id).await?;
    let row = state
        .store
        .batches()
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| ApiError::Internal("the batch just made is not there".into()))?;
    Ok(private((
        StatusCode::CREATED,
        axum::Json(json!({ "batch": batch_json(&row), "codes": codes })),
    )))
}

fn batch_json(b: &crate::store::participation::BatchRow) -> Value {
    json!({
        "id": b.id, "label": b.label, "count": b.count, "proposals": b.proposals, "supports": b.supports,
        // The last day a code works (it expires at the end of it).
        "expires": date_oslo(b.expires_ms - 1),
        "created": jiff::Timestamp::from_millisecond(b.created_ms).map(|t| t.to_string()).unwrap_or_default(),
        "proposals_used": b.proposals_used, "supports_used": b.supports_used,
    })
}

/// `GET /api/participation/batches`.
pub async fn get_batches(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    staff(&state, &headers, false).await?;
    let rows = state.store.batches().await?;
    Ok(private(axum::Json(json!({
        "batches": rows.iter().map(batch_json).collect::<Vec<_>>(),
    }))))
}
