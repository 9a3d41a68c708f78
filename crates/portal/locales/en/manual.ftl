# The built-in manual (SPEC S27): /manual, one section per screen (web/manual.rs, templates/manual.html).
# One message per paragraph, step, table cell or note; no markup. Keep each message on one line.

## The page

manual-title = User manual
manual-lead = This manual explains what each screen of the portal is for and how to use it. The Manual link at the top right of every screen opens it at the section about that screen.
manual-toc = Contents
manual-memo = Note
manual-back-to-toc = Back to contents
manual-login-link = Go to the login screen
manual-col-item = Item
manual-col-desc = Description
manual-col-menu = Menu
manual-col-tab = Tab
manual-col-cause = Cause
manual-col-action = What to do
manual-col-endpoint = Endpoint

# A section's screenshot, taken by the browser tests from the demo data.
manual-shot = The screen, with the demo data


## Words shared by several sections

manual-status-service-call = Service call
manual-status-service-call-desc = A service call is open: the device needs maintenance by us. Severity: high.
manual-status-error = Error
manual-status-error-desc = An error, such as a paper jam. Severity: medium.
manual-status-warning = Warning
manual-status-warning-desc = A warning, such as low toner. Severity: low.
manual-status-normal = Normal
manual-status-normal-desc = No service call, error or warning.
manual-status-unknown = Unknown
manual-status-unknown-desc = The device has never sent a status or a counter reading. Its icon is shown faded.
manual-tab-counter = Counter
manual-tab-paper = Paper size
manual-tab-color-mode = Colour mode
manual-tab-function = Function
manual-lfp-unit-a4 = A4-equivalent sheets
manual-lfp-unit-letter = Letter-equivalent sheets
manual-lfp-unit-m2 = Area in m²
manual-lfp-unit-sqft = Area in sq ft

## The menu (overview)

manual-menu-welcome = Your login information and our announcements.
manual-menu-devices = The current status, location and other details of each device.
manual-menu-counters = Pages used and cumulative counters, per month or day, by paper size, colour mode and function.
manual-menu-department-counters = Counters per department. Not available yet.
manual-menu-supplies = Toner and ink levels reported by the devices.
manual-menu-notifications = Choose which events (service calls, errors, warnings, low toner or ink) are e-mailed.
manual-menu-groups = Put devices together in named groups; rename, change or delete groups.
manual-menu-paper-sizes = Choose the paper sizes listed in the paper-size tables.
manual-menu-profile = Your name, display language, regional format and time zone; shows your notification address.
manual-menu-password = Change the password you log in with.
manual-menu-email = Change the e-mail address used for notifications and to reset a forgotten password.

## top: about the service

manual-top-title = About this service
manual-top-intro-1 = Customer Portal shows the status and page counters of the multifunction devices (MFPs), printers (LBPs) and large-format printers (LFPs) that we maintain for you. The devices send their counters and status to the portal, which adds them up per month or day, for one device or many, by paper size, colour mode and function. Every result can be exported as a CSV file.
manual-top-intro-2 = The device list shows each device's current status (errors, for example), and opens the Remote UI of devices that have one.
manual-top-h-env = What you need
manual-top-env-1 = A current web browser: Microsoft Edge, Google Chrome, Mozilla Firefox or Safari. No other software is needed.
manual-top-env-2 = Cookies must be allowed in the browser: they keep you logged in.
manual-top-env-3 = You can use the portal in several tabs or windows at the same time.
manual-top-h-spec = Good to know
manual-top-spec-1 = Figures are the pages the devices actually counted. They are not your invoice and may differ from the billed counts.
manual-top-spec-2 = While the network is down, or a device is switched off or broken, no counters arrive. Those periods show "-", and the pages used meanwhile are counted in the next period for which counters arrive.
manual-top-spec-3 = Which counters are available depends on the model: some printers and large-format printers have no paper-size or function counters (copy, fax, duplex and so on).
manual-top-spec-4 = Months and days are counted in your company's time zone (normally Japan time), so everyone in your company, and every CSV file, sees the same numbers.
manual-top-spec-5 = We keep counter data for a retention period set for your company (39 months unless agreed otherwise). Older data cannot be aggregated.
manual-top-h-menu = Screen layout
manual-top-menu-intro = The menu on the left opens each screen. Click a menu entry below to jump to its section of this manual.
manual-top-links-intro = At the top right of every screen:
manual-top-link-home = Back to the welcome screen.
manual-top-link-manual = Opens this manual in a new tab, at the section about the screen you are on.
manual-top-link-logout = Logs you out and returns to the login screen.
manual-top-note-1 = Your notification e-mail address is needed to reset a forgotten password yourself. If you have not registered one yet, do so under Change notification e-mail address.
manual-top-note-2 = For your security, you are logged out after a period without activity. Just log in again.

## login

