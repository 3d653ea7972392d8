//! Staff: the moderation queue and its actions, and batches of participation codes.

use super::*;

/// A signed-in moderator or admin.
async fn staff(state: &AppState, headers: &HeaderMap, changes: bool) -> Result<Person, ApiError> {
    let p = crate::http::auth::signed_in_person(state, headers, changes).await?;
    if p.staff_role.is_none() {
        return Err(ApiError::Forbidden(
            "only the municipality's moderators and admins do this".into(),
        ));
    }
    Ok(p)
}

fn moderation_json(s: &crate::index::Snapshot, r: &ProposalRow, base: &BaseUrl) -> Value {
    let at = LonLat::new(r.lon, r.lat);
    let (district, kommunedel) = crate::index::proposals::districts_at(s, at);
    let catchment = s
        .proposals
        .index_of(r.id)
        .and_then(|i| crate::coverage::proposal_catchments(s).of(i).cloned())
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
        "district": district_json(s, district),
        "kommunedel": district_json(s, kommunedel),
        "catchment": catchment_json(catchment.as_ref()),
        "answers": answers_json(&r.answers),
        "reject_reason": r.reject_reason,
        "merged_into": r.merged_into,
        "flags": r.flags,
        "via": r.via,
        "batch": r.batch_label,
        "has_email": r.email.is_some(),
        "photo": r.has_photo.then(|| format!("{}/api/moderation/proposals/{}/photo", base.0, r.id)),
        "version": r.version,
    })
}

/// `GET /api/moderation/proposals?state=…`.
pub async fn get_moderation(
    State(state): State<AppState>,
    base: BaseUrl,
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
        "proposals": rows.iter().map(|r| moderation_json(&s, r, &base)).collect::<Vec<_>>(),
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
    remove_photo: Option<bool>,
}

/// `POST /api/moderation/proposals/{id}`: publish, reject, edit, answer or merge.
pub async fn post_moderation(
    State(state): State<AppState>,
    base: BaseUrl,
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
            let remove_photo = b.remove_photo.unwrap_or(false);
            if title.is_none() && text.is_none() && !remove_photo {
                errors.push(field(
                    "title",
                    "give the new title, the new text, or remove_photo: true",
                ));
            }
            Moderation::Edit {
                title,
                body: text,
                remove_photo,
            }
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
            return Err(ApiError::StaleVersion {
                detail: format!(
                    "someone changed this proposal since you read it (now version {current_version}); read it again"
                ),
                current_version,
            });
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
    Ok(private(axum::Json(moderation_json(&s, &row, &base))))
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

/// `GET /api/moderation/proposals/{id}/photo`: any proposal's photo, for staff.
pub async fn get_moderation_photo(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    staff(&state, &headers, false).await?;
    let gone = || ApiError::NotFound(format!("no photo of proposal {id:?}"));
    let id: i64 = id.parse().map_err(|_| gone())?;
    let photo = state
        .store
        .proposal_photo(id, false)
        .await?
        .ok_or_else(gone)?;
    Ok(super::read::jpeg(photo, "private, no-store"))
}
