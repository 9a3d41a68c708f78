# The portal's mails (mail/messages.rs, templates/mail/): subject, greeting, paragraphs, notes.
# Plain text, no markup: the HTML part escapes it.
mail-greeting = { $name } 様
mail-footer = このメールは Customer Portal（稼働状況 Web 確認サービス）から送信専用のアドレスでお送りしています。ご返信いただいてもお答えできません。ご不明な点は担当営業またはサービスにお問い合わせください。
mail-reset-subject = 【Customer Portal】パスワード再設定のご案内
mail-reset-body = ユーザー名「{ $username }」のパスワード再設定のご依頼を受け付けました。次のURLにアクセスし、新しいパスワードを設定してください。
mail-reset-action = 新しいパスワードを設定する
mail-reset-validity = このURLの有効期限は { $until } です（ご依頼から60分間、1回のみ有効）。期限が過ぎた場合は、ログイン画面の「パスワードを忘れた場合はこちら」からもう一度ご依頼ください。
mail-reset-ignore = このメールにお心当たりがない場合は、このメールを破棄してください。パスワードは変更されません。
mail-confirm-subject = 【Customer Portal】通知先メールアドレスの確認
mail-confirm-body = ユーザー名「{ $username }」の通知先メールアドレスとして、このメールアドレスが登録されようとしています。次のURLにアクセスして、登録を完了させてください。
mail-confirm-action = このメールアドレスを登録する
mail-confirm-validity = このURLの有効期限は { $until } です（24時間、1回のみ有効）。URLにアクセスするまでは、これまでの通知先メールアドレスに通知が届きます。
mail-confirm-ignore = このメールにお心当たりがない場合は、このメールを破棄してください。メールアドレスは登録されません。
mail-changed-subject = 【Customer Portal】通知先メールアドレスが変更されました
mail-changed-body = ユーザー名「{ $username }」の通知先メールアドレスが { $when } に変更されました。今後の通知は新しいメールアドレスに届き、このメールアドレスには届きません。
mail-changed-not-you = この変更にお心当たりがない場合は、至急担当営業またはサービスにご連絡ください。