manual-login-title = Logging in
manual-login-intro = Log in with the user name and password you received from us.
manual-login-step-1 = Open the portal's address in your web browser. The login screen appears.
manual-login-step-2 = If needed, switch the language with 日本語 / English at the top right.
manual-login-step-3 = Enter your user name and password and click Log in.
manual-login-step-4 = The welcome screen appears.
manual-login-note-1 = When the user name or the password is wrong, the message does not say which one, so that nobody can find out which user names exist.
manual-login-note-2 = After 5 wrong passwords in a row, the account is locked for 12 minutes; during that time even the right password is refused. The screen tells when you can try again.
manual-login-note-3 = A password is valid for 3 months from its last change. From 7 days before it expires, a message with the expiry date appears at the top of every screen: change your password then.
manual-login-note-4 = Once the password has expired, logging in opens only the Change password screen; the other screens become available again when you have changed it. The same happens at your first login after we have reset your password.
manual-login-note-5 = After login, screens are shown in the display language of your user information. A language you choose with 日本語 / English on the login screen is saved there when you log in, so the screens keep it.
manual-login-note-6 = Many login attempts in a short time from the same place are also refused for a while.
manual-login-note-tabs = Once logged in, you can use the portal in several tabs or windows at the same time. Logging out logs out all of them.
manual-login-h-forgot = If you forgot your password
manual-login-forgot-1 = On the login screen, click Forgot your password?
manual-login-forgot-2 = Enter your user name and click Send.
manual-login-forgot-3 = If your account has a notification e-mail address, a message with a link to set a new password is sent to it.
manual-login-forgot-4 = Open the link and set a new password. This ends every session of your user; log in with the new password.
manual-login-forgot-note-1 = The link works only once and for 60 minutes. If it has expired, start again from step 1.
manual-login-forgot-note-2 = For security, the screen shows the same message whether or not the user name exists. If you have no notification address, or no e-mail arrives, ask your sales or service representative to reset your password.

## welcome

manual-welcome-title = Welcome screen
manual-welcome-intro = The first screen after login. Service top in the menu, or Home at the top right, brings you back to it at any time.
manual-welcome-field-user = User name
manual-welcome-field-user-desc = The user you are logged in as.
manual-welcome-field-previous = Previous login
manual-welcome-field-previous-desc = When you last logged in, in the time zone of your user information (at your first login, the screen says so). If you do not recognise it, change your password and tell your sales or service representative.
manual-welcome-field-fleet = Your devices
manual-welcome-field-fleet-desc = How many of your devices have each status, how many are not reporting, and how many supplies are low or empty. Click a figure to list those devices.
manual-welcome-field-news = Announcements
manual-welcome-field-news-desc = Our announcements, such as planned maintenance, newest first.
manual-welcome-note-1 = When your password expires within 7 days, this screen and every other one show the expiry date at the top. Change it under Change password.

## devices: the device list

manual-devices-title = Device list
manual-devices-intro = Lists your devices with their type, status and location. For devices with a Remote UI, you can open it from here to check or change their settings.
manual-devices-step-1 = Click Device list in the menu on the left. The device list appears.
manual-devices-step-2 = Choose the group of devices to show.
manual-devices-step-3 = With many devices, type part of a name, serial number, product, building or location in Filter and click Show: only matching devices are listed. Clear conditions lists all devices again.
manual-devices-step-4 = Click a column heading to sort the list by that column.
manual-devices-step-5 = Click a device name to open its device information.
manual-devices-field-group = Group
manual-devices-field-group-desc = All devices shows every device; Devices in no group shows those not in any group; a group name shows that group's devices.
manual-devices-field-filter = Filter
manual-devices-field-filter-desc = Lists only the devices whose name, serial number, product, building or location contains the text you type.
manual-devices-field-counts = Devices by status
manual-devices-field-counts-desc = How many of the listed devices have each status: service call, error, warning, normal, unknown. Click a status to list only those devices; All lists every device again.
manual-devices-field-name = Device name
manual-devices-field-name-desc = The device's name, with an icon showing its type and status.
manual-devices-field-status = Status
manual-devices-field-status-desc = The device's status; the statuses and their severity are in the table below.
manual-devices-field-remote = Remote UI
manual-devices-field-remote-desc = Devices with a Remote UI show an icon here. Clicking it opens the device's Remote UI in a new tab. For details, see the Remote UI guide of your device.
manual-devices-field-place = Product, building, location, group
manual-devices-field-place-desc = The product name, the building the device stands in, its location within the building, and the group it belongs to.
manual-devices-field-last-report = Last report, Not reporting
manual-devices-field-last-report-desc = When the portal last received anything from the device: counters, a status or an e-mail. A device that reported before and has sent nothing for longer than its threshold (48 hours unless your service contact set another) is marked Not reporting; the Not reporting button lists only those devices. A report clears it.
manual-devices-h-types = Device types
manual-devices-type-mono-mfp = Mono MFP: a black-and-white multifunction device (copy, print, scan, fax and so on)
manual-devices-type-color-mfp = Colour MFP: a colour multifunction device
manual-devices-type-mono-lbp = Mono LBP: a black-and-white laser printer
manual-devices-type-color-lbp = Colour LBP: a colour laser printer
manual-devices-type-lfp = LFP (large format): a large-format inkjet printer
manual-devices-h-status = Statuses
manual-devices-note-1 = When a device has several service calls, errors or warnings at once, the most severe is shown: service call, then error, then warning. The device information lists all of them.
manual-devices-note-2 = Devices that report by e-mail (protocol SMTP) cannot send their status, so they are always shown as normal.
manual-devices-note-3 = If a device stays unknown, see Troubleshooting.
manual-devices-note-pages = With many devices, the list is split into pages.

