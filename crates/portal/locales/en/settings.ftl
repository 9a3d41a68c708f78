# Settings: device groups (S22), paper sizes (S21), e-mail notification (S23).

# Device groups: the list
groups-intro = Groups choose which devices the device list, the counter information and the toner/ink stock show. A device can be in one group only.
groups-new = New
groups-none = There are no groups yet. Click New to create one.
groups-select = Select
group-name = Group name
groups-device-count = Devices
groups-delete = Delete
groups-ungrouped = Devices in no group
groups-at-limit = You have the maximum of 200 groups. Delete a group before creating another.
groups-created = The group "{ $name }" has been created.
groups-saved = The group "{ $name }" has been saved.
groups-deleted = { $count } group(s) deleted. Their devices are now in no group.
groups-delete-none-chosen = Select the groups to delete (tick their boxes), then click Delete.
groups-delete-changed = The groups changed in the meantime (one of them was already deleted). Nothing was deleted; check the list and try again.

# Device groups: delete confirmation
groups-delete-title = Delete device groups
groups-delete-question = Do you want to delete these groups?
groups-delete-effect = Their { $count } device(s) will then be in no group. No device and no counter data is deleted.
groups-delete-yes = Yes, delete
groups-delete-no = No, go back

# Device groups: new and edit
group-new-title = New device group
group-edit-title = Device group details
group-name-rule = Required. At most 50 half-width characters; a full-width character counts as 2. Not allowed: { $chars } and half-width katakana. Must differ from your other groups' names.
group-devices = Devices
group-devices-new-hint = The devices in no group are listed. Tick the devices to put in this group.
group-devices-edit-hint = This group's devices and the devices in no group are listed. Ticked devices are in the group; unticked ones leave it (they are then in no group).
group-no-free-devices = There are no devices to choose: every device is already in a group. You can still save the group without devices.
group-member = In this group
group-now = Now
group-now-member = In this group
group-now-none = In no group
group-name-taken = Another group already has this name. Group names must be unique.
group-too-many = You already have { $max } groups, the maximum. Delete a group before creating another.
group-devices-unknown = { $count } of the chosen devices no longer exist. Reload the screen and choose again.
group-devices-in-other-group = These devices were put in another group in the meantime: { $devices }. Untick them, or remove them from that group first.

# Paper sizes
paper-sizes-intro = Choose the paper sizes listed on the Paper size tab of the counter information (and in its graph and CSV). The setting applies to every user of your company.
paper-sizes-legend = Paper sizes to list
paper-sizes-defaults = Select the defaults
paper-sizes-defaults-shown = The default sizes are selected below. Click Save to keep them, or Reset to go back to the saved setting.
paper-sizes-saved = The paper sizes have been saved.
paper-sizes-none = Select at least one paper size.
paper-sizes-unknown = Choose paper sizes from the list only.
paper-sizes-note-total1 = Total 1 includes the sizes that are not listed.
paper-sizes-note-lfp = Large-format printers (LFP) have no paper-size counters: this setting does not apply to them.
paper-sizes-note-dash = A size that a device does not report shows "-".

# E-mail notification
notify-intro = Choose what you want to be told by e-mail, and about which devices. These are your own settings; other users choose theirs.
notify-address = E-mails go to
notify-no-address = You have no notification e-mail address, so no e-mail can reach you.
notify-service-call = Service call
notify-service-call-desc = A device needs maintenance by a technician (high severity).
notify-error = Error
notify-error-desc = A device has an error, a paper jam for example (medium severity).
notify-warning = Warning
notify-warning-desc = A device has a warning, low toner for example (low severity).
notify-late = Not reporting
notify-late-desc = A device that reported before has sent nothing (counters, status or e-mail) for longer than its threshold: 48 hours unless your service contact set another. You are told once each time a device stops.
notify-off = Do not notify
notify-all-devices = All devices
notify-selected-groups = Devices of the selected groups:
notify-no-groups = There are no device groups yet, so you can choose all devices or none.
notify-no-group-left = The groups chosen here have been deleted: no device is selected. Choose groups, or All devices.
notify-choose-group = Select at least one group, or choose All devices.
notify-group-unknown = A chosen group no longer exists. Choose again from the list.
notify-choose-scope = Choose one of the options.
notify-toner-title = Toner/ink administrators
notify-toner = Tell the toner/ink administrators when toner or ink runs low
notify-toner-hint = Each device's toner/ink administrator is set in its device information. Devices without one are not notified.
notify-saved = Your e-mail notification settings have been saved.
