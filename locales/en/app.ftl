# The frame around every screen: name, navigation, connection, shared words.

app-name = Linli
skip-to-main = Skip to main content
nav-label = Main menu
nav-home = Home
nav-reports = My reports
nav-settings = Settings

# Connection and outbox, in the header. Read out politely when it changes.
sync-label = Connection
sync-online = Online
sync-offline = Offline: kept on this device for now
# The session has expired and items wait: nothing is sent until the person signs in again.
sync-sign-in-to-send = Sign in again to send
sync-pending =
    { $count ->
        [0] everything sent
        [one] 1 item waiting
       *[other] { $count } items waiting
    }
sync-send-now = Send now

loading = Loading…
working = Please wait…
back-home = Back to home
retry = Try again
cancel = Cancel
switch-on = On
switch-off = Off
load-failed = Could not load this: { $reason }

# A moment, e.g. 29 Nov 2025, 18:04 ($time is hours:minutes).
date-time = { $day } { $month ->
        [1] Jan
        [2] Feb
        [3] Mar
        [4] Apr
        [5] May
        [6] Jun
        [7] Jul
        [8] Aug
        [9] Sep
        [10] Oct
        [11] Nov
       *[12] Dec
    } { $year }, { $time }

# Each language is named in its own words, whatever the current language.
language-name-zh-CN = 简体中文
language-name-en = English
language-name-zh-TW = 繁體中文

# Shown when this page is opened outside the Linli app (in a plain browser).
no-host-title = Please open this in the Linli app
no-host-body = This is the screen of the Linli app. It only works inside the app: in a plain browser you cannot sign in or report anything.
no-host-next = Open the Linli app on your phone or computer. If you do not have it yet, ask your property company or community staff.

session-expired-title = Your sign-in has expired: please sign in again
session-expired-body = Your drafts and the reports waiting to be sent are still on this device and will not be lost. They will be sent once you sign in again.

not-found-title = There is no such page

# Asked once, at the top of the first screens, until answered; it never blocks the screen.
first-run-question = Use elderly mode (长辈版, larger text)?
first-run-explain = Elderly mode has larger text and larger buttons, easier to read and to tap. You can change it at any time on the home screen or in settings.
first-run-elderly = Yes, larger text
first-run-normal = No, standard size

# Read this screen aloud (elderly mode, under the header on every screen).
read-aloud = Read this page aloud
read-aloud-stop = Stop reading
read-aloud-reading = Reading this page aloud…
read-aloud-unavailable = Reading aloud not available
