//! Residents: proposing (with a code or an email), supporting, and what became of a code's
//! proposals.

use super::links::confirm_link;
use super::*;

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
    /// Base64 (standard alphabet), or a `data:image/…;base64,` URL.
    photo: Option<String>,
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
        ApiError::invalid(
            "body",
            format!(
                "expected {{\"category\", \"title\", \"text\", \"lon\", \"lat\", \"lang\", \"code\"?, \"email\"?}}: {e}"
            ),
        )
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
    // On land and within reach: where a walking network exists, a path within 500 m.
    if let Some(walk) = &s.walk
        && walk.place(at).any.is_none()
    {
        return Err(ApiError::OutsideCoverage(format!(
            "({}, {}) is more than {} m from any path: is it in the water?",
            at.lon,
            at.lat,
            crate::index::walk::MAX_FACILITY_SNAP_M
        )));
    }
    // A code carries its own quota: a school class behind one address proposes with its
    // codes. Without one, the network address is what there is to count.
    if code.is_none() {
        limited(
            &state,
            &format!("proposal:{client}"),
            MAX_PROPOSALS_PER_ADDRESS,
            "proposals",
        )
        .await?;
    } else {
        limited(
            &state,
            &format!("code:{client}"),
            MAX_BAD_CODES_PER_ADDRESS,
            "wrong codes",
        )
        .await?;
    }
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
    let flags = p::dedup_flags(flags);
    let photo = match b.photo.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(sent) => Some(photo_of(sent).await?),
    };
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
        photo,
    };
    let (id, state_now) = match state.store.create_proposal(&new, now_ms()).await? {
        CreateOutcome::CodeRefused => return Err(bad_code(&state, &client).await),
        CreateOutcome::Created { id, state: st } => (id, st),
    };
    let mut keys: Vec<String> = email_key.into_iter().collect();
    if code.is_none() {
        keys.push(format!("proposal:{client}"));
    }
    if !keys.is_empty() {
        note(&state, &keys).await?;
    }
    if let (Some(email), Some(secret)) = (&email, &secret) {
        let link = confirm_link(&state, secret, &lang);
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
        ApiError::invalid(
            "body",
            format!("expected {{\"code\"}} or {{\"email\", \"lang\"?}}: {e}"),
        )
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
    // As for proposals: a code's supports are its quota; emails count per address.
    if email.is_some() {
        limited(
            &state,
            &format!("support:{client}"),
            MAX_SUPPORTS_PER_ADDRESS,
            "supports",
        )
        .await?;
    }
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
    if email.is_some() {
        note(&state, &[format!("support:{client}")]).await?;
    }
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
            let link = confirm_link(&state, &secret, &lang);
            let mail = crate::mail::confirm_support(&email, &lang, &title, &link);
            state.store.enqueue_mail(&mail, now_ms()).await?;
            Ok(private((
                StatusCode::ACCEPTED,
                axum::Json(json!({ "email_confirmation": true })),
            )))
        }
        SupportOutcome::Own => Err(ApiError::Conflict(
            "this is your own proposal: supports come from others".into(),
        )),
        SupportOutcome::Already => Err(ApiError::Conflict(
            "you support this proposal already: each participant counts once".into(),
        )),
        SupportOutcome::NotFound => Err(ApiError::NotFound(format!("no published proposal {id}"))),
        SupportOutcome::CodeRefused => Err(bad_code(&state, &client).await),
    }
}

/// A photo as sent (base64, or a data URL) made fit to keep: see
/// [`crate::participation::prepare_photo`]. Decoding runs beside the server's threads.
async fn photo_of(sent: &str) -> Result<Vec<u8>, ApiError> {
    use base64::Engine;
    let refuse = |reason: String| ApiError::InvalidBody(vec![field("photo", reason)]);
    let data = match sent.strip_prefix("data:") {
        Some(url) => url
            .split_once(";base64,")
            .map(|(_, d)| d)
            .ok_or_else(|| refuse("a data URL must be base64 (data:image/jpeg;base64,…)".into()))?,
        None => sent,
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_bytes())
        .map_err(|e| refuse(format!("not base64: {e}")))?;
    tokio::task::spawn_blocking(move || p::prepare_photo(&bytes))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| refuse(e.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MineBody {
    code: String,
}

/// `POST /api/proposals/mine` with `{"code"}`: what became of the proposals made with a
/// participation code — waiting, published (status and answers), or not published (and
/// why) — for a pupil who gave no email. POST, so that the code stays out of addresses and
/// logs; wrong codes count against the network address.
pub async fn post_mine(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: MineBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid("body", format!("expected {{\"code\"}}: {e}")))?;
    limited(
        &state,
        &format!("code:{client}"),
        MAX_BAD_CODES_PER_ADDRESS,
        "wrong codes",
    )
    .await?;
    let Some(sha) = p::code_sha256(&b.code) else {
        return Err(bad_code(&state, &client).await);
    };
    let Some(rows) = state.store.proposals_of_code(&sha).await? else {
        return Err(bad_code(&state, &client).await);
    };
    let proposals: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "title": r.title,
                "category": r.category,
                "state": match r.state {
                    PState::Unconfirmed | PState::Pending => "pending",
                    PState::Published => "published",
                    PState::Rejected => "rejected",
                    PState::Merged => "merged",
                },
                "status": (r.state == PState::Published).then(|| r.status.as_str()),
                "reason": r.reject_reason,
                "merged_into": r.merged_into,
                "supports": r.supports,
                "created": date_oslo(r.created_ms),
                "answers": answers_json(&r.answers),
            })
        })
        .collect();
    Ok(private(axum::Json(json!({ "proposals": proposals }))))
}
