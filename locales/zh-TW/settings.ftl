# Settings: language, elderly mode, platform address, account.

settings-title = 設定
settings-language-legend = 語言
settings-display-legend = 顯示
settings-elderly-label = 長輩版
settings-elderly-hint = 字更大、按鈕更大、顏色對比更強，看得清楚、點得準確。
settings-platform-legend = 社區平台
settings-platform-label = 平台網址
settings-platform-hint = 由社區提供，以 https:// 開頭（本機示範平台除外）。
settings-platform-save = 儲存網址
settings-saved = 已儲存。
settings-account-legend = 帳號
settings-signed-in-as = 目前登入：{ $name }（{ $phone }），{ $estate }
settings-sign-out = 登出
settings-sign-out-hint = 登出後，草稿和待送出的報事仍然保存在這台裝置上。
settings-signed-out = 還沒有登入。
