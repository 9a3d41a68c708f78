# Change of the notification e-mail address (web/email.rs: email.html, email_confirmed.html).
email-current = 現在の通知先メールアドレス
email-pending = 確認待ちのメールアドレス
email-pending-until = （確認用URLの有効期限: { $until }）
email-intro = 新しいメールアドレスに確認用のメールをお送りします。メールに記載されたURLにアクセスするまでは、現在の通知先メールアドレスに通知が届きます。
email-new = 新しいメールアドレス
email-confirmation = 新しいメールアドレス（確認入力）
email-submit = 変更
email-confirmation-required = 確認のため、新しいメールアドレスをもう一度入力してください。
email-confirmation-mismatch = 新しいメールアドレスと確認入力が一致しません。
email-same-as-current = 現在の通知先メールアドレスと同じです。
email-sent = 新しいメールアドレスに確認用のメールを送信しました。メールに記載されたURLにアクセスすると変更が完了します。それまでは現在のアドレスに通知します。
email-confirmed-title = 通知先メールアドレスの登録
email-confirmed = 通知先メールアドレスの登録が完了しました。
email-confirmed-continue = Customer Portal へ
