# Settings: language, elderly mode, platform address, account.

settings-title = Settings
settings-language-legend = Language
settings-display-legend = Display
settings-elderly-label = Elderly mode (长辈版)
settings-elderly-hint = Larger text, larger buttons and stronger contrast: easier to read and to tap.
settings-platform-legend = Community platform
settings-platform-label = Platform address
settings-platform-hint = Given by your community. It starts with https:// (except the demo platform on this computer).
settings-platform-save = Save address
settings-saved = Saved.
settings-account-legend = Account
settings-signed-in-as = Signed in as { $name } ({ $phone }), { $estate }
settings-sign-out = Sign out
settings-sign-out-hint = After signing out, drafts and reports waiting to be sent stay on this device.
settings-signed-out = Not signed in.
