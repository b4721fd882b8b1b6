# Settings: language, elderly mode, platform address, account.

settings-title = 设置
settings-language-legend = 语言
settings-display-legend = 显示
settings-elderly-label = 长辈版
settings-elderly-hint = 字更大、按钮更大、颜色对比更强，看得清、点得准。
settings-platform-legend = 社区平台
settings-platform-label = 平台地址
settings-platform-hint = 由社区提供，以 https:// 开头（本机演示平台除外）。
settings-platform-save = 保存地址
settings-saved = 已保存。
settings-account-legend = 账号
settings-signed-in-as = 当前登录：{ $name }（{ $phone }），{ $estate }
settings-sign-out = 退出登录
settings-sign-out-hint = 退出后，草稿和待发送的报事仍然保存在这台设备上。
settings-signed-out = 还没有登录。
