# After a report is sent: where it stands, what the resident can do, comments, the board.

# Who has it, since when, what next and by when.
report-now-title = 目前的進度
report-held-by = 現在由{ $party }處理，從 { $date } 開始。
next-step-respond = { $party }應在 { $date } 前回覆。
next-step-resolve = { $party }預計在 { $date } 前處理好。
next-step-confirm = 請告訴我們修好了沒有。{ $date } 前沒有回覆，這件事會自動結束。
next-step-nothing = 這件事已經結束。
report-overdue = { $party }已經超過預計時間，還沒有做完。我們已經記錄下來，會計入公示榜。
report-affected = { $count ->
        [1] 只有您受影響
       *[other] 共有 { $count } 戶受影響
    }
report-time-held-title = 各單位用時
report-time-held = { $party }：{ $duration }
report-time-held-now = { $party }：{ $duration }（還在處理）
duration = { $days ->
        [0] { $hours ->
                [0] 不到 1 小時
               *[other] { $hours } 小時
            }
       *[other] { $days } 天 { $hours } 小時
    }

# The timeline.
timeline-filed = 送出了報事
timeline-status-changed = 進度：{ $status }
timeline-handed-off = { $from }轉交給{ $to }
timeline-resolved = 處理單位說已經處理好
timeline-confirmed = 報事人確認已經修好
timeline-reopened = 重新開啟
timeline-closed-automatically = 7 天沒有回覆，自動結束
timeline-rated = 報事人做了評價
timeline-rating = 服務態度 { $attitude } 分，維修品質 { $quality } 分，處理速度 { $speed } 分

# Resolution needs the resident.
report-resolved-question = 修好了嗎？
report-resolved-explain = 處理單位說已經處理好了。請您看一看，修好了就點「修好了」；沒有修好，就告訴我們哪裡還有問題。
report-confirm = 修好了
report-reopen = 沒修好，重新開啟
report-reopen-closed = 問題又出現了，重新開啟
report-reopen-until = { $date } 前都可以重新開啟。
report-reopen-reason-label = 哪裡還有問題？
report-reopen-send = 重新開啟
report-rate-title = 給這次處理打個分數
report-rate-explain = 您的評價會計入物業、居委會、街道和業委會的公示榜。
report-rate-attitude = 服務態度
report-rate-quality = 維修品質
report-rate-speed = 處理速度
rating-score = { $score ->
        [1] 1 分，很不滿意
        [2] 2 分，不滿意
        [3] 3 分，普通
        [4] 4 分，滿意
       *[5] 5 分，很滿意
    }
report-rate-comment-label = 還想說點什麼（可以不填）
report-rate-send = 送出評價
report-rated = 您的評價：服務態度 { $attitude } 分，維修品質 { $quality } 分，處理速度 { $speed } 分。

# Things done on the device, on their way.
action-confirm = 確認修好
action-reopen = 重新開啟
action-rate = 評價
action-follow = 關注
action-unfollow = 取消關注
action-comment = 留言
action-queued = { $action }：已儲存在本機，連線後會自動送出。
action-sending = { $action }：正在送出……
action-rejected = { $action }：沒有被接受。{ $reason }
action-dismiss = 知道了

# Following a neighbour's report.
report-following = 這是鄰居報的同樣問題，您關注了它，會收到進度。
report-unfollow = 不再關注
reports-following-badge = 關注中

# Comments between the resident and the handling party.
comments-title = 留言
comments-empty = 還沒有留言。
comment-author-reporter = 報事人
comment-author-follower = 關注的鄰居
comment-author-staff = { $party } · { $name }
comment-mine = 我
comment-label = 給處理單位留言
comment-send = 送出留言
comment-photo-add = 加照片
comment-photos-count = { $count ->
        [0] 沒有照片
       *[other] 已選 { $count } 張照片
    }
comment-sent = 留言已儲存，會送給處理單位。

# The report form: who may see it, emergencies, similar reports, a draft open twice.
report-visibility-legend = 誰能看到這份報事
report-visibility-private = 只給處理單位看
report-visibility-private-hint = 物業、居委會、街道和業委會看得到。
report-visibility-public = 也給本社區的鄰居看
report-visibility-public-hint = 鄰居看不到您的姓名、電話和門牌；遇到同樣的問題，他們可以關注，不用重複報。
emergency-title = 緊急情況，請先打電話！
emergency-explain = 聞到瓦斯味、著火、有人困在電梯裡，請馬上撥打下面的電話。打完電話，再在這裡登記。
emergency-fire = 消防 119（火災、瓦斯、電梯困人）
emergency-ambulance = 急救 120
emergency-police = 報警 110
emergency-duty = 物業 24 小時值班電話 { $number }
emergency-continue = 已經打過電話，繼續登記
similar-title = 鄰居是不是已經報過了？
similar-explain = 最近 14 天，這裡有這些還沒處理完的同類報事。如果是同一個問題，關注它就能收到進度，不用重複報。
similar-affected = { $count } 戶受影響
similar-follow = 是同一個問題，關注它
similar-different = 我的問題不一樣，繼續填寫
similar-mine = 這是您自己報的，去看看
similar-offline = 現在沒有網路，查不到鄰居有沒有報過。可以繼續填寫。
draft-take-over = 在這裡繼續編輯

# The accountability board.
board-title = 服務公示榜
board-intro = 本社區報事的處理情況，按處理單位統計。時間越短越好，重新開啟越少越好，評分越高越好。
board-period-legend = 時間範圍
board-period-30 = 最近 30 天
board-period-90 = 最近 90 天
board-period-365 = 最近一年
board-received = 收到報事
board-first-response = 第一次回覆用時（中位數）
board-resolution = 處理好用時（中位數）
board-reopened = 重新開啟的比例
board-rating = 平均評分（滿分 5 分）
board-count = { $count } 件
board-percent = { $percent }%
board-score = { $score } 分
board-no-data = 暫無資料
board-fetched = 資料時間：{ $date }
