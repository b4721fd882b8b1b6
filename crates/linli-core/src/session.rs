//! Signing in and out, and noticing when the platform ended the session.
//!
//! The token is kept in the [`crate::SecretStore`] only (and cached in this process); the
//! profile, which is not secret, is kept in the store with the platform address it belongs to,
//! so a token is never sent to a platform that did not issue it.

use crate::client::Failure;
use crate::error::Error;
use crate::secrets::SESSION_ACCOUNT;
use crate::store::{Viewer, keys};
use crate::{Inner, now, settings};
use linli_api::error::{ApiError, ErrorCode};
use linli_api::ids::UserId;
use linli_api::ipc::{Event, Settings};
use linli_api::platform::{OtpSent, Profile};
use linli_api::validate::{validate_code, validate_phone};

/// A usable session: who, where, and the token to show.
#[derive(Clone)]
pub(crate) struct Session {
    pub token: String,
    pub user_id: UserId,
    pub base: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn cached_token(inner: &Inner) -> Option<String> {
    inner
        .token
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

fn set_cached_token(inner: &Inner, token: Option<String>) {
    *inner.token.lock().unwrap_or_else(|p| p.into_inner()) = token;
}

fn forget_token(inner: &Inner) {
    set_cached_token(inner, None);
    if let Err(e) = inner.secrets.delete(SESSION_ACCOUNT) {
        tracing::warn!(error = %e, "could not remove the session from the secret store");
    }
}

/// Picks up the session saved by an earlier run, if it belongs to the platform in use now.
pub(crate) fn load(inner: &Inner) -> Result<(), Error> {
    let token = match inner.secrets.get(SESSION_ACCOUNT) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the session from the secret store");
            None
        }
    };
    let Some(token) = token else {
        return Ok(());
    };
    let url = inner.platform_url()?;
    match inner.store.profile()? {
        Some((profile_url, _)) if profile_url == url => set_cached_token(inner, Some(token)),
        _ => {
            tracing::info!("saved session belongs to another platform; signing out locally");
            forget_token(inner);
            inner.store.forget_platform()?;
        }
    }
    Ok(())
}

/// The session to send requests with, if there is one.
pub(crate) fn current(inner: &Inner) -> Option<Session> {
    let token = cached_token(inner)?;
    let base = inner.platform_url().ok()?;
    let (profile_url, profile) = inner.store.profile().ok()??;
    (profile_url == base).then_some(Session {
        token,
        user_id: profile.user_id,
        base,
    })
}

/// Who is looking at the device's reports: the platform in use and the person known on it,
/// whether their session is in hand or expired (the stored profile outlives the token).
pub(crate) fn viewer(inner: &Inner) -> Result<Viewer, Error> {
    let platform_url = inner.platform_url()?;
    let user_id = inner
        .store
        .profile()?
        .filter(|(url, _)| *url == platform_url)
        .map(|(_, p)| p.user_id);
    Ok(Viewer {
        platform_url,
        user_id,
    })
}

/// Who is signed in, and whether a session ended that the person has not replaced yet, read
/// together so the UI never sees "signed in" and "expired" at once.
pub(crate) fn snapshot(inner: &Inner) -> Result<(Option<Profile>, bool), Error> {
    let token = inner.token.lock().unwrap_or_else(|p| p.into_inner());
    let url = inner.platform_url()?;
    let profile = inner
        .store
        .profile()?
        .filter(|(profile_url, _)| *profile_url == url)
        .map(|(_, p)| p);
    if token.is_none() {
        // A person known on this device whose session is not in hand (it expired, or an
        // earlier run kept it only in memory for want of a keychain) must sign in again, but
        // still sees their own reports meanwhile: reading never waits for the network.
        let expired = profile.is_some()
            || inner.store.setting(keys::SESSION_EXPIRED)?.as_deref() == Some("true");
        return Ok((profile, expired));
    }
    let expired = inner.store.setting(keys::SESSION_EXPIRED)?.as_deref() == Some("true");
    Ok((profile, expired))
}

/// The platform said the session behind `token` is gone: keep every report, remember that the
/// person must sign in again, and stop using the token.
pub(crate) fn lost(inner: &Inner, token: &str) {
    {
        let mut cached = inner.token.lock().unwrap_or_else(|p| p.into_inner());
        if cached.as_deref() != Some(token) {
            // A newer session replaced it meanwhile; that one is fine.
            return;
        }
        *cached = None;
        if let Err(e) = inner.secrets.delete(SESSION_ACCOUNT) {
            tracing::warn!(error = %e, "could not remove the ended session from the secret store");
        }
        if let Err(e) = inner.store.set_setting(keys::SESSION_EXPIRED, Some("true")) {
            tracing::error!(error = %e, "could not record that the session expired");
        }
    }
    tracing::info!("the platform ended the session; waiting for sign-in");
    inner.emit(Event::SessionChanged);
    inner.feed_restart.notify_one();
    inner.sync_changed();
}

/// Handles a failed request made with `session`: notices a lost session and records whether
/// the platform answered at all.
pub(crate) fn observe(inner: &Inner, session: &Session, failure: &Failure) {
    if failure.session_lost() {
        lost(inner, &session.token);
    }
    inner.set_online(failure.status.is_some());
}

