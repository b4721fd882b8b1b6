# What went wrong, one message per error code of the platform and the core
# (error-<code>), and per reason a field is refused (field-error-<code>).

error-validation-failed = 有些內容需要修改，請看各項下方的提示。
error-unauthenticated = 請先登入。
error-session-expired = 登入已過期，請重新登入。草稿和待送出的報事都還在。
error-forbidden = 您沒有權限做這件事。
error-not-found = 找不到這筆內容，它可能已經被刪除。
error-otp-invalid = 驗證碼不正確，請核對簡訊後重新輸入。
error-otp-expired = 驗證碼已過期或已經用過，請重新取得。
error-rate-limited = 操作太頻繁了，請稍後再試。
error-phone-not-registered = 這個手機號碼還沒有在社區登記，請聯絡物業或居委會登記。
error-idempotency-key-reused = 這次送出的內容和之前的不一致，請重新開啟後再試。
error-idempotency-key-in-progress = 上一次送出還在處理中，請稍候。
error-idempotency-key-invalid = 送出時出錯了，請再試一次。
error-payload-too-large = 內容太大了，請減少照片或文字後再試。
error-unsupported-media-type = 只能加入 JPEG、PNG 或 WebP 格式的照片。
error-malformed-request = 送出時出錯了，請再試一次。如果一直這樣，請聯絡物業。
error-invalid-transition = 這份報事現在不能改成這個狀態。
error-conflict = 這筆內容已經存在，而且和您送出的不一樣。
error-platform-unreachable = 暫時連不上社區平台，請檢查網路後再試。已經儲存或送出的內容都留在本機，連線後會自動送出。
error-invalid-platform-url = 平台網址不正確，需要以 https:// 開頭。
error-photo-unreadable = 這張照片打不開，請換一張試試。
error-sign-in-required = 請先登入。
error-already-sent = 這份報事已經送出，不能再修改。
error-internal = 系統出了點問題，請稍後再試。
error-retry-after = 請 { $seconds } 秒後再試。

field-error-required = 這一項必須填寫。
field-error-too-short = 太短了，至少要寫 { $limit } 個字。
field-error-too-long = 太長了，最多只能寫 { $limit } 個字。
field-error-too-many = 太多了，最多 { $limit } 個。
field-error-invalid-phone = 請輸入 11 位手機號碼，以 1 開頭。
field-error-invalid-code = 驗證碼是 6 位數字。
field-error-unknown-category = 沒有這個問題類型，請重新選擇。
field-error-unit-not-yours = 這不是您名下的房屋，請重新選擇。
field-error-unknown-place = 這個位置不在您的社區，請重新選擇。
field-error-invalid-choice = 請從列出的選項中選擇。
field-error-unknown-photo = 這張照片沒有加入成功，請刪除後重新加入。
field-error-invalid-url = 網址不正確。請輸入以 https:// 開頭的完整網址。
