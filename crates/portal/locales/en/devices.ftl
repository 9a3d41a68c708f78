# The device list (S7-S10), device information (S11) and toner/ink stock (S28).

# The group selector, shared with the counter and supplies screens' words.
group-all-devices = All devices
group-no-group-devices = Devices in no group
group-not-found-showing-all = The chosen group does not exist (it may have been deleted). All devices are shown.

# Lists
list-range = { $first }–{ $last } of { $total }
list-pages = Pages
list-prev = Previous
list-next = Next
times-in-zone = Times are shown in the time zone { $zone } (see User information).

# Device list
devices-group = Group
devices-filter = Filter
devices-filter-placeholder = Name, serial number, product, building or location
devices-show = Show
devices-clear = Clear conditions
devices-counts = Devices by status
devices-all-statuses = All
devices-col-name = Device name
devices-col-status = Status
devices-col-remote-ui = Remote UI
devices-col-product = Product name
devices-col-building = Building
devices-col-location = Location
devices-col-group = Group
devices-col-last-report = Last report
devices-not-reporting = Not reporting
devices-not-reporting-hint = Devices that reported before and have sent nothing (counters, status or e-mail) for longer than their threshold: 48 hours unless your service contact set another.
devices-never-reported = never
devices-open-remote-ui = Open the Remote UI in a new tab
devices-none = No devices are registered yet. Ask your sales or service representative to register your devices.
devices-none-match = No device matches these conditions. Change the group, the filter or the status, or clear the conditions.

# Device information
device-title = Device information
device-serial = Serial number
device-smtp-always-normal = This device reports by e-mail (SMTP) and cannot send its status, so it is always shown as normal.
device-condition-code = Code
device-since = since
device-mac = MAC address
device-host = IP address/host name
device-toner-admin = Toner/ink administrator
device-admin-email = E-mail address
device-no-group = None
device-no-admin = None
device-admin-no-email = no e-mail address set
device-admin-note = Without a toner/ink administrator, nobody is told by e-mail when this device's toner or ink runs low. The administrator's e-mail address is their notification address (User information).
device-last-reading = Last reading
device-no-reading = This device has not sent any counters yet.
device-last-mail = Last meter mail
device-last-report = Last report (counters, status or e-mail)
device-never-reported = This device has not reported yet.
device-not-reporting-since = No report since { $time }.
device-not-reporting-hint = A device is shown as not reporting when nothing (counters, status or e-mail) has arrived from it for more than { $hours } hours. A report clears it.
device-no-mail = This device has not mailed any counters yet.
device-latest-counters = Latest counters
device-unit = Unit
device-counters-note = Cumulative values of the last reading. "-" means the device does not report that counter.
device-supplies = Supply levels
device-no-supplies = This device does not report its toner, ink or other supply levels.
device-back-to-list = Back to the device list
device-saved = The group and the toner/ink administrator have been saved.
device-group-unknown = This group does not exist (it may have been deleted). Choose a group from the list, or None.
device-admin-unknown = This user does not exist (the account may have been deleted). Choose a user from the list, or None.

# Supplies
supply-kind-toner = toner
supply-kind-ink = ink
supply-kind-drum = drum
supply-kind-other = other
supply-level-unknown = level unknown
supply-level-some-remaining = some remaining
supply-level-empty = empty
supply-level-low = low
supply-level-ok = sufficient
supply-low = Low
supplies-as-of = Levels as reported at
supplies-levels = Supply levels
supplies-reported = Reported at
supplies-reporting = { $count } devices report their supply levels.
supplies-low-summary = { $supplies } supplies at { $limit }% or less, on { $devices } devices.
supplies-none-low = No supply is at { $limit }% or less.
supplies-order-note = Devices with the lowest level come first. Levels are those of each device's last report.
supplies-none-title = None of these devices reports its supply levels.
supplies-none-body = Levels appear here for devices whose status reports include their supply levels. Devices that report by e-mail, or whose reports carry no levels, have none to show.
supplies-silent-title = Devices without supply levels
supplies-silent-body = { $count } devices do not report their toner, ink or other supply levels, so no level can be shown for them.
supplies-silent-list = Show these devices
supplies-silent-more = …and { $count } more.
supplies-expected-empty = Expected empty
supplies-only-low = Only the devices with a supply at { $limit }% or less (or empty) are shown.
supplies-only-empty = Only the devices with an empty supply are shown.
supplies-show-all = Show all devices
supplies-forecast-note = Expected empty: the day each supply is expected to run out at its recent rate of use, from its levels since it was last replaced. A forecast needs levels over at least 14 days with at least 3 different levels; a supply that reports no percentage ("some remaining") has none.
supply-forecast-today = (today)
supply-forecast-tomorrow = (tomorrow)
supply-forecast-in-days = (in { $days } days)
supply-forecast-date-title = The day this supply is expected to run out at its recent rate of use.
supply-forecast-not-enough-data = not enough data yet
supply-forecast-not-enough-data-title = A forecast needs levels reported over at least 14 days, with at least 3 different levels since the supply was last replaced.
supply-forecast-not-falling = no decrease seen
supply-forecast-not-falling-title = The level has not been falling, so no day can be forecast.