## device: device information

manual-device-title = Device information
manual-device-intro = Shows one device in detail: its information, current status, latest counters and supply levels. You can also set its group and its toner/ink administrator here.
manual-device-step-1 = In the device list, click the name of the device. Its device information appears.
manual-device-step-2 = If needed, choose a group and a toner/ink administrator, then click Save.
manual-device-field-name = Device name, product, serial number
manual-device-field-name-desc = The device's name, product name and serial number, with the icon of its type and status.
manual-device-field-status = Status
manual-device-field-status-desc = The current status, with every open service call, error and warning: what it is, its code, and since when it has been open.
manual-device-field-group = Group
manual-device-field-group-desc = The group the device belongs to. Choose None to put it in no group. A device can be in one group only.
manual-device-field-address = MAC address, IP address/host name
manual-device-field-address-desc = The device's MAC address and its IP address or host name.
manual-device-field-place = Building, location
manual-device-field-place-desc = The building the device stands in and its location within the building.
manual-device-field-admin = Toner/ink administrator, e-mail address
manual-device-field-admin-desc = The person in your company who replaces this device's toner or ink, chosen among your company's users; their e-mail address is shown next to it. None leaves the device without one.
manual-device-field-last = Last reading
manual-device-field-last-desc = When the device last sent its counters.
manual-device-field-counters = Latest counters
manual-device-field-counters-desc = The counter values (cumulative) of the last reading. Counters the device does not report show "-".
manual-device-field-supplies = Supply levels
manual-device-field-supplies-desc = For devices that report them, the level of each toner, ink or other supply. For other devices, the screen says that no levels are reported.
manual-device-field-save-desc = Saves the group and the toner/ink administrator.
manual-device-note-1 = Without a toner/ink administrator, no low-toner e-mail is sent for this device, even when notifications to toner/ink administrators are switched on under E-mail notification.
manual-device-note-2 = To change the device's name, location, IP address or other registered details, contact your sales or service representative.

## counters: the counter information form and the aggregate table

manual-counters-title = Counter information
manual-counters-intro = Adds up the pages your devices used, or shows their cumulative counters. You choose the unit (month or day), the period, the kind of figures, the group of devices and the device class.
manual-counters-step-1 = Click Counter information in the menu on the left. The form appears.
manual-counters-step-2 = Choose Monthly or Daily, then the start and end of the period.
manual-counters-step-3 = Choose Usage or Cumulative.
manual-counters-step-4 = Choose the group of devices.
manual-counters-step-5 = Choose the device class: MFP/LBP or LFP.
manual-counters-step-6 = Click Aggregate. The result table appears.
manual-counters-field-unit = Unit
manual-counters-field-unit-desc = Monthly adds up per calendar month, Daily per day. A month always runs from its first to its last day, whatever your billing date.
manual-counters-field-period = Period
manual-counters-field-period-desc = The first and last month or day. Monthly: at most 12 months. Daily: at most 3 months, the end being at most the day before the same date 3 months after the start (a start on 10 January allows an end up to 9 April).
manual-counters-field-kind = Kind
manual-counters-field-kind-desc = Usage shows the pages used in each period; Cumulative shows the device's counter value (its odometer) at the end of each period.
manual-counters-field-group = Group
manual-counters-field-group-desc = All devices, Devices in no group, or one group.
manual-counters-field-class = Device class
manual-counters-field-class-desc = MFP/LBP covers multifunction devices and printers; LFP covers large-format printers. Large-format printers have different counters and units, so they are aggregated separately.
manual-counters-field-aggregate = Aggregate
manual-counters-field-aggregate-desc = Aggregates with the conditions you set.
manual-counters-field-reset-desc = Returns the form to the state it had when the screen opened.
manual-counters-field-export = Export (CSV)
manual-counters-field-export-desc = Saves the result as a CSV file, in the encoding chosen next to the button: UTF-8 (with BOM) or Shift_JIS (Japanese Excel). See CSV export.
manual-counters-note-period = If the period is invalid or longer than allowed, a message names the limit and nothing is aggregated.
manual-counters-h-result = The result table
manual-counters-result-intro = One row per device and one column per period, showing Total 1. The conditions stay above the table: change them and click Aggregate again to recalculate.
manual-counters-result-1 = For Usage, a Total row (all devices) comes first, right under the headings, and a Total column (all periods) comes before the period columns.
manual-counters-result-2 = For Cumulative there is no Total row or column: adding up counter values would mean nothing.
manual-counters-result-3 = Click a heading to sort the table by that column.
manual-counters-result-4 = Click a device name to see that device over the periods (see One device in detail).
manual-counters-result-5 = Click Detail above a period to see that period for all devices (see One period in detail).
manual-counters-h-dash = What "-" means
manual-counters-dash-intro = On every counter screen, "-" means:
manual-counters-dash-1 = the device does not report that counter (a printer has no copy counter; a large-format printer has no paper-size counters), or
manual-counters-dash-2 = no counters arrived for that period (network failure, device switched off).
manual-counters-h-rules = How the figures are calculated
manual-counters-note-oldest = A device's first period with data (its oldest month or day) has no earlier value to subtract, so its usage is the cumulative value itself. Such cells are marked.
manual-counters-note-oldest-totals = Totals leave these first-reading values out by default, so that a year's total is the pages of that year, not a device's whole counter; tick "Include first-reading values in the totals" in the form to add them. A total that adds one is marked * too.
manual-counters-note-incomplete = A month whose readings stop more than 3 days before its end (or before today), or pause that long inside it, is marked † "incomplete": its figure may be low. Point at the mark to see the days its readings cover. A device that reports less often (weekly, say) is judged by twice its usual interval.
manual-counters-note-reset-mark = A period in which a counter went down (board replaced, counter cleared) is marked ↺ with the day; the cumulative view shows the drop, the usage counts the new value from zero.
manual-counters-note-retention = Readings are kept for the retention your service company set. A period before it, before the first reading, or still to come is empty, and the screen says which.
manual-counters-note-csv-notes = The CSV file keeps the numbers as numbers and puts these marks in a last column, Notes, of the row they belong to.
manual-counters-note-gap = When counters did not arrive for a while, the pages used meanwhile are counted in the next period with a reading. Whatever range you choose, no page is lost or counted twice.
manual-counters-note-reset = When a device's counter goes back to zero (a board replaced, a counter reset), the pages before and after the reset are both counted. Usage is never negative.
manual-counters-note-timezone = Months and days are counted in your company's time zone. The time zone of your user information only changes how dates and times are shown.

