# The frame around every screen: name, navigation, connection, shared words.

app-name = 邻里
skip-to-main = 跳到主要内容
nav-label = 主菜单
nav-home = 首页
nav-reports = 我的报事
nav-settings = 设置

# Connection and outbox, in the header. Read out politely when it changes.
sync-label = 连接状态
sync-online = 已联网
sync-offline = 未联网，内容先保存在本机
# The session has expired and items wait: nothing is sent until the person signs in again.
sync-sign-in-to-send = 重新登录后才能发送
sync-pending =
    { $count ->
        [0] 全部已发送
       *[other] { $count } 项待发送
    }
sync-send-now = 立即发送

loading = 正在加载…
working = 请稍候…
back-home = 回到首页
retry = 再试一次
cancel = 取消
switch-on = 已开启
switch-off = 已关闭
load-failed = 没能读取内容：{ $reason }

# A moment, e.g. 2025年11月29日 18:04 ($time is hours:minutes).
date-time = { $year }年{ $month }月{ $day }日 { $time }

# Each language is named in its own words, whatever the current language.
language-name-zh-CN = 简体中文
language-name-en = English
language-name-zh-TW = 繁體中文

# Shown when this page is opened outside the Linli app (in a plain browser).
no-host-title = 请在邻里应用里打开
no-host-body = 您看到的是邻里应用的界面，它只能在邻里应用里使用，在普通浏览器里无法登录或报事。
no-host-next = 请在手机或电脑上打开“邻里”应用。如果还没有安装，请向物业或社区工作人员咨询。

session-expired-title = 登录已过期，请重新登录
session-expired-body = 您的草稿和待发送的报事都还保存在这台设备上，不会丢失。重新登录后会继续发送。

not-found-title = 没有这个页面

# Asked once, at the top of the first screens, until answered; it never blocks the screen.
first-run-question = 要使用长辈版（大字）吗？
first-run-explain = 长辈版的字更大、按钮更大，看得清、点得准。以后随时可以在首页或设置里更改。
first-run-elderly = 用长辈版（大字）
first-run-normal = 用标准版

# Read this screen aloud (elderly mode, under the header on every screen).
read-aloud = 朗读本页
read-aloud-stop = 停止朗读
read-aloud-reading = 正在朗读本页…
read-aloud-unavailable = 本机不能朗读
