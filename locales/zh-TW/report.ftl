# Reporting an issue: the form, the list of my reports and one report's details.

report-new-title = 報事報修
report-edit-title = 修改報事
report-form-intro = 說說哪裡出了問題，物業會盡快處理。沒有網路也能送出，連線後會自動傳送。
report-category-label = 問題類型
report-category-choose = 請選擇問題類型
report-description-label = 問題描述
report-description-hint = 請寫清楚哪裡出了什麼問題，例如「廚房水槽下面的水管接頭在滴水」。
report-description-count = 已寫 { $count } 字，最多 { $max } 字
report-place-legend = 問題在哪裡
report-place-unit = 我家裡
report-place-building = 大樓裡的公共區域（樓梯間、電梯廳、屋頂等）
report-place-common = 社區公共區域（花園、停車場、大門等）
report-unit-label = 哪一戶
report-building-label = 哪一棟樓
report-area-label = 哪個區域
report-choose = 請選擇
report-spot-label = 具體位置
report-spot-hint-building = 例如：3 樓樓梯間
report-spot-hint-area = 例如：東門警衛亭旁邊（可以不填）
report-no-units = 您名下沒有登記的房屋，請選擇大樓裡的公共區域或社區公共區域。
report-urgency-legend = 緊急程度

urgency-routine = 不急
urgency-routine-hint = 過幾天處理也可以
urgency-soon = 比較急
urgency-soon-hint = 最好一天內處理
urgency-urgent = 很急
urgency-urgent-hint = 正在造成危險或損失

report-photos-legend = 照片（可以不加）
report-photos-hint = 拍下問題的樣子更容易說清楚，最多 { $max } 張。
report-photos-count = 已加入 { $count } 張，還能加入 { $left } 張
report-photo-add = 選擇照片
report-photo-adding = 正在處理照片…
report-photo-remove = 刪除第 { $index } 張照片
report-photo-alt = 第 { $index } 張照片
report-photos-full = 已經有 { $max } 張照片，不能再加入了。
report-photos-some-skipped = 一份報事最多 { $max } 張照片，多選的 { $count } 張沒有加入。
report-save-draft = 儲存草稿
report-submit = 送出
report-discard = 刪除草稿
report-discard-confirm = 確定要刪除這份草稿嗎？刪除後無法復原。
report-discard-yes = 確定刪除
report-saved = 草稿已儲存在這台裝置上。
report-fix-fields = 有 { $count } 處需要修改，請看下面各項的提示。

reports-title = 我的報事
reports-empty = 您還沒有報過事。
reports-new = 報新的事
report-no-category = 還沒選類型
report-no-description = （還沒寫描述）
report-created = { $time } 建立

# Where a report is on its way from this device to the platform.
delivery-draft = 草稿，還沒有送出
delivery-queued = 已儲存在本機，連線後自動傳送
delivery-sending = 正在傳送 { $percent }%
delivery-delivered = 已收到，編號 #{ $number }
delivery-rejected = 沒有被受理：{ $reason }
delivery-waiting-because = 暫時沒送出去：{ $reason }
report-edit = 修改
report-edit-rejected-hint = 請依照提示修改後重新送出。

report-detail-title = 報事詳情
report-field-number = 編號
# A report's number from the platform, e.g. #12.
report-number = #{ $number }
report-field-category = 問題類型
report-field-description = 問題描述
report-field-place = 位置
report-field-urgency = 緊急程度
report-field-status = 處理狀態
report-field-party = 負責單位
report-field-created = 建立時間
report-photos-title = 照片
report-timeline-title = 處理進度
report-timeline-empty = 還沒有處理紀錄。平台收到後，每一步處理都會寫在這裡。
report-not-found = 這台裝置上沒有這份報事。
report-place-spot = { $place }，{ $spot }

# Where a report stands with the people handling it.
status-received = 已受理
status-acknowledged = 已查看
status-assigned = 已派人
status-in-progress = 處理中
status-resolved = 已解決
status-closed = 已結束
status-reopened = 已重新開啟

# The four parties that handle reports.
party-property-company = 物業
party-community = 居委會
party-street-office = 街道辦
party-owners-committee = 業委會

# Elderly mode asks one question per step.
report-step = 第 { $step } 步，共 { $steps } 步
report-step-next = 下一步
report-step-back = 上一步
report-review-intro = 請看一下下面的內容，沒問題就點「送出」。要修改，就點「上一步」。
report-review-photos = { $count ->
        [0] 沒有照片
       *[other] { $count } 張照片
    }
report-review-missing = 還沒有選