## counter-device: one device over the periods (four tabs)

manual-counter-device-title = One device in detail
manual-counter-device-intro = Shows one device's usage (or cumulative counters) per month or day, by paper size, colour mode and function.
manual-counter-device-step-1 = On Counter information, set the conditions and click Aggregate.
manual-counter-device-step-2 = In the result table, click the device's name.
manual-counter-device-step-3 = The device's detail appears. Click the Counter, Paper size, Colour mode or Function tab to switch what is shown.
manual-counter-device-layout = The period, group and device name are shown at the top, then one row per period, newest first. For Usage, a Total row comes first under the headings.
manual-counter-device-tab-counter = Total 1, Colour, Mono, Scan, Colour (large), Colour (small), Mono (large) and Mono (small).
manual-counter-device-tab-paper = Total 1 and each paper size chosen under Paper sizes.
manual-counter-device-tab-color-mode = Total 1, Colour copy, Colour print, Mono copy and Mono print.
manual-counter-device-tab-function = Total 1, Copy, Receive (received faxes and other received prints), Print, Scan (send) and Duplex.
manual-counter-device-buttons = Export (CSV) saves the table of the current tab as a CSV file. On the Paper size, Colour mode and Function tabs, Graph shows the table as a chart.
manual-counter-device-days = In monthly mode, Days on a month's row shows the device's usage in that month day by day.
manual-counter-device-note-total1 = Total 1 includes every paper size, also those not listed. Choose the sizes listed under Paper sizes in the menu.
manual-counter-device-note-function = On the Function tab, Total 1 is Copy + Receive + Print. Scan (send) counts scanned pages and is not part of Total 1. Duplex pages are already included in Copy, Receive and Print.
manual-counter-device-note-dash = Counters the device does not report, and periods without counters, show "-".
manual-counter-device-h-lfp = Large-format printers (LFP)
manual-counter-device-lfp-1 = With the device class LFP, the columns are Period, Total, DUTY A, DUTY B, DUTY C and DUTY D, on every tab.
manual-counter-device-lfp-2 = The values are in the unit set for each device, one of the following; the screen shows which.
manual-counter-device-lfp-note = Areas have decimals. Large-format printers with different units are not added together.

## counter-period: one period for all devices

manual-counter-period-title = One period in detail
manual-counter-period-intro = Shows one month or day for every listed device, by paper size, colour mode and function.
manual-counter-period-step-1 = On Counter information, set the conditions and click Aggregate.
manual-counter-period-step-2 = In the result table, click Detail above the month or day.
manual-counter-period-step-3 = The period's detail appears: one row per device and, for Usage, a Total row first under the headings.
manual-counter-period-step-4 = Switch with the Counter, Paper size, Colour mode and Function tabs; their columns are those of One device in detail.
manual-counter-period-days = In a monthly result, click the month label of a column to see that month day by day.
manual-counter-period-note-1 = The devices listed are those of the group and device class chosen in the conditions.
manual-counter-period-note-2 = Export (CSV) saves the table as a CSV file; Graph shows it as a chart.

## graph

manual-graph-title = Graphs
manual-graph-intro = Shows the paper size, colour mode and function tables as stacked bar charts, one colour per category.
manual-graph-step-1 = Open the detail of a device or of a period, on the Paper size, Colour mode or Function tab.
manual-graph-step-2 = Click Graph. Hide graph closes it.
manual-graph-step-3 = Each period (or device) is one bar, one colour per category, as the legend explains. A black tick marks Total 1, whose number is written after the bar. The numbers of every category are in the table below the graph.
manual-graph-note-duplex = Duplex is not drawn: duplex pages are already part of Copy, Receive and Print.
manual-graph-note-total1 = Total 1 includes paper sizes that are not listed, so a bar may be shorter than Total 1.
manual-graph-note-dash = Values shown as "-" are not drawn.
manual-graph-note-top = In a period's graph with many devices, only those with the highest Total 1 are drawn; the table lists them all.

