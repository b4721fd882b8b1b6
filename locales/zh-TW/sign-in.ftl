# Signing in with a phone number and a one-time code.

sign-in-title = 登入
sign-in-intro = 請用在物業登記過的手機號碼登入。我們會傳一則簡訊驗證碼到這個號碼。
sign-in-phone-label = 手機號碼
sign-in-phone-hint = 11 位手機號碼
sign-in-send-code = 取得驗證碼
sign-in-code-sent = 驗證碼已傳送到 { $phone }，{ $minutes } 分鐘內有效。
sign-in-code-label = 驗證碼
sign-in-code-hint = 簡訊裡的 6 位數字
sign-in-submit = 登入
sign-in-resend = 重新取得驗證碼
sign-in-resend-wait = { $seconds } 秒後可以重新取得驗證碼。
sign-in-change-phone = 換一個手機號碼
sign-in-settings-hint = 需要更改社區平台網址？
