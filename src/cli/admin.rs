//! `admin`, `outbox`: staff accounts (the first admin is made here) and the email outbox.

use super::AdminCommand;
use crate::app;
use crate::config::Settings;

pub async fn admin(settings: &Settings, cmd: AdminCommand) -> anyhow::Result<()> {
    match cmd {
        AdminCommand::Create {
            email,
            name,
            role,
            lang,
        } => {
            let public_url = settings.public_url();
            anyhow::ensure!(
                crate::accounts::plausible_email(&crate::accounts::normalise_email(&email)),
                "--email {email:?} is not an email address"
            );
            anyhow::ensure!(
                (1..=120).contains(&name.trim().chars().count()),
                "--name must be 1–120 characters"
            );
            let store = app::open_store(settings, "naermiljo-admin").await?;
            let made = crate::accounts::create_staff(
                store.as_ref(),
                &email,
                &name,
                role,
                &lang,
                &public_url,
                None,
            )
            .await?;
            let Some((id, link)) = made else {
                anyhow::bail!("{email} has an account already");
            };
            eprintln!(
                "Person {id}: {} ({}). The invitation is in the outbox: a server running with \
                 --smtp-url emails it; or open its link yourself. It works once, for 24 hours:",
                email.trim().to_lowercase(),
                role.as_str(),
            );
            if settings.public_url.is_none() {
                eprintln!(
                    "(The link starts with {public_url}, the default address: if the server \
                     runs at another, put that in its place. Give commands the server's \
                     --public-url, or set NAERMILJO_PUBLIC_URL, to have it right.)"
                );
            }
            println!("{link}");
            Ok(())
        }
    }
}

/// `naermiljo outbox`: what email was sent or waits, newest first.
pub async fn outbox(settings: &Settings, limit: i64, with_body: bool) -> anyhow::Result<()> {
    let store = app::open_store(settings, "naermiljo-outbox").await?;
    for m in store.outbox(limit.clamp(1, 10_000)).await? {
        let mut row = serde_json::to_value(&m)?;
        if !with_body && let Some(o) = row.as_object_mut() {
            o.remove("body");
        }
        println!("{row}");
    }
    Ok(())
}
