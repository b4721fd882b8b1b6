# After a report is sent: where it stands, what the resident can do, comments, the board.

# Who has it, since when, what next and by when.
report-now-title = 现在的进展
report-held-by = 现在由{ $party }处理，从 { $date } 开始。
next-step-respond = { $party }应在 { $date } 前回复。
next-step-resolve = { $party }预计在 { $date } 前处理好。
next-step-confirm = 请告诉我们修好了没有。{ $date } 前没有回复，这件事会自动结束。
next-step-nothing = 这件事已经结束。
report-overdue = { $party }已经超过预计时间，还没有做完。我们已经记录下来，会计入公示榜。
report-affected = { $count ->
        [1] 只有您受影响
       *[other] 共有 { $count } 户受影响
    }
report-time-held-title = 各单位用时
report-time-held = { $party }：{ $duration }
report-time-held-now = { $party }：{ $duration }（还在处理）
duration = { $days ->
        [0] { $hours ->
                [0] 不到 1 小时
               *[other] { $hours } 小时
            }
       *[other] { $days } 天 { $hours } 小时
    }

# The timeline.
timeline-filed = 提交了报事
timeline-status-changed = 进展：{ $status }
timeline-handed-off = { $from }转交给{ $to }
timeline-resolved = 处理单位说已经处理好
timeline-confirmed = 报事人确认已经修好
timeline-reopened = 重新打开
timeline-closed-automatically = 7 天没有回复，自动结束
timeline-rated = 报事人做了评价
timeline-rating = 服务态度 { $attitude } 分，维修质量 { $quality } 分，处理速度 { $speed } 分

# Resolution needs the resident.
report-resolved-question = 修好了吗？
report-resolved-explain = 处理单位说已经处理好了。请您看一看，修好了就点“修好了”；没有修好，就告诉我们哪里还有问题。
report-confirm = 修好了
report-reopen = 没修好，重新打开
report-reopen-closed = 问题又出现了，重新打开
report-reopen-until = { $date } 前都可以重新打开。
report-reopen-reason-label = 哪里还有问题？
report-reopen-send = 重新打开
report-rate-title = 给这次处理打个分
report-rate-explain = 您的评价会计入物业、居委会、街道和业委会的公示榜。
report-rate-attitude = 服务态度
report-rate-quality = 维修质量
report-rate-speed = 处理速度
rating-score = { $score ->
        [1] 1 分，很不满意
        [2] 2 分，不满意
        [3] 3 分，一般
        [4] 4 分，满意
       *[5] 5 分，很满意
    }
report-rate-comment-label = 还想说点什么（可以不填）
report-rate-send = 提交评价
report-rated = 您的评价：服务态度 { $attitude } 分，维修质量 { $quality } 分，处理速度 { $speed } 分。

# Things done on the device, on their way.
action-confirm = 确认修好
action-reopen = 重新打开
action-rate = 评价
action-follow = 关注
action-unfollow = 取消关注
action-comment = 留言
action-queued = { $action }：已保存在本机，联网后会自动发送。
action-sending = { $action }：正在发送……
action-rejected = { $action }：没有被接受。{ $reason }
action-dismiss = 知道了

# Following a neighbour's report.
report-following = 这是邻居报的同样问题，您关注了它，会收到进展。
report-unfollow = 不再关注
reports-following-badge = 关注中

# Comments between the resident and the handling party.
comments-title = 留言
comments-empty = 还没有留言。
comment-author-reporter = 报事人
comment-author-follower = 关注的邻居
comment-author-staff = { $party } · { $name }
comment-mine = 我
comment-label = 给处理单位留言
comment-send = 发送留言
comment-photo-add = 加照片
comment-photos-count = { $count ->
        [0] 没有照片
       *[other] 已选 { $count } 张照片
    }
comment-sent = 留言已保存，会发给处理单位。

# The report form: who may see it, emergencies, similar reports, a draft open twice.
report-visibility-legend = 谁能看到这份报事
report-visibility-private = 只给处理单位看
report-visibility-private-hint = 物业、居委会、街道和业委会能看到。
report-visibility-public = 也给本小区的邻居看
report-visibility-public-hint = 邻居看不到您的姓名、电话和房号；遇到同样的问题，他们可以关注，不用重复报。
emergency-title = 紧急情况，请先打电话！
emergency-explain = 闻到燃气味、着火、有人困在电梯里，请马上拨打下面的电话。打完电话，再在这里登记。
emergency-fire = 消防 119（火情、燃气、电梯困人）
emergency-ambulance = 急救 120
emergency-police = 报警 110
emergency-duty = 物业 24 小时值班电话 { $number }
emergency-continue = 已经打过电话，继续登记
similar-title = 邻居是不是已经报过了？
similar-explain = 最近 14 天，这里有这些还没处理完的同类报事。如果是同一个问题，关注它就能收到进展，不用重复报。
similar-affected = { $count } 户受影响
similar-follow = 是同一个问题，关注它
similar-different = 我的问题不一样，继续填写
similar-mine = 这是您自己报的，去看看
similar-offline = 现在没有网络，查不到邻居有没有报过。可以继续填写。
draft-take-over = 在这里继续编辑

# The accountability board.
board-title = 服务公示榜
board-intro = 本小区报事的处理情况，按处理单位统计。时间越短越好，重新打开越少越好，评分越高越好。
board-period-legend = 时间范围
board-period-30 = 最近 30 天
board-period-90 = 最近 90 天
board-period-365 = 最近一年
board-received = 收到报事
board-first-response = 第一次回复用时（中位数）
board-resolution = 处理好用时（中位数）
board-reopened = 重新打开的比例
board-rating = 平均评分（满分 5 分）
board-count = { $count } 件
board-percent = { $percent }%
board-score = { $score } 分
board-no-data = 暂无数据
board-fetched = 数据时间：{ $date }
