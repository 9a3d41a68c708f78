# JSON API（SPEC §7）の拒否理由。インジェスト要求の項目の問題
# （`meterport_domain::ingest::ItemProblem`）。
ingest-not-an-object = オブジェクトで指定してください。
ingest-duplicate-key = 同じキーが複数回指定されています。各キーは1回だけ指定してください。
ingest-invalid-shape = { $detail }
ingest-not-a-string = 文字列で指定してください。
ingest-empty = 空にはできません。
ingest-invalid-serial = シリアル番号が正しくありません。半角英数字と . _ - の1～{ $max }文字で指定してください。
ingest-invalid-timestamp = オフセット付きの RFC 3339 形式の日時で指定してください（例: 2021-08-31T18:00:00+09:00）。
ingest-no-such-offset = オフセット { $offset } は存在しません。時は00～23、分は00～59で指定してください。
ingest-not-a-reading-field = 読み取り値の項目ではありません。
ingest-counters-not-an-object = カウンター名と数値のオブジェクトで指定してください。
ingest-no-counters = カウンターを1つ以上指定してください。
ingest-unknown-counter = 不明なカウンターです。
ingest-in-future = { $minutes }分以上先の日時です。
ingest-before-retention = テナントのデータ保存期間（{ $start } から）より前の日時です。
ingest-not-a-counter-of-mfp = 複合機・プリンターのカウンターではありません。
ingest-not-a-counter-of-lfp = 大判プリンターのカウンターではありません。
ingest-value-not-a-number = 数値で指定してください。
ingest-value-negative = 負の数は指定できません。
ingest-value-fractional = 枚数は整数で指定してください。
ingest-value-too-precise = 小数点以下は3桁までです。
ingest-value-too-large = 値が大きすぎます。カウンターの桁数を超えています。
ingest-value-exponent = 指数表記は使用できません（1.5e3 ではなく 1500）。
ingest-unknown-serial = この顧客の登録済みデバイスではありません。
ingest-given-twice = 重複して指定されています。
ingest-too-many-supplies = 消耗品は{ $max }件までです。
ingest-conflicts-with-item = 項目 { $item } とシリアル番号・日時が同じで、カウンターが異なります。
ingest-conflicts-with-stored = 保存済みの読み取り値とシリアル番号・日時が同じで、カウンターが異なります。

# 要求の本文全体の拒否（`meterport_domain::ingest::BodyError`）。
body-invalid-json = JSON として正しくありません: { $detail }
body-too-many-items = 1回の要求で送れる読み取り値は{ $max }件までです。
body-not-object-or-array = 本文は JSON のオブジェクト、またはオブジェクトの配列で指定してください。

# カウンター照会のパラメーター（`service::counters::ParamError`）と期間
# （`meterport_domain::period::RangeError`）の拒否理由。
param-choice-kind = usage または cumulative を指定してください。
param-choice-group = all、none、またはグループ ID を指定してください。
param-choice-class = mfp または lfp を指定してください。
param-choice-device = デバイス ID を指定してください。
param-choice-unit = month または day を指定してください。
param-choice-oldest = include または exclude を指定してください。
param-unknown-keys = この機種区分のカウンターではありません: { $keys }
api-csv-keys-total1 = この表はトータル1を表示します。keys に total1 を含めてください。
param-choice = このパラメーターに指定できる値ではありません。
param-period-format = 年月を YYYY-MM、または日付を YYYY-MM-DD の形式で指定してください。
param-period-unit = 単位（unit）と一致しません。
range-format-month = { $field }: 年月を YYYY-MM の形式で指定してください。
range-format-day = { $field }: 日付を YYYY-MM-DD の形式で指定してください。
range-end-before-start = 期間の終了が開始より前になっています。
range-too-many-months = 月単位の期間は最大{ $max }か月です。
range-too-many-days = 日単位の期間は最大{ $months }か月です（終了は { $end } まで）。

# 拒否された変更の結果（`service::Refused`）。各項目の問題の前に表示する。
refused-tenant-not-created = テナントは作成されませんでした。
refused-user-not-created = ユーザーは作成されませんでした。
refused-password-not-changed = パスワードは変更されませんでした。
refused-device-not-registered = デバイスは登録されませんでした。
refused-no-token-issued = トークンは発行されませんでした。
refused-announcement-not-created = お知らせは作成されませんでした。
refused-group-not-created = グループは作成されませんでした。
refused-group-not-changed = グループは変更されませんでした。
refused-groups-not-deleted = グループは削除されませんでした。
refused-tenant-not-changed = テナントの設定は変更されませんでした。
refused-webhook-not-registered = Webhook は登録されませんでした。
refused-device-not-changed = デバイスの設定は変更されませんでした。

# JSON API 自身の拒否理由（`api::ApiError`）。
api-unauthorized = 有効なベアラートークンが必要です。
api-not-found = 該当するリソースがありません。
api-no-such = 該当する { $what } がありません。
api-internal = サーバーは要求を完了できませんでした。
api-items-refused = 要求に{ $count }件の問題があります。何も保存されていません。
api-in-use = { $field } はすでに使用されています。
api-method-not-allowed = このリソースはそのメソッドを受け付けません（Allow ヘッダーを参照）。
api-payload-too-large = 要求の本文が { $mib } MiB を超えています。
api-unsupported-media-type = 要求の本文は JSON で指定してください。
api-malformed = 要求の形式が正しくありません。
api-not-utf8 = 本文は UTF-8 の JSON で指定してください。
api-duplicate-key = { $field } が複数回指定されています。
api-unexpected-fields = 要求の本文に必要な項目がありません。
api-invalid-json = 本文が JSON として正しくありません: { $detail }
api-out-of-range = { $field } は{ $min }～{ $max }の整数で指定してください。
api-invalid-group = グループの指定が正しくありません。

# 見つからなかったもの（api-no-such の what）。
missing-tenant = テナント
missing-user = ユーザー
missing-device = 機器
missing-group = グループ
missing-active-token = 有効なトークン
missing-mail-reject = 拒否したメール
missing-webhook = 有効な Webhook
missing-announcement = お知らせ

# CSV 出力の指定と Shift_JIS の確認。
api-csv-view-choice = counter、paper、color_mode、function のいずれかを指定してください
api-csv-encoding-choice = utf-8 または shift_jis を指定してください
api-csv-lang-choice = ja または en を指定してください
api-csv-unencodable = Shift_JIS で表せない文字を含むセルが { $count } 個あります。置き換えはしていません。encoding=utf-8 で出力してください（Excel でも開けます）
api-csv-unencodable-cell = Shift_JIS では書けません。encoding=utf-8 を使ってください
