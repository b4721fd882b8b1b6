# Desktop notifications the core sends when a delivered report moves on the platform.
# $number: the report's number; $status: the new status in words (status-* messages);
# $place: where the problem is, as the platform names it; $note: what staff wrote.

notification-report-status-title = 報修 #{ $number }：{ $status }
notification-report-status-body = { $place }：{ $note }
notification-report-status-body-no-note = { $place }