## csv

manual-csv-title = CSV export
manual-csv-intro = Saves the result on the screen as a CSV file, for Excel or other programs.
manual-csv-step-1 = Open a result: the result table, one device in detail, or one period in detail (any tab).
manual-csv-step-2 = Choose the encoding, then click Export (CSV).
manual-csv-step-3 = When the browser asks, choose where to save the file.
manual-csv-field-content = Contents
manual-csv-field-content-desc = The same rows, columns and numbers as on the screen, with the headings in your display language. Missing values are "-". For Usage, the Total row comes first under the headings.
manual-csv-field-encoding = Encoding
manual-csv-field-encoding-desc = UTF-8 (with BOM), the default, or Shift_JIS (Japanese Excel). Excel opens both directly.
manual-csv-field-name = File name
manual-csv-field-name-desc = The name says what the file holds, for example counters_usage_month_2021-08_2021-11.csv (usage, monthly, August to November 2021). The group, device and tab are added when they apply.
manual-csv-field-lfp = Large-format printers
manual-csv-field-lfp-desc = Tables that list devices have a Unit column; the one-device table names the unit in its headings.
manual-csv-note-formula = Text that starts with =, +, - or @ (a device name, for example) gets a leading apostrophe (') so that Excel does not run it as a formula. Numbers are never changed.
manual-csv-note-shift-jis = If a device name or other text contains characters that Shift_JIS cannot hold (an emoji, for example), nothing is replaced: the export stops and says how many cells are concerned. Click Export in UTF-8 there to save the file in UTF-8.
manual-csv-note-mark = The on-screen mark of a first period is not exported.
manual-csv-note-api = The same files can also be fetched through the API (see API for administrators).

## department-counters

manual-department-counters-title = Department counters
manual-department-counters-intro = Counters per department ID.
manual-department-counters-note = This function is not available yet. The menu entry is there, and opens a page saying so.

## supplies

manual-supplies-title = Toner/ink stock
manual-supplies-intro = Shows the toner, ink and other supply levels that your devices report, device by device.
manual-supplies-step-1 = Click Toner/ink stock in the menu on the left.
manual-supplies-step-2 = Choose the group of devices to show.
manual-supplies-step-3 = Devices are listed lowest level first, with the level of each supply (toner, ink, drum and so on). Supplies at 10% or less are marked Low, and their number is summed up above the list.
manual-supplies-note-1 = Levels are shown only for devices that report them. The devices that do not (those reporting by e-mail, for example) are counted separately.
manual-supplies-note-2 = Levels are those of each device's last report, whose time is shown.
manual-supplies-note-3 = This screen shows levels only: it does not manage stock or take orders. E-mails about low toner or ink are set under E-mail notification.
manual-supplies-note-forecast = The Expected empty column shows, for each supply, the day it is expected to run out at its recent rate of use, fitted to its levels since it was last replaced. It says "not enough data yet" until the levels cover 14 days with 3 different levels, and "no decrease seen" while the level does not fall. The device information screen shows the same day next to each supply.

## notifications

manual-notifications-title = E-mail notification
manual-notifications-intro = Choose to be told by e-mail when a device has a service call, an error or a warning, or stops reporting, and whether toner/ink administrators are told when toner or ink runs low.
manual-notifications-step-1 = Click E-mail notification in the menu on the left.
manual-notifications-step-2 = For each of service call, error, warning and not reporting, choose Do not notify, All devices, or Devices of the selected groups (one or more groups).
manual-notifications-step-3 = To tell toner/ink administrators when toner or ink runs low, tick Tell the toner/ink administrators when toner or ink runs low.
manual-notifications-step-4 = Click Save.
manual-notifications-service-call = Tells you when a service call opens.
manual-notifications-error = Tells you when an error (a paper jam, for example) occurs.
manual-notifications-warning = Tells you when a warning (low toner, for example) occurs.
manual-notifications-late = Not reporting
manual-notifications-late-desc = Tells you when a device that reported before stops reporting (see the device list), once each time it stops.
manual-notifications-toner = Toner/ink administrators
manual-notifications-toner-desc = Tells a device's toner/ink administrator when its toner or ink runs low.
manual-notifications-note-address = E-mails go to the notification address shown in your user information. Without one, nothing is sent.
manual-notifications-note-once = Each new service call, error or warning is notified once, not repeatedly while it lasts.
manual-notifications-note-holddown = A condition is mailed after a few minutes (five, unless your service company set otherwise): one that clears within them is not mailed, and conditions of several devices that start within them arrive in one mail.
manual-notifications-note-digest = Low toner and ink reach the administrator once a day in one mail, with the day each supply is expected to run out; an empty one is mailed at once. Each supply is mailed once until it is replaced.
manual-notifications-note-language = E-mails are written in the recipient's display language (Japanese or English).
manual-notifications-note-admin = Toner/ink administrators are told only about devices that have one, set in the device information.
manual-notifications-note-personal = These settings are your own; every user sets theirs.

## groups

manual-groups-title = Device groups
manual-groups-intro = Put devices together under a group name. Groups choose which devices the device list, counter information and toner/ink stock show. You can also rename groups, change their devices, and delete them.
manual-groups-rule-max = At most 200 groups.
manual-groups-rule-one = A device can be in one group only.
manual-groups-rule-required = A group needs a name.
manual-groups-rule-width = A name has at most 50 half-width characters; a full-width character counts as 2 (so at most 25 full-width characters).
manual-groups-rule-chars = A name may not contain half-width katakana nor any of these characters: " % & ' / ; < > \ ¥
manual-groups-rule-unique = Two groups cannot have the same name.
manual-groups-rule-message = When a name breaks a rule, the message says which one.
manual-groups-h-create = Creating a group
manual-groups-create-1 = Click Device groups in the menu on the left. The list of groups appears.
manual-groups-create-2 = Click New. The devices that are in no group are listed.
manual-groups-create-3 = Enter the group name, tick the devices to include, and click Save.
manual-groups-h-edit = Renaming a group or changing its devices
manual-groups-edit-1 = In the list of groups, click the group's name. The group's devices and the devices in no group are listed.
manual-groups-edit-2 = Change the name if needed, tick the devices the group should have (unticked ones leave it), and click Save. Reset returns to the state the screen had when it opened.
manual-groups-h-delete = Deleting groups
manual-groups-delete-1 = In the list of groups, tick the groups to delete (several at once if you like) and click Delete.
manual-groups-delete-2 = On the confirmation screen, click Yes, delete. No, go back returns without deleting.
manual-groups-note-delete = The devices of a deleted group are then in no group. No device and no counter data is deleted.
manual-groups-note-move = To move a device from another group, change its group in the device information, or remove it from its group first.

## paper-sizes

manual-paper-sizes-title = Paper sizes
manual-paper-sizes-intro = Choose the paper sizes listed on the Paper size tab of the counter screens (and in its graph and CSV). The setting is shared by all users of your company.
manual-paper-sizes-step-1 = Click Paper sizes in the menu on the left.
manual-paper-sizes-step-2 = Tick the sizes to list and untick the others. Select the defaults ticks the default sizes.
manual-paper-sizes-step-3 = Click Save. Reset returns to the state the screen had when it opened.
manual-paper-sizes-choices = The sizes offered are A3, A4, A5, A6, B4, B5, B6, Letter, Legal, Ledger (11x17), Statement, Executive, Postcard, SRA3, 12x18, Envelope and Other. By default A3, A4, B4 and B5 are listed.
manual-paper-sizes-note-total1 = Total 1 includes the sizes you did not choose.
manual-paper-sizes-note-lfp = Large-format printers (LFP) have no paper-size counters, so this setting does not apply to them.
manual-paper-sizes-note-dash = A size the device does not report shows "-".
manual-paper-sizes-note-one = Choose at least one size.

## profile

manual-profile-title = User information
manual-profile-intro = Your name, display language, regional format and time zone. It also shows your notification e-mail address.
manual-profile-step-1 = Click User information in the menu on the left.
manual-profile-step-2 = Change what you need and click Save.
manual-profile-field-user = User name
manual-profile-field-user-desc = The name you log in with. It cannot be changed.
manual-profile-field-name = Name
manual-profile-field-name-desc = Your first and last name (required, at most 50 characters each). Shown at the top right.
manual-profile-field-email = Notification e-mail address
manual-profile-field-email-desc = Your current notification address; Not set means none is registered. Change it under Change notification e-mail address.
manual-profile-field-language = Display language
manual-profile-field-language-desc = The language of the screens and of your e-mails: 日本語 or English. The 日本語 / English switch at the top right of every screen changes it too.
manual-profile-field-region = Region and format
manual-profile-field-region-desc = How numbers and dates are written.
manual-profile-field-timezone = Time zone
manual-profile-field-timezone-desc = The time zone dates and times are shown in (previous login, when a status began, and so on). By default, your company's time zone. Common zones come first, with their offset from UTC today and their main cities; every other zone follows under its IANA name.
manual-profile-note-timezone = Your time zone only changes how dates and times are shown. Months and days of the counters follow your company's time zone, so everyone in your company sees the same numbers.

## password

manual-password-title = Change password
manual-password-intro = Change the password you log in with.
manual-password-step-1 = Click Change password in the menu on the left.
manual-password-step-2 = Enter your current password, the new password and its confirmation, and click Save.
manual-password-rule-chars = The new password has 6 to 512 half-width characters (letters, digits, symbols, spaces) and contains at least one lower-case letter (a-z) and one digit (0-9).
manual-password-rule-different = It must differ from the current password.
manual-password-rule-expiry = Changing the password starts its 3-month validity again.
manual-password-rule-forced = When your password has expired, or after we have reset it, logging in opens only this screen. The other screens become available once you have changed it.

## email

manual-email-title = Change notification e-mail address
manual-email-intro = Register or change your notification e-mail address: notifications are sent to it, and it lets you reset a forgotten password yourself.
manual-email-step-1 = Click Change notification e-mail address in the menu on the left.
manual-email-step-2 = Enter the new address in New e-mail address and New e-mail address (again), your password in Current password, and click Change.
manual-email-step-3 = A message with a confirmation link is sent to the new address. The screen shows the address waiting for confirmation.
manual-email-step-4 = Open the link: the address is registered and the portal confirms it.
manual-email-note-pending = Until the link is opened, the address does not change and notifications keep going to the current one.
manual-email-note-link = The link works only once and for 24 hours. If it has expired, start again from step 1.
manual-email-note-missing = If no message arrives, check the address you typed and your spam folder.
manual-email-note-check = Your user information shows the registered address.

## api: the read API

manual-api-title = API for administrators
manual-api-intro = Administrators can read the device list and counter information from their own programs (read only). The API returns exactly what the user the token belongs to can see.
manual-api-step-1 = Ask your sales or service representative for an API token. A token belongs to one user and has that user's rights.
manual-api-step-2 = Send it in the Authorization header as "Bearer" followed by the token (TOKEN in the example below).
manual-api-step-3 = Give the same conditions as on the counter information screen, as parameters.
manual-api-devices = The device list (status, group, last reading and more). Filter with group=all, none (devices in no group) or a group id.
manual-api-device = One device in detail: open conditions and since when, toner/ink administrator and more.
manual-api-counters = Counter information as JSON. Parameters: unit=month|day, from and to (YYYY-MM or YYYY-MM-DD), kind=usage|cumulative, group, class=mfp|lfp. Add device=id for one device in detail, or period=YYYY-MM or YYYY-MM-DD for one period in detail.
manual-api-counters-csv = The CSV file of the Export button. The parameters above, plus view=counter|paper|color_mode|function (the tab), encoding=utf-8|shift_jis and lang=ja|en.
manual-api-note-same = The API's numbers are those of the screens and CSV files, with the same limits (the longest period, for example).
manual-api-note-errors = Invalid conditions get a 4xx status and a JSON body describing the error.
manual-api-note-null = A value shown as "-" on the screen is null in JSON.
manual-api-note-secret = Keep the token as safe as a password. If it may have leaked, contact your sales or service representative at once to have it revoked.
manual-api-h-collector = Collecting from the printers on your network (SNMP)
manual-api-collector-intro = Printers that do not report by themselves can be read by a collector at your site: the same meterport program, run as a service on a computer on the printers' network. It asks each printer over SNMP (v1, v2c or v3) for its serial number, counters, status and supplies, and sends them to the portal with your company's ingest token, which your sales or service representative issues.
manual-api-collector-step-1 = Write the settings file /etc/meterport/collect.toml: the portal's address (portal_url), the ingest token (ingest_token), the spool folder (spool_dir), the minutes between readings (interval_minutes), and one [[targets]] entry per printer or address range (address, version, community, or user and passwords for SNMPv3). A mistake is reported with its line and setting.
manual-api-collector-step-2 = Test it with the first command below: it reads every printer once and prints what it would send, one line per item, without sending or keeping anything. The second reads and sends once.
manual-api-collector-step-3 = Install the service file packaging/meterport-collect.service in /etc/systemd/system and start it with "systemctl enable --now meterport-collect". It reads the printers every interval_minutes and writes a summary of each round to its log.
manual-api-collector-note-spool = Nothing read is lost: each reading is written to the spool folder before it is sent and removed only once the portal has taken it. While the portal cannot be reached, readings wait there and are sent in order later, also after a restart. What the portal refuses (a printer whose serial number is not registered, for example) is set aside in the spool's rejected folder with the reason, and its serial number appears in the list of unregistered devices.
manual-api-collector-note-exit = With --once the command ends with 0 when everything was delivered, 3 when the portal could not be reached (everything is kept), 4 when the portal refused some items (each is named), and 5 when a printer did not answer.
manual-api-collector-note-vendors = Counters are read from the makers' own counter tables for Canon, Ricoh, Kyocera, Xerox, Konica Minolta, HP, Brother and Epson (colour and black); for Epson, Sharp and other makers Total 1 is the printer's standard page count (Printer MIB). No maker's counters by paper size are read yet. Status comes from the printer's error state and alerts, and supply levels from its supplies table.
manual-col-format = Format
manual-col-content = What the portal reads
manual-api-h-mail = Reporting by e-mail (meter mail)
manual-api-mail-intro = Devices and site tools that can only send e-mail (a device's scheduled counter mail, Ricoh Remote Communication Gate's counter notification, a Kyocera counter report, a Sharp status mail) can report their counters to the portal's own mail server. Your service company turns it on and tells you its host name and port.
manual-api-mail-step-1 = Ask your sales or service representative for an ingest token (it starts with mpi_). The address to send to is the token followed by @ and the portal's host name, for example mpi_abc...@meter.example.com.
manual-api-mail-step-2 = In the device or the tool, set that address as the recipient of its counter mail, and the portal's host name and port as its mail (SMTP) server. Encryption (STARTTLS) is offered when your service company has set it up.
manual-api-mail-step-3 = Send a test mail. The portal answers each mail at once: the device's or tool's log shows how many readings were stored, or why the mail was refused.
manual-api-mail-format-json = JSON body
manual-api-mail-format-json-what = The body of the ingest API (serial, read_at, counters), as the text of the mail or as a .json attachment.
manual-api-mail-format-text = Text lines
manual-api-mail-format-text-what = serial: and read_at: lines, then one line per counter with the counter names of the API (total1, mono, color_copy, ...), as in the example below. Several devices: each starts with its serial: line.
manual-api-mail-format-csv = CSV attachment
manual-api-mail-format-csv-what = One row per device, with a header row: the API's counter names, Ricoh Remote Communication Gate's counter notification columns, or Kyocera's counter report columns. A column that does not mean exactly one counter (A3/DLT, for example, counts two sizes) is not read; the answer names it. UTF-8 or Shift_JIS.
manual-api-mail-format-sharp = Sharp status mail
manual-api-mail-format-sharp-what = SERIAL NUMBER, then Total Count, Copy Count and Print Count.
manual-api-mail-note-reply = A mail is stored whole or not at all, like one request to the ingest API, and the portal answers only after it is stored: "Stored 12 readings, 0 duplicates". A mail sent twice is counted as duplicates, not twice.
manual-api-mail-note-refused = A refused mail gets an answer that names the problem (an unknown serial number, an unknown counter name, a date that cannot be read, no report in the mail), and nothing of it is stored. Your service company keeps the refused mail and can look at it with you.
manual-api-mail-note-date = Without read_at (or a date column) a report takes the date of the mail. A date whose time zone is a name such as JST is read in your company's time zone.
manual-api-mail-note-reset = A device that resets its counters (an automatic counter reset every month, for example) keeps correct usage: a counter that goes down is counted from zero.

## trouble: troubleshooting

manual-trouble-title = Troubleshooting
manual-trouble-intro = Common problems, their causes and what to do. If this does not help, contact your sales or service representative.
manual-trouble-q-missing = A device is not in the device list
manual-trouble-missing-cause-1 = The device is not registered with the portal.
manual-trouble-missing-action-1 = Ask your sales or service representative to register it.
manual-trouble-missing-cause-2 = A group without this device is chosen, or a filter or status condition is set.
manual-trouble-missing-action-2 = Click Clear conditions and choose All devices.
manual-trouble-q-unknown = A device stays unknown (its icon is faded) in the device list
manual-trouble-unknown-cause-1 = The device is not running.
manual-trouble-unknown-action-1 = Check that the device is switched on and working.
manual-trouble-unknown-cause-2 = The device is not properly connected to the network.
manual-trouble-unknown-action-2 = Following the manual of the device or its network card, check that it is connected with the right cable, then restart the device.
manual-trouble-unknown-cause-3 = The device's IP address has changed.
manual-trouble-unknown-action-3 = A device whose IP address changed must be registered again. Ask your sales or service representative to do so.
manual-trouble-q-dash = Counter information shows "-", or recent pages are missing
manual-trouble-dash-cause-1 = The device's model does not report that counter.
manual-trouble-dash-action-1 = Nothing is wrong: available counters depend on the model (see What "-" means under Counter information).
manual-trouble-dash-cause-2 = No counters arrived from the device in that period (switched off, network failure).
manual-trouble-dash-action-2 = Check the device's power and network connection. When counters arrive again, the pages used meanwhile are counted then.
manual-trouble-q-forgot = You forgot your password
manual-trouble-forgot-cause-1 = You have a notification e-mail address.
manual-trouble-forgot-action-1 = Reset the password yourself from the link on the login screen (see Logging in).
manual-trouble-forgot-cause-2 = You have no notification address, or it no longer works.
manual-trouble-forgot-action-2 = Ask your sales or service representative to reset your password. You will change it at your next login.
manual-trouble-q-locked = The right password is refused
manual-trouble-locked-cause-1 = The account is locked after 5 wrong passwords in a row.
manual-trouble-locked-action-1 = Wait 12 minutes and log in again. If it is urgent, ask your sales or service representative to unlock the account.
manual-trouble-locked-cause-2 = The password has expired (after 3 months).
manual-trouble-locked-action-2 = Logging in opens the Change password screen: change your password.
manual-trouble-q-mail = Notification e-mails do not arrive
manual-trouble-mail-cause-1 = No notification address is registered, or its confirmation link was not opened.
manual-trouble-mail-action-1 = Check the address in your user information and register it under Change notification e-mail address if needed.
manual-trouble-mail-cause-2 = The event or the devices are not chosen under E-mail notification.
manual-trouble-mail-action-2 = Check your E-mail notification settings. Each event is notified once, when it begins.
manual-trouble-mail-cause-3 = The e-mails are treated as spam.
manual-trouble-mail-action-3 = Look in your spam folder and allow e-mails from the portal.
manual-trouble-q-csv = A CSV file shows garbled characters in Excel, or cannot be exported
manual-trouble-csv-cause-1 = The file was edited and saved with another program, which dropped the encoding mark (BOM).
manual-trouble-csv-action-1 = Export again and open the file directly, or export with the Shift_JIS encoding.
manual-trouble-csv-cause-2 = A device name or other text contains characters that Shift_JIS cannot hold (an emoji, for example).
manual-trouble-csv-action-2 = Export with the UTF-8 encoding.
