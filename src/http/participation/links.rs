//! The links that confirm an email (`/delta/bekreft/{secret}`): a page that says what the
//! link confirms, in the language the resident wrote in, and the answer once it is used.

use super::*;

fn secret_of(path: &str) -> String {
    path.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(64)
        .collect()
}

/// Text for HTML: `&`, `<`, `>`, `"` and `'` as entities (a proposal's title is a
/// resident's words).
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page in `lang` (`nb` or `en`) with the kit's stylesheet.
fn page(lang: &str, title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>{title} – Nærmiljø</title><link rel="stylesheet" href="/static/kit/base.css"></head>
<body><main class="layout" id="main"><section class="panel">
{body}
</section></main></body></html>
"#
    )
}

/// The language a link was sent in: `?lang=en`, else Norwegian.
#[derive(Deserialize)]
pub struct LinkQuery {
    lang: Option<String>,
}

impl LinkQuery {
    fn en(&self) -> bool {
        self.lang.as_deref() == Some("en")
    }
}

/// The page of a link that no longer works (404).
fn link_gone(en: bool) -> Response {
    let (title, text, map) = if en {
        (
            "This link no longer works",
            "It has been used, or is older than 48 hours.",
            "To the map",
        )
    } else {
        (
            "Lenken virker ikke lenger",
            "Den er brukt, eller eldre enn 48 timer.",
            "Til kartet",
        )
    };
    let home = if en { "/?lang=en" } else { "/" };
    private((
        StatusCode::NOT_FOUND,
        Html(page(
            if en { "en" } else { "nb" },
            title,
            &format!(
                r#"<h1 id="confirm-result">{title}</h1><p>{text}</p><p><a href="{home}">{map}</a></p>"#
            ),
        )),
    ))
}

/// `GET /delta/bekreft/{secret}`: says what the link confirms, with one button; a mail
/// scanner that opens the link confirms nothing.
pub async fn get_confirm(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Result<Response, ApiError> {
    let secret = secret_of(&secret);
    let en = q.en();
    let Some((purpose, title)) = state
        .store
        .link_about(&token_sha256(&secret), now_ms())
        .await?
    else {
        return Ok(link_gone(en));
    };
    let title = escape_html(&title);
    let (heading, button) = match (purpose.as_str(), en) {
        ("proposal", false) => (format!("Bekreft forslaget «{title}»"), "Bekreft forslaget"),
        ("proposal", true) => (
            format!("Confirm your proposal “{title}”"),
            "Confirm the proposal",
        ),
        ("notices", false) => (
            format!("Få svar på «{title}» på e-post"),
            "Bekreft e-postadressen",
        ),
        ("notices", true) => (
            format!("Get the answers to “{title}” by email"),
            "Confirm the email address",
        ),
        (_, false) => (format!("Støtt forslaget «{title}»"), "Bekreft støtten"),
        (_, true) => (
            format!("Support the proposal “{title}”"),
            "Confirm your support",
        ),
    };
    let action = format!(
        "/delta/bekreft/{secret}{}",
        if en { "?lang=en" } else { "" }
    );
    Ok(private(Html(page(
        if en { "en" } else { "nb" },
        if en { "Confirm" } else { "Bekreft" },
        &format!(
            r#"<h1>{heading}</h1>
<form method="post" action="{action}">
<button type="submit">{button}</button>
</form>"#
        ),
    ))))
}

/// `POST /delta/bekreft/{secret}`: uses the link.
pub async fn post_confirm(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Result<Response, ApiError> {
    let secret = secret_of(&secret);
    let en = q.en();
    let confirmed = state
        .store
        .confirm(&token_sha256(&secret), now_ms())
        .await?;
    let (nb, english) = match confirmed {
        Confirmed::Proposal(_) => (
            "Takk! Forslaget ditt er bekreftet og venter nå på godkjenning. Du får svar på e-post.",
            "Thank you! Your proposal is confirmed and now waits for moderation. You will get answers by email.",
        ),
        Confirmed::Notices(_) => (
            "Takk! Svar på forslaget ditt sendes til denne adressen.",
            "Thank you! Answers to your proposal will be sent to this address.",
        ),
        Confirmed::Support(_) => {
            reload(&state).await;
            (
                "Takk! Støtten din er telt med.",
                "Thank you! Your support is counted.",
            )
        }
        Confirmed::SupportedAlready(_) => (
            "Du støtter allerede dette forslaget: hver person telles én gang.",
            "You support this proposal already: each person counts once.",
        ),
        Confirmed::Gone => return Ok(link_gone(en)),
    };
    let (text, title, map, home) = if en {
        (english, "Confirmed", "To the map", "/?lang=en")
    } else {
        (nb, "Bekreftet", "Til kartet", "/")
    };
    Ok(private((
        StatusCode::OK,
        Html(page(
            if en { "en" } else { "nb" },
            title,
            &format!(r#"<h1 id="confirm-result">{text}</h1><p><a href="{home}">{map}</a></p>"#),
        )),
    )))
}

/// The address of a confirmation link, in the language the resident asked in.
pub(super) fn confirm_link(state: &AppState, secret: &str, lang: &str) -> String {
    format!(
        "{}/delta/bekreft/{secret}{}",
        state.public_url(),
        if lang == "en" { "?lang=en" } else { "" }
    )
}
