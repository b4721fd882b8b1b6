//! The words of desktop notifications, from the Fluent files (`locales/<tag>/notifications.ftl`).

use linli_api::ipc::Language;
use linli_api::report::ReportStatus;
use linli_i18n::{Arg, Localizer, ids};

/// Title and body of the notification for a report that moved to `status`.
pub fn status_changed(
    language: Language,
    number: i64,
    status: ReportStatus,
    place: &str,
    note: Option<&str>,
) -> (String, String) {
    let l = Localizer::new(language);
    let status_text = l.text(&ids::status(status));
    let title = l.text_with(
        "notification-report-status-title",
        &[
            ("number", Arg::Num(number as f64)),
            ("status", Arg::Str(&status_text)),
        ],
    );
    let body = match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(note) => l.text_with(
            "notification-report-status-body",
            &[("place", Arg::Str(place)), ("note", Arg::Str(note))],
        ),
        None => l.text_with(
            "notification-report-status-body-no-note",
            &[("place", Arg::Str(place))],
        ),
    };
    (title, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_read_in_the_chosen_language() {
        let (title, body) = status_changed(
            Language::ZhCn,
            1024,
            ReportStatus::InProgress,
            "3栋2单元501",
            Some("师傅下午两点到"),
        );
        assert!(!title.starts_with("notification-"), "{title}");
        assert!(
            title.contains("1024") && title.contains("处理中"),
            "{title}"
        );
        assert!(
            body.contains("3栋2单元501") && body.contains("师傅下午两点到"),
            "{body}"
        );

        let (title, body) = status_changed(Language::En, 7, ReportStatus::Resolved, "Gate", None);
        assert!(title.contains('7') && title.contains("Fixed"), "{title}");
        assert_eq!(body, "Gate");
    }
}