/// Asks the platform to text a one-time code.
pub(crate) async fn request_code(inner: &Inner, phone: &str) -> Result<OtpSent, ApiError> {
    let phone = validate_phone(phone).map_err(|e| ApiError::validation(vec![e]))?;
    let base = inner.platform_url()?;
    let answer = inner.client.request_code(&base, &phone).await;
    inner.set_online(
        answer
            .as_ref()
            .map_or_else(|f| f.status.is_some(), |_| true),
    );
    Ok(answer?)
}

/// Signs in with a phone and code; drafts and queued reports of this person go out after.
pub(crate) async fn sign_in(inner: &Inner, phone: &str, code: &str) -> Result<Profile, ApiError> {
    let phone = validate_phone(phone);
    let code = validate_code(code);
    let (Ok(phone), Ok(code)) = (&phone, &code) else {
        let errors = [phone.err(), code.err()].into_iter().flatten().collect();
        return Err(ApiError::validation(errors));
    };
    let (phone, code) = (phone.clone(), code.clone());
    let base = inner.platform_url()?;
    let answer = inner.client.sign_in(&base, &phone, &code).await;
    inner.set_online(
        answer
            .as_ref()
            .map_or_else(|f| f.status.is_some(), |_| true),
    );
    let grant = answer?;
    inner
        .secrets
        .set(SESSION_ACCOUNT, &grant.token)
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    inner.store.save_profile(&base, &grant.profile)?;
    {
        let mut cached = inner.token.lock().unwrap_or_else(|p| p.into_inner());
        inner.store.set_setting(keys::SESSION_EXPIRED, None)?;
        *cached = Some(grant.token.clone());
    }
    tracing::info!(user = %grant.profile.user_id, "signed in");

    // The report form needs the catalogue; fetch it while the person watches the sign-in
    // finish, so the form can check categories and units even if the network drops next.
    let session = Session {
        token: grant.token,
        user_id: grant.profile.user_id,
        base,
    };
    if let Err(f) = refresh_catalogue(inner, &session).await {
        tracing::warn!(error = %f.error, "catalogue not fetched after sign-in");
    }
    inner.emit(Event::SessionChanged);
    inner.feed_restart.notify_one();
    inner.send_now();
    inner.sync_changed();
    Ok(grant.profile)
}

/// Signs out: ends the session on the platform if it can be reached, and forgets it here.
/// Drafts and queued reports stay on the device.
pub(crate) async fn sign_out(inner: &Inner) -> Result<(), ApiError> {
    if let Some(session) = current(inner)
        && let Err(f) = inner.client.sign_out(&session.base, &session.token).await
    {
        // The platform ends unused sessions by itself; signing out here must not depend on it.
        tracing::info!(error = %f.error, "platform not told about the sign-out");
    }
    {
        let mut cached = inner.token.lock().unwrap_or_else(|p| p.into_inner());
        *cached = None;
        if let Err(e) = inner.secrets.delete(SESSION_ACCOUNT) {
            tracing::warn!(error = %e, "could not remove the session from the secret store");
        }
        inner.store.set_setting(keys::SESSION_EXPIRED, None)?;
        // Signing out (a shared tablet handed on) forgets who was here; reports stay.
        inner.store.forget_profile()?;
    }
    inner.emit(Event::SessionChanged);
    inner.feed_restart.notify_one();
    inner.set_live(false);
    inner.sync_changed();
    Ok(())
}

/// Fetches and caches the catalogue.
pub(crate) async fn refresh_catalogue(inner: &Inner, session: &Session) -> Result<bool, Failure> {
    match inner.client.catalogue(&session.base, &session.token).await {
        Ok(catalogue) => {
            inner.set_online(true);
            inner
                .store
                .save_catalogue(&session.base, &catalogue, now())
                .map_err(|e| Failure {
                    status: None,
                    error: e.into(),
                })
        }
        Err(f) => {
            observe(inner, session, &f);
            Err(f)
        }
    }
}

/// Fetches the profile again (name, units may change on the platform).
pub(crate) async fn refresh_profile(inner: &Inner, session: &Session) -> Result<(), Failure> {
    match inner.client.me(&session.base, &session.token).await {
        Ok(profile) => {
            let before = inner.store.profile().ok().flatten().map(|(_, p)| p);
            if before.as_ref() != Some(&profile) {
                inner
                    .store
                    .save_profile(&session.base, &profile)
                    .map_err(|e| Failure {
                        status: None,
                        error: e.into(),
                    })?;
                inner.emit(Event::SessionChanged);
            }
            Ok(())
        }
        Err(f) => {
            observe(inner, session, &f);
            Err(f)
        }
    }
}

/// Saves settings. A new platform address signs out locally: the old token belongs to the old
/// platform and must never be shown to the new one.
pub(crate) fn save_settings(inner: &Inner, new: &Settings) -> Result<(), ApiError> {
    let before = inner.platform_url()?;
    let saved = settings::save(&inner.store, &inner.defaults, new)?;
    if saved.platform_url != before {
        tracing::info!(platform = %saved.platform_url, "platform address changed; signing out locally");
        forget_token(inner);
        inner.store.forget_platform()?;
        inner.emit(Event::SessionChanged);
        inner.feed_restart.notify_one();
        inner.set_live(false);
    }
    Ok(())
}
