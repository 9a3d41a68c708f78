# Change of the notification e-mail address (web/email.rs: email.html, email_confirmed.html).
email-current = Current notification e-mail address
email-pending = Waiting for confirmation
email-pending-until = (the confirmation link works until { $until })
email-intro = A confirmation mail goes to the new address. Until its link is opened, notifications keep going to the current address.
email-new = New e-mail address
email-confirmation = New e-mail address (again)
email-submit = Change
email-confirmation-required = Enter the new address again, to confirm it.
email-confirmation-mismatch = The two addresses are not the same.
email-same-as-current = This is already your notification e-mail address.
email-sent = Your request has been received. Open the link in the mail sent to the new address to complete the registration.
email-confirmed-title = Notification e-mail address
email-confirmed = Your notification e-mail address has been registered.
email-confirmed-continue = Go to the Customer Portal
