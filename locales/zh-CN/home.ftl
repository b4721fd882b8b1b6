# The home screen: a greeting and one large tile per thing the app does.

home-greeting = 您好，{ $name }
home-tiles-label = 您可以做这些事
tile-report = 报事报修
tile-report-hint = 家里或小区里有东西坏了，告诉物业
tile-my-reports = 我的报事
tile-my-reports-hint = 看看处理到哪一步了
tile-board = 服务公示榜
tile-board-hint = 看看各单位处理得怎么样
tile-vote = 业主投票
tile-surveys = 问卷调查
tile-telehealth = 在线问诊
tile-help = 一键求助
tile-notices = 社区公告
tile-later = 即将推出，现在还不能使用
tile-help-later = 一键求助还没有开通。遇到紧急情况，请直接拨打 120 急救、110 报警或 119 火警。
home-elderly-switch = 长辈版
