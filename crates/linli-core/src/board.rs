//! The estate's accountability board: from the platform when it answers, else the last one
//! fetched for the same period, with when it was fetched.

use crate::actions::online_only;
use crate::{Inner, now, session};
use linli_api::Timestamp;
use linli_api::error::{ApiError, ErrorCode};
use linli_api::ipc::BoardView;
use linli_api::validate::validate_period;

/// The board for a period (`None`: the platform's default, the last 30 days).
pub(crate) async fn board(
    inner: &Inner,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
) -> Result<BoardView, ApiError> {
    if let (Some(from), Some(to)) = (from, to) {
        let errors = validate_period(from, to);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
    }
    let url = inner.platform_url()?;
    let Some((_, profile)) = inner.store.profile()?.filter(|(u, _)| *u == url) else {
        return Err(ApiError::new(
            ErrorCode::SignInRequired,
            "sign in to see the estate's board",
        ));
    };
    let estate = profile.estate_id;
    let cached = || -> Result<Option<BoardView>, ApiError> {
        Ok(inner
            .store
            .board(&url, estate, (from, to))?
            .map(|(board, fetched_at)| BoardView { board, fetched_at }))
    };
    let unreachable = |detail: String| ApiError::new(ErrorCode::PlatformUnreachable, detail);
    let Some(session) = session::current(inner) else {
        return cached()?.ok_or_else(|| unreachable("not signed in and no board kept".into()));
    };
    match inner
        .client
        .board(&session.base, &session.token, estate, from, to)
        .await
    {
        Ok(board) => {
            inner.set_online(true);
            let fetched_at = now();
            if let Err(e) = inner.store.save_board(&url, (from, to), &board, fetched_at) {
                tracing::warn!(error = %e, "board not kept on the device");
            }
            Ok(BoardView { board, fetched_at })
        }
        Err(f) => {
            let error = online_only(inner, &session, f);
            if error.code != ErrorCode::PlatformUnreachable {
                return Err(error);
            }
            cached()?.ok_or(error)
        }
    }
}
