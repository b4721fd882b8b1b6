# The home screen: a greeting and one large tile per thing the app does.

home-greeting = 您好，{ $name }
home-tiles-label = 您可以做這些事
tile-report = 報事報修
tile-report-hint = 家裡或社區裡有東西壞了，告訴物業
tile-my-reports = 我的報事
tile-my-reports-hint = 看看處理到哪一步了
tile-board = 服務公示榜
tile-board-hint = 看看各單位處理得怎麼樣
tile-vote = 業主投票
tile-surveys = 問卷調查
tile-telehealth = 線上問診
tile-help = 一鍵求助
tile-notices = 社區公告
tile-later = 即將推出，現在還不能使用
tile-help-later = 一鍵求助還沒有開通。遇到緊急情況，請直接撥打 120 急救、110 報警或 119 火警。
home-elderly-switch = 長輩版
