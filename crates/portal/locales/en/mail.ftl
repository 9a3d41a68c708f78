# The portal's mails (mail/messages.rs, templates/mail/): subject, greeting, paragraphs, notes.
# Plain text, no markup: the HTML part escapes it.
mail-greeting = Dear { $name },
mail-footer = This mail was sent by the Customer Portal (fleet status and counters) from an address that does not receive replies. For any question, please contact your sales or service representative.
mail-reset-subject = [Customer Portal] Reset your password
mail-reset-body = We received a request to reset the password of the user name "{ $username }". Open the link below to set a new password.
mail-reset-action = Set a new password
mail-reset-validity = The link works once, until { $until } (60 minutes after the request). If it has expired, ask again with "Forgot your password?" on the login screen.
mail-reset-ignore = If you did not ask for this, ignore this mail: your password stays as it is.
mail-confirm-subject = [Customer Portal] Confirm your notification e-mail address
mail-confirm-body = This address is being registered as the notification e-mail address of the user name "{ $username }". Open the link below to complete the registration.
mail-confirm-action = Confirm this address
mail-confirm-validity = The link works once, until { $until } (24 hours). Until it is opened, notifications keep going to the previous address.
mail-confirm-ignore = If you did not ask for this, ignore this mail: the address will not be registered.
mail-changed-subject = [Customer Portal] Your notification e-mail address was changed
mail-changed-body = The notification e-mail address of the user name "{ $username }" was changed on { $when }. From now on, notifications go to the new address and no longer to this one.
mail-changed-not-you = If you did not make this change, please contact your sales or service representative at once.
