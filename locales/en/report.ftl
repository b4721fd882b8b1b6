# Reporting an issue: the form, the list of my reports and one report's details.

report-new-title = Report an issue
report-edit-title = Change a report
report-form-intro = Tell us what is wrong and the property company will deal with it. You can send it without a connection: it goes out by itself once you are online.
report-category-label = Kind of problem
report-category-choose = Choose a kind of problem
report-description-label = What is wrong
report-description-hint = Say where and what, for example "the pipe joint under the kitchen sink is dripping".
report-description-count = { $count } of { $max } characters
report-place-legend = Where is it
report-place-unit = In my home
report-place-building = In a shared part of a building (stairs, lift lobby, roof…)
report-place-common = In a common area of the estate (garden, car park, gate…)
report-unit-label = Which home
report-building-label = Which building
report-area-label = Which area
report-choose = Choose one
report-spot-label = Exact spot
report-spot-hint-building = For example: 3rd floor stairwell
report-spot-hint-area = For example: next to the east gate guard house (optional)
report-no-units = No home is registered in your name: choose a shared part of a building or a common area.
report-urgency-legend = How urgent is it

urgency-routine = Not urgent
urgency-routine-hint = It can wait a few days
urgency-soon = Soon
urgency-soon-hint = Best dealt with within a day
urgency-urgent = Urgent
urgency-urgent-hint = It is causing danger or damage now

report-photos-legend = Photos (optional)
report-photos-hint = A photo of the problem makes it clear. Up to { $max } photos.
report-photos-count = { $count ->
        [one] 1 photo added
       *[other] { $count } photos added
    }, { $left ->
        [0] no more can be added
        [one] 1 more can be added
       *[other] { $left } more can be added
    }
report-photo-add = Choose photos
report-photo-adding = Preparing the photo…
report-photo-remove = Remove photo { $index }
report-photo-alt = Photo { $index }
report-photos-full = There are already { $max } photos: no more can be added.
report-photos-some-skipped = A report can have at most { $max } photos, so { $count ->
        [one] 1 of the photos you chose was
       *[other] { $count } of the photos you chose were
    } not added.
report-save-draft = Save draft
report-submit = Send report
report-discard = Delete draft
report-discard-confirm = Delete this draft? This cannot be undone.
report-discard-yes = Yes, delete it
report-saved = The draft is saved on this device.
report-fix-fields = { $count ->
        [one] One thing needs changing: see the note below.
       *[other] { $count } things need changing: see the notes below.
    }

reports-title = My reports
reports-empty = You have not reported anything yet.
reports-new = Report something new
report-no-category = No kind chosen yet
report-no-description = (no description yet)
report-created = Started { $time }

# Where a report is on its way from this device to the platform.
delivery-draft = Draft, not sent yet
delivery-queued = Saved on this device, will send
delivery-sending = Sending { $percent }%
delivery-delivered = Received, #{ $number }
delivery-rejected = Not accepted: { $reason }
delivery-waiting-because = Not sent yet: { $reason }
report-edit = Change
report-edit-rejected-hint = Change what the note says, then send it again.

report-detail-title = Report details
report-field-number = Number
# A report's number from the platform, e.g. #12.
report-number = #{ $number }
report-field-category = Kind of problem
report-field-description = What is wrong
report-field-place = Where
report-field-urgency = How urgent
report-field-status = Status
report-field-party = Handled by
report-field-created = Started
report-photos-title = Photos
report-timeline-title = Progress
report-timeline-empty = Nothing has happened yet. Every step will be written here once the platform has it.
report-not-found = This report is not on this device.
report-place-spot = { $place }: { $spot }

# Where a report stands with the people handling it.
status-received = Received
status-acknowledged = Seen
status-assigned = Someone assigned
status-in-progress = Being fixed
status-resolved = Fixed
status-closed = Closed
status-reopened = Reopened

# The four parties that handle reports.
party-property-company = Property company
party-community = Residents' committee
party-street-office = Street office
party-owners-committee = Owners' committee

# Elderly mode asks one question per step.
report-step = Step { $step } of { $steps }
report-step-next = Next
report-step-back = Back
report-review-intro = Please check what you wrote below. If it is right, press "Send report". To change something, press "Back".
report-review-photos = { $count ->
        [0] No photos
        [one] 1 photo
       *[other] { $count } photos
    }
report-review-missing = Not chosen yet
