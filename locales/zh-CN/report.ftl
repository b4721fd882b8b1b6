# Reporting an issue: the form, the list of my reports and one report's details.

report-new-title = 报事报修
report-edit-title = 修改报事
report-form-intro = 说说哪里出了问题，物业会尽快处理。没有网络也能提交，联网后会自动发送。
report-category-label = 问题类型
report-category-choose = 请选择问题类型
report-description-label = 问题描述
report-description-hint = 请写清楚哪里出了什么问题，比如“厨房水池下面的水管接口在滴水”。
report-description-count = 已写 { $count } 字，最多 { $max } 字
report-place-legend = 问题在哪里
report-place-unit = 我家里
report-place-building = 楼里的公共部位（楼道、电梯间、楼顶等）
report-place-common = 小区公共区域（花园、停车场、大门等）
report-unit-label = 哪一户
report-building-label = 哪一栋楼
report-area-label = 哪个区域
report-choose = 请选择
report-spot-label = 具体位置
report-spot-hint-building = 比如：3 楼楼梯间
report-spot-hint-area = 比如：东门保安亭旁边（可以不填）
report-no-units = 您名下没有登记的房屋，请选择楼里的公共部位或小区公共区域。
report-urgency-legend = 紧急程度

urgency-routine = 不急
urgency-routine-hint = 过几天处理也可以
urgency-soon = 比较急
urgency-soon-hint = 最好一天内处理
urgency-urgent = 很急
urgency-urgent-hint = 正在造成危险或损失

report-photos-legend = 照片（可以不加）
report-photos-hint = 拍下问题的样子更容易说清楚，最多 { $max } 张。
report-photos-count = 已添加 { $count } 张，还能添加 { $left } 张
report-photo-add = 选择照片
report-photo-adding = 正在处理照片…
report-photo-remove = 删除第 { $index } 张照片
report-photo-alt = 第 { $index } 张照片
report-photos-full = 已经有 { $max } 张照片，不能再添加了。
report-photos-some-skipped = 一份报事最多 { $max } 张照片，多选的 { $count } 张没有添加。
report-save-draft = 保存草稿
report-submit = 提交
report-discard = 删除草稿
report-discard-confirm = 确定要删除这份草稿吗？删除后无法恢复。
report-discard-yes = 确定删除
report-saved = 草稿已保存在这台设备上。
report-fix-fields = 有 { $count } 处需要修改，请看下面各项的提示。

reports-title = 我的报事
reports-empty = 您还没有报过事。
reports-new = 报新的事
report-no-category = 还没选类型
report-no-description = （还没写描述）
report-created = { $time } 创建

# Where a report is on its way from this device to the platform.
delivery-draft = 草稿，还没有提交
delivery-queued = 已保存在本机，联网后自动发送
delivery-sending = 正在发送 { $percent }%
delivery-delivered = 已收到，编号 #{ $number }
delivery-rejected = 没有被受理：{ $reason }
delivery-waiting-because = 暂时没发出去：{ $reason }
report-edit = 修改
report-edit-rejected-hint = 请按提示修改后重新提交。

report-detail-title = 报事详情
report-field-number = 编号
# A report's number from the platform, e.g. #12.
report-number = #{ $number }
report-field-category = 问题类型
report-field-description = 问题描述
report-field-place = 位置
report-field-urgency = 紧急程度
report-field-status = 处理状态
report-field-party = 负责单位
report-field-created = 创建时间
report-photos-title = 照片
report-timeline-title = 处理进度
report-timeline-empty = 还没有处理记录。平台收到后，每一步处理都会写在这里。
report-not-found = 这台设备上没有这份报事。
report-place-spot = { $place }，{ $spot }

# Where a report stands with the people handling it.
status-received = 已受理
status-acknowledged = 已查看
status-assigned = 已派人
status-in-progress = 处理中
status-resolved = 已解决
status-closed = 已结束
status-reopened = 已重新打开

# The four parties that handle reports.
party-property-company = 物业
party-community = 居委会
party-street-office = 街道办
party-owners-committee = 业委会

# Elderly mode asks one question per step.
report-step = 第 { $step } 步，共 { $steps } 步
report-step-next = 下一步
report-step-back = 上一步
report-review-intro = 请看一下下面的内容，没问题就点“提交”。要修改，就点“上一步”。
report-review-photos = { $count ->
        [0] 没有照片
       *[other] { $count } 张照片
    }
report-review-missing = 还没有选
