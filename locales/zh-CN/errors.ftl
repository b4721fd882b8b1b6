# What went wrong, one message per error code of the platform and the core
# (error-<code>), and per reason a field is refused (field-error-<code>).

error-validation-failed = 有些内容需要修改，请看各项下面的提示。
error-unauthenticated = 请先登录。
error-session-expired = 登录已过期，请重新登录。草稿和待发送的报事都还在。
error-forbidden = 您没有权限做这件事。
error-not-found = 找不到这条内容，它可能已经被删除。
error-otp-invalid = 验证码不对，请核对短信后重新输入。
error-otp-expired = 验证码已过期或已经用过，请重新获取。
error-rate-limited = 操作太频繁了，请稍后再试。
error-phone-not-registered = 这个手机号还没有在社区登记，请联系物业或居委会登记。
error-idempotency-key-reused = 这次提交和之前的内容不一致，请重新打开后再试。
error-idempotency-key-in-progress = 上一次提交还在处理中，请稍等。
error-idempotency-key-invalid = 提交出错了，请再试一次。
error-payload-too-large = 内容太大了，请减少照片或文字后再试。
error-unsupported-media-type = 只能添加 JPEG、PNG 或 WebP 格式的照片。
error-malformed-request = 提交出错了，请再试一次。如果一直这样，请联系物业。
error-invalid-transition = 这份报事现在不能改成这个状态。
error-conflict = 这条内容已经存在，而且和您提交的不一样。
error-platform-unreachable = 暂时连不上社区平台，请检查网络后再试。已经保存或提交的内容都留在本机，联网后会自动发送。
error-invalid-platform-url = 平台地址不对，需要以 https:// 开头。
error-photo-unreadable = 这张照片打不开，请换一张试试。
error-sign-in-required = 请先登录。
error-already-sent = 这份报事已经发出，不能再修改。
error-internal = 系统出了点问题，请稍后再试。
error-retry-after = 请 { $seconds } 秒后再试。

field-error-required = 这一项必须填写。
field-error-too-short = 太短了，至少要写 { $limit } 个字。
field-error-too-long = 太长了，最多只能写 { $limit } 个字。
field-error-too-many = 太多了，最多 { $limit } 个。
field-error-invalid-phone = 请输入 11 位手机号，以 1 开头。
field-error-invalid-code = 验证码是 6 位数字。
field-error-unknown-category = 没有这个问题类型，请重新选择。
field-error-unit-not-yours = 这不是您名下的房屋，请重新选择。
field-error-unknown-place = 这个位置不在您的小区，请重新选择。
field-error-invalid-choice = 请从给出的选项中选择。
field-error-unknown-photo = 这张照片没有添加成功，请删除后重新添加。
field-error-invalid-url = 地址不对。请输入以 https:// 开头的完整地址。
