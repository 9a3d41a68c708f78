# The refusals of the JSON APIs (SPEC §7), which answer in English: an item of an ingest
# request (`meterport_domain::ingest::ItemProblem`), continuing the field's name in `details`
# ("serial: is not a registered device of this customer").
ingest-not-an-object = must be an object
ingest-duplicate-key = is given more than once; each key may appear only once
ingest-invalid-shape = { $detail }
ingest-not-a-string = must be a string
ingest-empty = must not be empty
ingest-invalid-serial = is not a valid serial number: 1 to { $max } characters of letters, digits and . _ -
ingest-invalid-timestamp = must be an RFC 3339 timestamp with an offset, like 2021-08-31T18:00:00+09:00
ingest-no-such-offset = has the offset { $offset }, which does not exist: hours 00-23 and minutes 00-59
ingest-not-a-reading-field = is not a field of a reading
ingest-counters-not-an-object = must be an object of counter names and numbers
ingest-no-counters = must hold at least one counter
ingest-unknown-counter = is not a known counter
ingest-in-future = is more than { $minutes } minutes in the future
ingest-before-retention = is older than the tenant's data retention, which starts at { $start }
ingest-not-a-counter-of-mfp = is not a counter of an MFP or printer
ingest-not-a-counter-of-lfp = is not a counter of a large-format printer
ingest-value-not-a-number = must be a number
ingest-value-negative = must not be negative
ingest-value-fractional = must be a whole number of sheets
ingest-value-too-precise = has more than 3 decimal places
ingest-value-too-large = is too large: it has more digits than a counter holds
ingest-value-exponent = must be written without an exponent (1500, not 1.5e3)
ingest-unknown-serial = is not a registered device of this customer
ingest-given-twice = is given twice
ingest-too-many-supplies = lists more than { $max } supplies
ingest-conflicts-with-item = conflicts with item { $item }: same serial and read_at, other counters
ingest-conflicts-with-stored = conflicts with a stored reading: same serial and read_at, other counters

# A request body refused whole (`meterport_domain::ingest::BodyError`).
body-invalid-json = invalid JSON: { $detail }
body-too-many-items = at most { $max } readings per request
body-not-object-or-array = the body must be a JSON object or an array of objects

# A refused parameter of the counters query (`service::counters::ParamError`) and a refused
# period range (`meterport_domain::period::RangeError`).
param-choice-kind = must be usage or cumulative
param-choice-group = must be all, none or a group id
param-choice-class = must be mfp or lfp
param-choice-device = must be a device id
param-choice-unit = must be month or day
param-choice-oldest = must be include or exclude
param-unknown-keys = not counters of the class: { $keys }
api-csv-keys-total1 = this table shows Total 1: keys must include total1
param-choice = is not a value this parameter takes
param-period-format = expected a month as YYYY-MM or a day as YYYY-MM-DD
param-period-unit = does not match the unit
range-format-month = { $field }: expected a month as YYYY-MM
range-format-day = { $field }: expected a date as YYYY-MM-DD
range-end-before-start = the period end is before its start
range-too-many-months = a monthly period can be at most { $max } months
range-too-many-days = a daily period can be at most { $months } months (the end at most { $end })

# What a refused change did not do (`service::Refused`), above its fields' problems.
refused-tenant-not-created = the tenant was not created
refused-user-not-created = the user was not created
refused-password-not-changed = the password was not changed
refused-device-not-registered = the device was not registered
refused-no-token-issued = no token was issued
refused-announcement-not-created = the announcement was not created
refused-group-not-created = the group was not created
refused-group-not-changed = the group was not changed
refused-groups-not-deleted = the groups were not deleted
refused-tenant-not-changed = the tenant's settings were not changed
refused-webhook-not-registered = the webhook was not registered
refused-device-not-changed = the device's settings were not changed

# The JSON APIs' own refusals (`api::ApiError`).
api-unauthorized = a valid bearer token is required
api-not-found = no such resource
api-no-such = no such { $what }
api-internal = the server could not complete the request
api-items-refused = { $count } problem(s) in the request; nothing was stored
api-in-use = { $field } is already in use
api-method-not-allowed = this resource does not take that method (see the Allow header)
api-payload-too-large = the request body is larger than { $mib } MiB
api-unsupported-media-type = the request body must be JSON
api-malformed = the request is malformed
api-not-utf8 = the body must be UTF-8 JSON
api-duplicate-key = { $field } is given more than once
api-unexpected-fields = the request body does not have the expected fields
api-invalid-json = the body is not valid JSON: { $detail }
api-out-of-range = { $field } must be a whole number from { $min } to { $max }
api-invalid-group = invalid group

# What was not found (api-no-such's what).
missing-tenant = tenant
missing-user = user
missing-device = device
missing-group = group
missing-active-token = active token
missing-mail-reject = refused mail
missing-webhook = active webhook
missing-announcement = announcement

# The CSV export's own parameters and its Shift_JIS check.
api-csv-view-choice = must be counter, paper, color_mode or function
api-csv-encoding-choice = must be utf-8 or shift_jis
api-csv-lang-choice = must be ja or en
api-csv-unencodable = { $count } cell(s) contain characters that Shift_JIS cannot represent; nothing was replaced: export with encoding=utf-8 instead (Excel opens it too)
api-csv-unencodable-cell = cannot be written in Shift_JIS; use encoding=utf-8
