# After a report is sent: where it stands, what the resident can do, comments, the board.

# Who has it, since when, what next and by when.
report-now-title = Where it stands
report-held-by = { $party } has it, since { $date }.
next-step-respond = { $party } should answer by { $date }.
next-step-resolve = { $party } expects to have it fixed by { $date }.
next-step-confirm = Please tell us whether it is fixed. With no answer by { $date }, it closes by itself.
next-step-nothing = This report is closed.
report-overdue = { $party } is past the expected time and has not finished. This is recorded and counts on the accountability board.
report-affected = { $count ->
        [1] Only you are affected
       *[other] { $count } households are affected
    }
report-time-held-title = Time with each party
report-time-held = { $party }: { $duration }
report-time-held-now = { $party }: { $duration } (still working on it)
duration = { $days ->
        [0] { $hours ->
                [0] less than an hour
                [one] 1 hour
               *[other] { $hours } hours
            }
        [one] 1 day { $hours } h
       *[other] { $days } days { $hours } h
    }

# The timeline.
timeline-filed = Report filed
timeline-status-changed = Progress: { $status }
timeline-handed-off = { $from } handed it to { $to }
timeline-resolved = The handling party says it is fixed
timeline-confirmed = The reporter confirmed it is fixed
timeline-reopened = Reopened
timeline-closed-automatically = No answer for 7 days, so it closed by itself
timeline-rated = The reporter rated it
timeline-rating = Attitude { $attitude }, quality { $quality }, speed { $speed } (out of 5)

# Resolution needs the resident.
report-resolved-question = Is it fixed?
report-resolved-explain = The handling party says it is fixed. Please check: if it is, press "It is fixed"; if not, tell us what is still wrong.
report-confirm = It is fixed
report-reopen = Not fixed, reopen it
report-reopen-closed = It is back, reopen it
report-reopen-until = You can reopen it until { $date }.
report-reopen-reason-label = What is still wrong?
report-reopen-send = Reopen
report-rate-title = Rate how it was handled
report-rate-explain = Your rating counts on the accountability board of the property company, the community, the street office and the owners' committee.
report-rate-attitude = Attitude
report-rate-quality = Quality of the work
report-rate-speed = Speed
rating-score = { $score ->
        [1] 1, very unhappy
        [2] 2, unhappy
        [3] 3, all right
        [4] 4, happy
       *[5] 5, very happy
    }
report-rate-comment-label = Anything else to say (optional)
report-rate-send = Send rating
report-rated = Your rating: attitude { $attitude }, quality { $quality }, speed { $speed } (out of 5).

# Things done on the device, on their way.
action-confirm = Confirm it is fixed
action-reopen = Reopen
action-rate = Rating
action-follow = Follow
action-unfollow = Stop following
action-comment = Comment
action-queued = { $action }: saved on this device; it goes out by itself once you are online.
action-sending = { $action }: sending…
action-rejected = { $action }: not accepted. { $reason }
action-dismiss = OK

# Following a neighbour's report.
report-following = A neighbour reported this same problem. You follow it and get its updates.
report-unfollow = Stop following
reports-following-badge = Following

# Comments between the resident and the handling party.
comments-title = Comments
comments-empty = No comments yet.
comment-author-reporter = Reporter
comment-author-follower = A neighbour who follows it
comment-author-staff = { $party } · { $name }
comment-mine = Me
comment-label = Write to the handling party
comment-send = Send comment
comment-photo-add = Add photos
comment-photos-count = { $count ->
        [0] No photos
        [one] 1 photo chosen
       *[other] { $count } photos chosen
    }
comment-sent = Comment saved; it goes to the handling party.

# The report form: who may see it, emergencies, similar reports, a draft open twice.
report-visibility-legend = Who can see this report
report-visibility-private = Only those who handle it
report-visibility-private-hint = The property company, the community, the street office and the owners' committee.
report-visibility-public = Also my neighbours in this estate
report-visibility-public-hint = Neighbours never see your name, phone or flat; with the same problem they can follow it instead of reporting again.
emergency-title = This is an emergency: call first!
emergency-explain = For a gas smell, a fire or someone trapped in a lift, call one of these numbers now. You can record it here afterwards.
emergency-fire = Fire and rescue 119 (fire, gas, lifts)
emergency-ambulance = Ambulance 120
emergency-police = Police 110
emergency-duty = Property company, 24-hour duty phone { $number }
emergency-continue = I have called; go on recording it
similar-title = Has a neighbour already reported this?
similar-explain = These open reports of the same kind here are from the last 14 days. If one is your problem, follow it to get its updates instead of reporting it again.
similar-affected = { $count ->
        [one] 1 household affected
       *[other] { $count } households affected
    }
similar-follow = Same problem: follow it
similar-different = Mine is different: go on
similar-mine = You reported this: see it
similar-offline = No connection: we cannot check whether a neighbour reported this. You can go on.
draft-take-over = Continue editing here

# The accountability board.
board-title = Accountability board
board-intro = How reports in this estate were handled, by the party that handled them. Shorter times are better, fewer reopened reports are better, higher ratings are better.
board-period-legend = Period
board-period-30 = Last 30 days
board-period-90 = Last 90 days
board-period-365 = Last year
board-received = Reports received
board-first-response = Time to first answer (median)
board-resolution = Time to fix (median)
board-reopened = Share reopened
board-rating = Average rating (out of 5)
board-count = { $count ->
        [one] 1 report
       *[other] { $count } reports
    }
board-percent = { $percent }%
board-score = { $score } of 5
board-no-data = No data
board-fetched = Figures from { $date }
