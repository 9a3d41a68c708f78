# The device list (S7-S10), device information (S11) and toner/ink stock (S28).

# The group selector, shared with the counter and supplies screens' words.
group-all-devices = すべてのデバイス
group-no-group-devices = グループ未登録デバイス
group-not-found-showing-all = 選択されたグループは存在しません（削除された可能性があります）。すべてのデバイスを表示しています。

# Lists
list-range = { $total }件中 { $first }～{ $last }件目
list-pages = ページ
list-prev = 前へ
list-next = 次へ
times-in-zone = 日時はタイムゾーン { $zone } で表示しています（ユーザー情報で変更できます）。

# Device list
devices-group = グループ
devices-filter = 絞り込み
devices-filter-placeholder = デバイス名、シリアル番号、製品名、ビル名、設置場所
devices-show = 表示
devices-clear = 条件をクリア
devices-counts = ステータス別の台数
devices-all-statuses = すべて
devices-col-name = デバイス名
devices-col-status = ステータス
devices-col-remote-ui = リモートUI
devices-col-product = 製品名
devices-col-building = ビル名
devices-col-location = デバイス設置場所
devices-col-group = グループ名
devices-col-last-report = 最終報告日時
devices-not-reporting = 報告途絶
devices-not-reporting-hint = 以前は報告していたのに、一定時間（担当営業・サービスが別に設定していなければ 48 時間）を超えて何も（カウンター、ステータス、メール）届いていないデバイスです。
devices-never-reported = 未受信
devices-open-remote-ui = リモートUIを新しいタブで開く
devices-none = 登録されているデバイスはまだありません。デバイスの登録は担当営業・サービスにご依頼ください。
devices-none-match = 条件に合うデバイスはありません。グループ、絞り込み、ステータスを変更するか、条件をクリアしてください。

# Device information
device-title = デバイス情報
device-serial = シリアル番号
device-smtp-always-normal = このデバイスはメール（SMTP）で報告するためステータスを送信できません。常に通常として表示されます。
device-condition-code = コード
device-since = 発生日時
device-mac = MACアドレス
device-host = IPアドレス/ホスト名
device-toner-admin = トナー/インク管理者
device-admin-email = メールアドレス
device-no-group = 指定なし
device-no-admin = 指定なし
device-admin-no-email = メールアドレス未設定
device-admin-note = トナー/インク管理者を指定しない場合、このデバイスのトナー/インクが少なくなってもメールで通知されません。管理者のメールアドレスは、その方の通知先メールアドレス（ユーザー情報）です。
device-last-reading = 最終受信日時
device-no-reading = このデバイスからはまだカウンターを受信していません。
device-last-mail = 最終メール受信日時
device-last-report = 最終報告日時（カウンター・ステータス・メール）
device-never-reported = このデバイスからはまだ報告を受信していません。
device-not-reporting-since = { $time } 以降、報告がありません。
device-not-reporting-hint = カウンター、ステータス、メールのいずれも { $hours } 時間を超えて届いていないデバイスを「報告途絶」と表示します。報告が届くと解除されます。
device-no-mail = このデバイスからはまだメーターメールを受信していません。
device-latest-counters = 最新のカウンター
device-unit = 単位
device-counters-note = 最後に受信したカウンターの積算値です。「-」はデバイスがそのカウンターを報告していないことを示します。
device-supplies = 消耗品の残量
device-no-supplies = このデバイスはトナー、インクなどの消耗品の残量を報告していません。
device-back-to-list = デバイスリストに戻る
device-saved = グループとトナー/インク管理者を保存しました。
device-group-unknown = このグループは存在しません（削除された可能性があります）。一覧からグループ、または「指定なし」を選択してください。
device-admin-unknown = このユーザーは存在しません（アカウントが削除された可能性があります）。一覧からユーザー、または「指定なし」を選択してください。

# Supplies
supply-kind-toner = トナー
supply-kind-ink = インク
supply-kind-drum = ドラム
supply-kind-other = その他
supply-level-unknown = 残量不明
supply-level-some-remaining = 残量あり
supply-level-empty = 残量なし
supply-level-low = 残量わずか
supply-level-ok = 残量十分
supply-low = 残りわずか
supplies-as-of = 残量の報告日時:
supplies-levels = 消耗品の残量
supplies-reported = 報告日時
supplies-reporting = 消耗品の残量を報告しているデバイス: { $count }台
supplies-low-summary = 残量{ $limit }%以下の消耗品が{ $supplies }個あります（{ $devices }台）。
supplies-none-low = 残量{ $limit }%以下の消耗品はありません。
supplies-order-note = 残量の少ないデバイスから順に表示しています。残量は各デバイスの最新の報告の値です。
supplies-none-title = 表示対象のデバイスはいずれも消耗品の残量を報告していません。
supplies-none-body = ステータスの報告に消耗品の残量を含むデバイスについて、ここに残量が表示されます。メールで報告するデバイスや、残量を含まない報告しか送らないデバイスには、表示できる残量がありません。
supplies-silent-title = 残量を報告していないデバイス
supplies-silent-body = { $count }台のデバイスはトナー、インクなどの消耗品の残量を報告していないため、残量を表示できません。
supplies-silent-list = これらのデバイスを表示
supplies-silent-more = ほか{ $count }台
supplies-expected-empty = 交換目安日
supplies-only-low = 残量 { $limit }% 以下（残量なしを含む）の消耗品があるデバイスのみ表示しています。
supplies-only-empty = 残量なしの消耗品があるデバイスのみ表示しています。
supplies-show-all = すべてのデバイスを表示
supplies-forecast-note = 交換目安日は、前回の交換以降の残量の推移から、最近の使用ペースで消耗品がなくなると予測される日です。予測には14日以上にわたる3種類以上の残量が必要です。残量をパーセントで報告しない消耗品（「残量あり」など）は予測できません。
supply-forecast-today = （本日）
supply-forecast-tomorrow = （明日）
supply-forecast-in-days = （あと{ $days }日）
supply-forecast-date-title = 最近の使用ペースから、この消耗品がなくなると予測される日です。
supply-forecast-not-enough-data = データ不足
supply-forecast-not-enough-data-title = 予測には、前回の交換以降、14日以上にわたる3種類以上の残量の報告が必要です。
supply-forecast-not-falling = 減少なし
supply-forecast-not-falling-title = 残量が減っていないため、なくなる日を予測できません。
