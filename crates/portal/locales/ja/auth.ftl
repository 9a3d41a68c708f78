# Login and logout.
login-title = ログイン
login-username = ユーザー名
login-password = パスワード
login-submit = ログイン
login-forgot = パスワードを忘れた場合はこちら>>
login-failed = ユーザー名またはパスワードが正しくありません。
login-locked = パスワードを続けて間違えたため、このアカウントはロックされています。{ $until } 以降に再度お試しください。
login-too-many-attempts = お使いのネットワークからのログイン試行が多すぎます。数分待ってから再度お試しください。
login-logged-out = ログアウトしました。
login-session-expired = セッションが終了しました。再度ログインしてください。
login-password-was-reset = パスワードを変更しました。新しいパスワードでログインしてください。
