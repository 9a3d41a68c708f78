# The shell: title, menu, top links, common words.
app-name = Customer Portal
app-title = Fleet status and counters
menu-service-top = Service top
menu-devices = Devices
menu-device-list = Device list
menu-counters = Counter information
menu-department-counters = Department counters
menu-supplies = Toner/ink stock
menu-settings = Settings
menu-notifications = E-mail notification
menu-groups = Device groups
menu-paper-sizes = Paper sizes
menu-login-user = Login user
menu-user-info = User information
menu-change-password = Change password
menu-change-email = Change e-mail address
top-home = Home
top-manual = Manual
top-logout = Logout
skip-to-content = Skip to content
lang-ja = 日本語
lang-en = English
lang-switch = Display language

# The shell on a phone, and a table or graph wider than the screen.
menu-button = Menu
scroll-hint = Scroll sideways to see more

required-note = Items marked * are required.
save = Save
reset = Reset
cancel = Cancel
back = Back
ok = OK
coming-soon-title = Coming soon
coming-soon-body = This screen is not available yet. It is planned for a later version.
coming-soon-department-counters = This screen will total the pages used per department ID (the user codes that devices count per department). It is planned for a later version.
coming-soon-meanwhile = Meanwhile, the pages used per device are shown here:
error-title = Something went wrong
error-body = The page could not be shown. Please try again; if it happens again, contact your sales or service representative.
not-found-title = Page not found
not-found-body = This page does not exist or is not available to your account.
csrf-failed = The form had expired or came from elsewhere. Please try again.
