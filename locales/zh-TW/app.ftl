# The frame around every screen: name, navigation, connection, shared words.

app-name = 鄰里
skip-to-main = 跳到主要內容
nav-label = 主選單
nav-home = 首頁
nav-reports = 我的報事
nav-settings = 設定

# Connection and outbox, in the header. Read out politely when it changes.
sync-label = 連線狀態
sync-online = 已連線
sync-offline = 未連線，內容先儲存在本機
# The session has expired and items wait: nothing is sent until the person signs in again.
sync-sign-in-to-send = 重新登入後才能送出
sync-pending =
    { $count ->
        [0] 全部已送出
       *[other] { $count } 項待送出
    }
sync-send-now = 立即送出

loading = 載入中…
working = 請稍候…
back-home = 回到首頁
retry = 再試一次
cancel = 取消
switch-on = 已開啟
switch-off = 已關閉
load-failed = 無法讀取內容：{ $reason }

# A moment, e.g. 2025年11月29日 18:04 ($time is hours:minutes).
date-time = { $year }年{ $month }月{ $day }日 { $time }

# Each language is named in its own words, whatever the current language.
language-name-zh-CN = 简体中文
language-name-en = English
language-name-zh-TW = 繁體中文

# Shown when this page is opened outside the Linli app (in a plain browser).
no-host-title = 請在鄰里 App 裡開啟
no-host-body = 您看到的是鄰里 App 的畫面，只能在鄰里 App 裡使用，在一般瀏覽器裡無法登入或報事。
no-host-next = 請在手機或電腦上開啟「鄰里」App。如果還沒有安裝，請向物業或社區工作人員詢問。

session-expired-title = 登入已過期，請重新登入
session-expired-body = 您的草稿和待送出的報事都還保存在這台裝置上，不會遺失。重新登入後會繼續送出。

not-found-title = 沒有這個頁面

# Asked once, at the top of the first screens, until answered; it never blocks the screen.
first-run-question = 要使用長輩版（大字）嗎？
first-run-explain = 長輩版的字更大、按鈕更大，看得清楚、點得準確。之後隨時可以在首頁或設定裡更改。
first-run-elderly = 用長輩版（大字）
first-run-normal = 用標準版

# Read this screen aloud (elderly mode, under the header on every screen).
read-aloud = 朗讀本頁
read-aloud-stop = 停止朗讀
read-aloud-reading = 正在朗讀本頁…
read-aloud-unavailable = 本機無法朗讀
