# The shell: title, menu, top links, common words.
app-name = Customer Portal
app-title = 稼働状況 Web 確認サービス
menu-service-top = サービストップ
menu-devices = デバイス
menu-device-list = デバイスリスト
menu-counters = カウンター情報
menu-department-counters = 部門別集計
menu-supplies = トナー/インク在庫
menu-settings = 設定
menu-notifications = 電子メール通知
menu-groups = デバイスグループ
menu-paper-sizes = 用紙サイズ
menu-login-user = ログインユーザー情報
menu-user-info = ユーザー情報
menu-change-password = パスワードの変更
menu-change-email = 通知先メールアドレスの変更
top-home = ホーム
top-manual = マニュアル
top-logout = ログアウト
skip-to-content = 本文へ移動
lang-ja = 日本語
lang-en = English
lang-switch = 表示言語

# The shell on a phone, and a table or graph wider than the screen.
menu-button = メニュー
scroll-hint = 左右にスクロールできます

required-note = *の項目は入力必須です。
save = 保存
reset = リセット
cancel = キャンセル
back = 戻る
ok = OK
coming-soon-title = 準備中
coming-soon-body = この画面は現在準備中です。今後のバージョンで提供する予定です。
coming-soon-department-counters = デバイスに登録された部門ID（部署ごとの利用者コード）ごとに使用枚数を集計する画面です。今後のバージョンで提供する予定です。
coming-soon-meanwhile = それまでは、デバイスごとの使用枚数を次の画面でご覧いただけます：
error-title = エラーが発生しました
error-body = ページを表示できませんでした。もう一度お試しください。繰り返し発生する場合は、担当営業またはサービスにご連絡ください。
not-found-title = ページが見つかりません
not-found-body = このページは存在しないか、お使いのアカウントではご利用いただけません。
csrf-failed = フォームの有効期限が切れたか、別のサイトから送信されました。もう一度お試しください。
