# Signing in with a phone number and a one-time code.

sign-in-title = Sign in
sign-in-intro = Sign in with the mobile number registered with your property company. We will text a code to it.
sign-in-phone-label = Mobile number
sign-in-phone-hint = 11 digits
sign-in-send-code = Send me a code
sign-in-code-sent = A code was sent to { $phone }. It works for { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }.
sign-in-code-label = Code
sign-in-code-hint = The 6 digits in the text message
sign-in-submit = Sign in
sign-in-resend = Send a new code
sign-in-resend-wait = You can ask for a new code in { $seconds ->
        [one] 1 second
       *[other] { $seconds } seconds
    }.
sign-in-change-phone = Use another number
sign-in-settings-hint = Need to change the community platform address?
