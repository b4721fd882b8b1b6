# The home screen: a greeting and one large tile per thing the app does.

home-greeting = Hello, { $name }
home-tiles-label = What you can do
tile-report = Report an issue
tile-report-hint = Something broken at home or in the estate? Tell the property company
tile-my-reports = My reports
tile-my-reports-hint = See how far each one has got
tile-board = Accountability board
tile-board-hint = How each party handles reports
tile-vote = Owners' votes
tile-surveys = Surveys
tile-telehealth = See a doctor online
tile-help = Call for help
tile-notices = Community notices
tile-later = Coming later: not available yet
tile-help-later = Call for help is not available yet. In an emergency, phone 120 for an ambulance, 110 for the police or 119 for the fire service.
home-elderly-switch = Elderly mode (长辈版)
