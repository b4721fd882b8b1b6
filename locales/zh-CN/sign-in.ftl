# Signing in with a phone number and a one-time code.

sign-in-title = 登录
sign-in-intro = 请用在物业登记过的手机号登录。我们会给这个号码发一条短信验证码。
sign-in-phone-label = 手机号
sign-in-phone-hint = 11 位手机号码
sign-in-send-code = 获取验证码
sign-in-code-sent = 验证码已发到 { $phone }，{ $minutes } 分钟内有效。
sign-in-code-label = 验证码
sign-in-code-hint = 短信里的 6 位数字
sign-in-submit = 登录
sign-in-resend = 重新获取验证码
sign-in-resend-wait = { $seconds } 秒后可以重新获取验证码。
sign-in-change-phone = 换一个手机号
sign-in-settings-hint = 需要更改社区平台地址？
