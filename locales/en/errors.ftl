# What went wrong, one message per error code of the platform and the core
# (error-<code>), and per reason a field is refused (field-error-<code>).

error-validation-failed = Some things need changing: see the notes next to them.
error-unauthenticated = Please sign in first.
error-session-expired = Your sign-in has expired: please sign in again. Your drafts and waiting reports are kept.
error-forbidden = You are not allowed to do this.
error-not-found = This could not be found. It may have been deleted.
error-otp-invalid = That code is not right. Check the text message and type it again.
error-otp-expired = That code has expired or was already used. Ask for a new one.
error-rate-limited = Too many tries. Please try again later.
error-phone-not-registered = This number is not registered with any community. Ask your property company or residents' committee to register it.
error-idempotency-key-reused = This differs from what was sent before. Please open it again and retry.
error-idempotency-key-in-progress = The last attempt is still being handled. Please wait a moment.
error-idempotency-key-invalid = Something went wrong sending this. Please try again.
error-payload-too-large = This is too large. Use fewer photos or less text and try again.
error-unsupported-media-type = Only JPEG, PNG or WebP photos can be added.
error-malformed-request = Something went wrong sending this. Please try again; if it keeps happening, contact the property company.
error-invalid-transition = This report cannot move to that status now.
error-conflict = This already exists with different content.
error-platform-unreachable = The community platform cannot be reached right now: check the connection and try again. Whatever you saved or sent is kept on this device and goes out once it can.
error-invalid-platform-url = That platform address is not acceptable: it must start with https://.
error-photo-unreadable = This photo cannot be opened. Please try another one.
error-speech-unavailable = This device cannot read aloud: it has no speech service.
error-draft-open-elsewhere = This draft is open in another window.
error-sign-in-required = Please sign in first.
error-already-sent = This report has been sent and can no longer be changed.
error-reopen-window-passed = This report closed more than 30 days ago and can no longer be reopened. If the problem is still there, please report it again.
error-already-rated = You have already rated this report. Each report is rated once.
error-not-closed-yet = You can rate a report once it is closed.
error-own-report = This is your own report: its updates reach you already.
error-not-followable = This report can no longer be followed: it is finished, too old, or private. If the problem is still there, please report it.
error-internal = Something went wrong on our side. Please try again later.
error-retry-after = Try again in { $seconds ->
        [one] 1 second
       *[other] { $seconds } seconds
    }.

field-error-required = Please fill this in.
field-error-too-short = Too short: write at least { $limit } characters.
field-error-too-long = Too long: write at most { $limit } characters.
field-error-too-many = Too many: at most { $limit }.
field-error-invalid-phone = Enter an 11-digit mobile number starting with 1.
field-error-invalid-code = The code is 6 digits.
field-error-unknown-category = There is no such kind of problem. Please choose again.
field-error-unit-not-yours = This home is not registered in your name. Please choose again.
field-error-unknown-place = This place is not in your estate. Please choose again.
field-error-invalid-choice = Please choose one of the options given.
field-error-unknown-photo = This photo was not added. Remove it and add it again.
field-error-invalid-url = That is not a valid address. Enter the full address starting with https://.
field-error-same-party = This report is already with them. Please choose another party.
field-error-end-before-start = The end must be later than the start.
