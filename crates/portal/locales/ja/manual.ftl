# The built-in manual (SPEC S27): /manual, one section per screen (web/manual.rs, templates/manual.html).
# One message per paragraph, step, table cell or note; no markup. Keep each message on one line.

## The page

manual-title = 操作マニュアル
manual-lead = このマニュアルでは、本システムの各画面の目的と操作手順を説明します。各画面の右上の [マニュアル] から開くと、その画面の説明が表示されます。
manual-toc = 目次
manual-memo = メモ
manual-back-to-toc = 目次へ戻る
manual-login-link = ログイン画面へ
manual-col-item = 項目
manual-col-desc = 説明
manual-col-menu = メニュー
manual-col-tab = タブ
manual-col-cause = 原因
manual-col-action = 対処
manual-col-endpoint = エンドポイント

# A section's screenshot, taken by the browser tests from the demo data.
manual-shot = 画面の例（デモデータ）


## Words shared by several sections

manual-status-service-call = サービスコール
manual-status-service-call-desc = サービスコールが発生しています。当社によるメンテナンスが必要です。重要度：高
manual-status-error = エラー
manual-status-error-desc = エラーが発生しています（紙詰まりなど）。重要度：中
manual-status-warning = ワーニング
manual-status-warning-desc = ワーニング（警告）が発生しています（トナー残量の低下など）。重要度：低
manual-status-normal = 通常
manual-status-normal-desc = サービスコール、エラー、ワーニングは発生していません。
manual-status-unknown = 不明
manual-status-unknown-desc = デバイスから一度もステータスを受信しておらず、カウンターも受信していない状態です。アイコンはうすく表示されます。
manual-tab-counter = カウンター
manual-tab-paper = 用紙サイズ
manual-tab-color-mode = カラーモード
manual-tab-function = 機能
manual-lfp-unit-a4 = A4換算枚数
manual-lfp-unit-letter = レター換算枚数
manual-lfp-unit-m2 = 面積(m²)
manual-lfp-unit-sqft = 面積(sq.ft)

## The menu (overview)

manual-menu-welcome = ログイン情報と当社からのお知らせを表示します。
manual-menu-devices = デバイスの現在の状態や設置場所などの情報を表示します。
manual-menu-counters = デバイスの使用枚数、累積使用枚数を、使用内容ごと（用紙サイズ、カラーモード、使用機能）、期間ごと（月、日）に表示します。
manual-menu-department-counters = 部門別の使用枚数の集計です。現在ご利用いただけません。
manual-menu-supplies = デバイスから送信されたトナー/インクの残量を表示します。
manual-menu-notifications = サービスコール、エラー、ワーニングの発生や、トナー/インクの残量低下を電子メールで受け取る設定をします。
manual-menu-groups = いくつかのデバイスをまとめて、グループ名をつけ、グループとして登録します。登録済みのグループの変更や削除もします。
manual-menu-paper-sizes = カウンター情報の用紙サイズ別の一覧に表示する用紙サイズを選択します。
manual-menu-profile = 氏名、表示言語、地域と言語、タイムゾーンを変更します。通知先メールアドレスの登録内容も確認できます。
manual-menu-password = ログイン時に入力するパスワードを変更します。
manual-menu-email = 通知メールの送信先であり、パスワードのリセットにも使う、通知先メールアドレスを変更します。

## top: about the service

manual-top-title = 本サービスについて
manual-top-intro-1 = 本サービス（Customer Portal）では、当社が保守をお預かりしている複合機（MFP）、プリンター（LBP）、大判プリンター（LFP）から送信されるカウンター値とステータスを自動で集計し、Web ブラウザーでご確認いただけます。使用枚数は、使用内容ごと（用紙サイズ別/カラーモード別/機能別）、期間ごと（月・日）に、1台ごとにも複数台の合計でも表示でき、その結果を CSV ファイルへエクスポートできます。
manual-top-intro-2 = [デバイスリスト] 画面では、各デバイスの状態（エラーの発生など）を確認できます。リモート UI の機能があるデバイスでは、そのデバイスのリモート UI 画面を開くこともできます。
manual-top-h-env = ご利用環境
manual-top-env-1 = 一般的な Web ブラウザー（Microsoft Edge、Google Chrome、Mozilla Firefox、Safari の最新版）でご利用いただけます。特別なソフトウェアを用意する必要はありません。
manual-top-env-2 = ブラウザーでクッキー（Cookie）を受け入れるように設定してください。ログイン状態の保持に使用します。
manual-top-env-3 = 複数のタブやウィンドウで同時に開いても、問題なくご利用いただけます。
manual-top-h-spec = 仕様に関する注意事項
manual-top-spec-1 = デバイスが実際に数えた使用枚数での集計です。ご請求枚数とは一致しない場合があります。
manual-top-spec-2 = 通信障害が発生している間や、デバイスの電源が切れている間、故障で稼働できない間は、カウンターデータを取得できません。その期間は “-” と表示され、その間に使用された枚数は、次にカウンターデータを取得できた期間にまとめて計上されます。
manual-top-spec-3 = 取得できるカウンターの種類は機種によって異なります。一部のプリンターや大判プリンターでは、用紙サイズ別や機能別（コピー、FAX、両面など）のカウンターは取得できません。
manual-top-spec-4 = 月・日の区切りは、お客さまの会社に設定されたタイムゾーン（通常は日本時間）で数えます。同じ会社の方であれば、どなたがご覧になっても、CSV ファイルでも、同じ数値になります。
manual-top-spec-5 = カウンターデータの保存期間は、お客さまの会社ごとに当社が設定しています（標準は39ヶ月間）。保存期間より古いデータは集計できません。
manual-top-h-menu = 画面の構成
manual-top-menu-intro = 本システムの画面の左には、メニューが表示されます。各メニューをクリックすると、その機能の画面が表示されます。メニュー名をクリックすると、このマニュアルの該当する説明に移動します。
manual-top-links-intro = 本システムの画面の右上には、つぎの機能があります。
manual-top-link-home = クリックすると、[ようこそ] 画面に戻ります。
manual-top-link-manual = クリックすると、このマニュアルが別のタブで表示されます。表示中の画面についての説明から表示されます。
manual-top-link-logout = クリックすると、本システムからログアウトし、[ログイン] 画面に戻ります。
manual-top-note-1 = 通知先メールアドレスは、パスワードをお忘れになったときのリセットに必要です。まだ登録していない場合は、[通知先メールアドレスの変更] から登録してください。
manual-top-note-2 = 安全のため、一定時間操作をしないと自動的にログアウトします。その場合は、もう一度ログインしてください。

## login

manual-login-title = ログイン
manual-login-intro = 本システムをご利用いただくには、当社からお知らせしたユーザー名とパスワードでログインします。
manual-login-step-1 = Web ブラウザーで本システムの URL にアクセスすると、最初に [ログイン] 画面が表示されます。
manual-login-step-2 = 必要に応じて、画面右上の [日本語] / [English] をクリックして、表示する言語を切り替えます。
manual-login-step-3 = [ユーザー名] と [パスワード] を入力し、[ログイン] をクリックします。
manual-login-step-4 = ログインすると、[ようこそ] 画面が表示されます。
manual-login-note-1 = ユーザー名またはパスワードが正しくない場合は、そのことだけが表示されます。どちらが誤っているかは表示されません（第三者に、存在するユーザー名を知られないためです）。
manual-login-note-2 = 誤ったパスワードを5回続けて入力すると、そのアカウントは12分間ログインできなくなります。この間は、正しいパスワードを入力してもログインできません。画面に表示される時刻（12分後）以降に、もう一度お試しください。
manual-login-note-3 = パスワードの有効期限は、最後に変更した日から3ヶ月です。有効期限の7日前から、すべての画面の上部に有効期限の日付を示すメッセージが表示されるようになるので、パスワードを変更してください。
manual-login-note-4 = 有効期限をすぎると、ログインしても [パスワードの変更] 画面だけが表示され、パスワードを変更するまでほかの画面はご利用いただけません。当社がパスワードをリセットした後の最初のログインでも、同じようにパスワードの変更が必要です。
manual-login-note-5 = ログイン後の表示言語は、[ユーザー情報] 画面の [表示言語] の設定に従います。ログイン画面で 日本語 / English を切り替えた場合は、ログイン時にその言語が [表示言語] に保存され、ログイン後もその言語で表示されます。
manual-login-note-6 = 同じ場所から短時間に多数のログインが試みられた場合も、しばらくの間ログインできなくなることがあります。
manual-login-note-tabs = ログイン後は、複数のタブやウィンドウで本システムを同時に開いてご利用いただけます。ログアウトすると、すべてのタブでログアウトした状態になります。
manual-login-h-forgot = パスワードを忘れた場合
manual-login-forgot-1 = [ログイン] 画面で、[パスワードを忘れた場合はこちら>>] をクリックします。
manual-login-forgot-2 = [ユーザー名] を入力し、[送信] をクリックします。
manual-login-forgot-3 = 通知先メールアドレスが登録されている場合は、そのアドレス宛に、パスワード再設定用の URL を記載したメールが送信されます。
manual-login-forgot-4 = メールに記載された URL にアクセスし、新しいパスワードを設定します。設定すると、このユーザーでログイン中のセッションはすべて終了しますので、新しいパスワードでログインしてください。
manual-login-forgot-note-1 = パスワード再設定用の URL は1回だけ使用でき、有効期限は60分です。期限が切れた場合は、もう一度手順1から行ってください。
manual-login-forgot-note-2 = 安全のため、入力したユーザー名が存在するかどうかにかかわらず、画面には同じメッセージが表示されます。通知先メールアドレスを登録していない場合や、メールが届かない場合は、担当営業またはサービスに連絡をし、パスワードのリセットをご依頼ください。

## welcome

manual-welcome-title = ようこそ画面
manual-welcome-intro = ログインすると最初に表示される画面です。メニューの [サービストップ]、または画面右上の [ホーム] をクリックすると、いつでもこの画面に戻れます。
manual-welcome-field-user = ユーザー名
manual-welcome-field-user-desc = ログインしているユーザー名を表示します。
manual-welcome-field-previous = 前回のログイン日時
manual-welcome-field-previous-desc = 前回ログインした日時を、[ユーザー情報] で設定したタイムゾーンで表示します（初めてのログインの場合は、その旨が表示されます）。身に覚えのない日時が表示されている場合は、パスワードを変更し、担当営業またはサービスにご連絡ください。
manual-welcome-field-fleet = デバイスの状況
manual-welcome-field-fleet-desc = ステータスごとのデバイスの台数、報告が途絶えているデバイスの台数、残量が少ない・なくなった消耗品の数を表示します。数字をクリックすると、該当するデバイスの一覧が表示されます。
manual-welcome-field-news = お知らせ
manual-welcome-field-news-desc = メンテナンスの予定など、当社からのお知らせを新しいものから順に表示します。
manual-welcome-note-1 = パスワードの有効期限まで7日を切ると、この画面とほかのすべての画面の上部に有効期限の日付が表示されます。[パスワードの変更] から変更してください。

## devices: the device list

manual-devices-title = デバイスリスト
manual-devices-intro = デバイスの種類やステータス、設置場所などを一覧で確認できます。リモート UI の機能があるデバイスでは、その画面を表示し、設定を行うこともできます。
manual-devices-step-1 = 画面左のメニューの [デバイスリスト] をクリックします。[デバイスリスト] 画面が表示されます。
manual-devices-step-2 = [グループ] で、表示するデバイスのグループを選択します。
manual-devices-step-3 = デバイスの台数が多い場合は、[絞り込み] 欄にデバイス名、シリアル番号、製品名、ビル名、設置場所の一部を入力し、[表示] をクリックします。入力した文字を含むデバイスだけが表示されます。[条件をクリア] をクリックすると、すべてのデバイスの表示に戻ります。
manual-devices-step-4 = 一覧の見出しをクリックすると、その項目で一覧を並べ替えることができます。
manual-devices-step-5 = [デバイス名] をクリックすると、そのデバイスの [デバイス情報] 画面が表示されます。
manual-devices-field-group = グループ
manual-devices-field-group-desc = 表示するデバイスのグループを選択します。[すべてのデバイス] ではすべてのデバイスが、[グループ未登録デバイス] ではどのグループにも登録されていないデバイスが、グループ名を選択するとそのグループのデバイスが表示されます。
manual-devices-field-filter = 絞り込み
manual-devices-field-filter-desc = デバイス名、シリアル番号、製品名、ビル名、設置場所のいずれかに、入力した文字を含むデバイスだけを表示します。
manual-devices-field-counts = ステータスごとの台数
manual-devices-field-counts-desc = 表示中のデバイスの台数を、ステータス（サービスコール、エラー、ワーニング、通常、不明）ごとに表示します。ステータスをクリックすると、そのステータスのデバイスだけが表示されます。[すべて] をクリックすると元に戻ります。
manual-devices-field-name = デバイス名
manual-devices-field-name-desc = デバイスの種類とステータスを示すアイコンと、デバイス名が表示されます。
manual-devices-field-status = ステータス
manual-devices-field-status-desc = デバイスのステータスが表示されます。ステータスの種類と重要度は下の表のとおりです。
manual-devices-field-remote = リモートUI
manual-devices-field-remote-desc = リモート UI の機能があるデバイスの場合に、アイコンが表示されます。クリックすると、そのデバイスのリモート UI の画面が新しいタブで表示されます。リモート UI について詳しくは、お使いのデバイスの「リモート UI ガイド」を参照してください。
manual-devices-field-place = 製品名、ビル名、デバイス設置場所、グループ名
manual-devices-field-place-desc = デバイスの製品名、設置されている建物名、建物内の詳しい場所、デバイスが登録されているグループ名が表示されます。
manual-devices-field-last-report = 最終報告日時、報告途絶
manual-devices-field-last-report-desc = ポータルがデバイスから最後に何か（カウンター、ステータス、メール）を受信した日時です。以前は報告していたデバイスから一定時間（担当営業・サービスが別に設定していなければ 48 時間）を超えて何も届いていない場合は「報告途絶」と表示されます。[報告途絶] ボタンで該当するデバイスだけを表示できます。報告が届くと解除されます。
manual-devices-h-types = デバイスの種類
manual-devices-type-mono-mfp = モノクロMFP：白黒の複合機（コピー、プリント、スキャン、FAX など）
manual-devices-type-color-mfp = カラーMFP：カラーの複合機
manual-devices-type-mono-lbp = モノクロLBP：白黒のレーザープリンター
manual-devices-type-color-lbp = カラーLBP：カラーのレーザープリンター
manual-devices-type-lfp = LFP(大判プリンター)：大判のインクジェットプリンター
manual-devices-h-status = ステータス
manual-devices-note-1 = ひとつのデバイスで複数のサービスコール、エラー、ワーニングが発生している場合は、重要度の高いものが表示されます（サービスコール ＞ エラー ＞ ワーニング）。発生中のものはすべて [デバイス情報] 画面で確認できます。
manual-devices-note-2 = 通信プロトコルが SMTP であるデバイスは、ステータスを送信できないため、常に通常状態で表示されます。
manual-devices-note-3 = ステータスが不明のまま変わらない場合は、「困ったときは」を参照してください。
manual-devices-note-pages = デバイスの台数が多い場合は、一覧が複数のページに分けて表示されます。

## device: device information

manual-device-title = デバイス情報
manual-device-intro = 1台のデバイスの詳しい情報、現在のステータス、最新のカウンター値、消耗品の残量を表示します。デバイスのグループとトナー/インク管理者を設定することもできます。
manual-device-step-1 = [デバイスリスト] 画面で、情報を表示したいデバイスの [デバイス名] をクリックします。[デバイス情報] 画面が表示されます。
manual-device-step-2 = 必要に応じて [グループ名] と [トナー/インク管理者] を選択し、[保存] をクリックします。
manual-device-field-name = デバイス名、製品名、シリアル番号
manual-device-field-name-desc = デバイスの種類とステータスを示すアイコン、デバイス名、製品名、シリアル番号を表示します。
manual-device-field-status = ステータス
manual-device-field-status-desc = 現在のステータスを表示します。発生中のサービスコール、エラー、ワーニングは、その内容、コード、発生日時（いつから発生しているか）とともにすべて表示されます。
manual-device-field-group = グループ名
manual-device-field-group-desc = このデバイスを登録するグループを選択します。[指定なし] を選択すると、どのグループにも登録されません。ひとつのデバイスを登録できるグループはひとつだけです。
manual-device-field-address = MACアドレス、IPアドレス/ホスト名
manual-device-field-address-desc = デバイスの MAC アドレスと、IP アドレスまたはホスト名を表示します。
manual-device-field-place = ビル名、デバイス設置場所
manual-device-field-place-desc = デバイスが設置されている建物名と、建物内の詳しい場所を表示します。
manual-device-field-admin = トナー/インク管理者、メールアドレス
manual-device-field-admin-desc = このデバイスのトナー、インク交換の担当者を、お客さまの会社のユーザーから選択します。選択した担当者のメールアドレスが [メールアドレス] に表示されます。[指定なし] を選択すると、担当者は設定されません。
manual-device-field-last = 最終受信日時
manual-device-field-last-desc = デバイスから最後にカウンター値を受信した日時を表示します。
manual-device-field-counters = 最新のカウンター
manual-device-field-counters-desc = 最後に受信したカウンター値（積算値）を表示します。デバイスが送信しないカウンターは “-” と表示されます。
manual-device-field-supplies = 消耗品の残量
manual-device-field-supplies-desc = デバイスが残量を送信する場合は、トナー、インクなどの消耗品ごとの残量を表示します。送信しないデバイスでは、その旨が表示されます。
manual-device-field-save-desc = [グループ名] と [トナー/インク管理者] の設定を保存します。
manual-device-note-1 = トナー/インク管理者を設定していない場合は、[電子メール通知] でトナー/インク管理者への通知を設定していても、このデバイスについての通知メールは送信されません。
manual-device-note-2 = デバイス名、設置場所、IP アドレスなどの登録内容を変更したい場合は、担当営業またはサービスにご連絡ください。

## counters: the counter information form and the aggregate table

manual-counters-title = カウンター情報
manual-counters-intro = デバイスの使用枚数、または累積使用枚数（積算値）を集計し、表示します。集計する単位（月、日）と期間、集計種別、表示するデバイスのグループとデバイス種別を指定します。
manual-counters-step-1 = 画面左のメニューの [カウンター情報] をクリックします。[カウンター情報] 画面が表示されます。
manual-counters-step-2 = [集計単位] で [月単位] または [日単位] を選択し、[期間] の開始と終了を指定します。
manual-counters-step-3 = [集計種別] で [使用枚数] または [積算値] を選択します。
manual-counters-step-4 = [グループ] で、表示するデバイスのグループを選択します。
manual-counters-step-5 = [デバイス種別] で [MFP/LBP] または [LFP] を選択します。
manual-counters-step-6 = [集計] をクリックします。集計結果の表が表示されます。
manual-counters-field-unit = 集計単位
manual-counters-field-unit-desc = 月単位で集計する場合は [月単位] を、1日単位で集計する場合は [日単位] を選択します。月単位の集計では、締め日とは関係なく、月初から月末までを1ヶ月分とします。
manual-counters-field-period = 期間
manual-counters-field-period-desc = 集計対象の期間の開始と終了を指定します。月単位では最大12ヶ月（1年間）まで指定できます。日単位では最大3ヶ月間までで、終了日は開始日の3ヶ月後の前日までです（例：開始日が1月10日なら、終了日は4月9日まで）。
manual-counters-field-kind = 集計種別
manual-counters-field-kind-desc = 期間ごとに使用した枚数を表示する場合は [使用枚数] を、デバイスのカウンターの値（累積使用枚数）を表示する場合は [積算値] を選択します。
manual-counters-field-group = グループ
manual-counters-field-group-desc = 表示するデバイスのグループを選択します。[すべてのデバイス] ではすべてのデバイスが、[グループ未登録デバイス] ではどのグループにも登録されていないデバイスが表示されます。
manual-counters-field-class = デバイス種別
manual-counters-field-class-desc = [MFP/LBP] では複合機とプリンターを、[LFP] では大判プリンターを集計します。大判プリンターはカウンターの種類と単位が異なるため、分けて集計します。
manual-counters-field-aggregate = 集計
manual-counters-field-aggregate-desc = 設定した条件で集計を行います。
manual-counters-field-reset-desc = この画面を表示したとき（集計条件を設定する前）の状態に戻ります。
manual-counters-field-export = エクスポート (CSV)
manual-counters-field-export-desc = 集計結果を CSV ファイルとして保存します。ボタンの横の一覧で、文字コード（[UTF-8 (BOM付き)] または [Shift_JIS (Excel 日本語版)]）を選択できます。詳しくは「CSV エクスポート」を参照してください。
manual-counters-note-period = 指定した期間が正しくない場合や、指定できる最大期間を超えている場合は、上限を示すメッセージが表示され、集計は行われません。
manual-counters-h-result = 集計結果の表
manual-counters-result-intro = デバイスごとに1行、期間ごとに1列で、トータル1の値を表示します。集計条件は表の上に表示されたままなので、条件を変更して [集計] をクリックすれば、そのまま再集計できます。
manual-counters-result-1 = [使用枚数] の場合は、見出しのすぐ下に全デバイスの [合計] 行が、期間の列の前に全期間の [合計] 列が表示されます。
manual-counters-result-2 = [積算値] の場合は、[合計] の行も列も表示されません（カウンターの値を足し合わせても意味がないためです）。
manual-counters-result-3 = 見出しをクリックすると、その項目で集計結果の一覧を並べ替えることができます。
manual-counters-result-4 = デバイス名をクリックすると、そのデバイスの期間ごとの詳細が表示されます（「特定のデバイスの使用枚数」を参照）。
manual-counters-result-5 = 期間の列の見出しの [詳細] をクリックすると、その期間の全デバイスの詳細が表示されます（「特定の月（日）の使用枚数」を参照）。
manual-counters-h-dash = “-” の表示について
manual-counters-dash-intro = 集計結果の各画面では、つぎの場合に “-” と表示されます。
manual-counters-dash-1 = デバイスがそのカウンターを送信しない場合（例：プリンターにはコピーのカウンターがなく、大判プリンターには用紙サイズ別のカウンターがありません）
manual-counters-dash-2 = その期間のカウンター値を受信できなかった場合（通信障害、電源オフなど）
manual-counters-h-rules = 集計のしくみ
manual-counters-note-oldest = 保存されているデータのうち、デバイスの最初の期間（最古月・最古日）は、それより前の値がないため、使用枚数としてその時点の積算値を表示します。このような値には印が付きます。
manual-counters-note-oldest-totals = 初期状態では、合計に最古期間の値を含めません。1年の合計がその1年の枚数になり、積算値全体を含まないようにするためです。含める場合は、条件の「最古期間の値（積算値）を合計に含める」にチェックを入れます。最古期間の値を含む合計にも * が付きます。
manual-counters-note-incomplete = 月末（当月は今日）より3日以上前に読み取りが途切れた月、または月の途中で同じ長さ読み取りが途切れた月には † 「不完全」の印が付き、値が少なく表示されている可能性があります。印にポインターを合わせると、読み取りのある日付が表示されます。週1回などの頻度で報告するデバイスは、通常の間隔の2倍で判断します。
manual-counters-note-reset-mark = カウンターが減った期間（基板交換・カウンタークリア）には、日付とともに ↺ の印が付きます。積算値では値の減少として表れ、使用枚数では新しい値を0から数えます。
manual-counters-note-retention = 読み取り値はサービス会社が設定した保持期間のあいだ保存されます。保持期間より前、最初の読み取りより前、またはこれからの期間は空になり、画面にその理由が表示されます。
manual-counters-note-csv-notes = CSV ファイルでは数値は数値のまま出力し、これらの印は各行の最後の「備考」列に記載します。
manual-counters-note-gap = カウンター値を受信できなかった期間があった場合、その間に使用された枚数は、つぎにカウンター値を受信できた期間の使用枚数にまとめて計上されます。どの期間で集計しても、枚数が抜けたり二重に数えられたりすることはありません。
manual-counters-note-reset = 基板の交換などでデバイスのカウンターが0に戻った（リセットされた）場合も、リセット前に増えた枚数とリセット後の枚数を合わせて計上します。使用枚数がマイナスになることはありません。
manual-counters-note-timezone = 月・日の区切りは、お客さまの会社に設定されたタイムゾーンで数えます。[ユーザー情報] のタイムゾーンの設定は、日時の表示にだけ使われます。

## counter-device: one device over the periods (four tabs)

manual-counter-device-title = 特定のデバイスの使用枚数
manual-counter-device-intro = 特定のデバイスの使用枚数（または積算値）を、集計単位（月、日）ごとに、用紙サイズ別、カラーモード別、機能別に詳しく表示します。
manual-counter-device-step-1 = [カウンター情報] 画面で集計条件を設定し、[集計] をクリックします。
manual-counter-device-step-2 = 集計結果の表で、表示したいデバイスの [デバイス名] をクリックします。
manual-counter-device-step-3 = 指定デバイスのカウンター詳細の画面が表示されます。[カウンター]、[用紙サイズ]、[カラーモード]、[機能] のタブをクリックすると、表示する内容を切り替えられます。
manual-counter-device-layout = 画面の上部に期間、グループ、デバイス名が表示され、その下に期間ごとに1行（新しい期間が上）で表示されます。[使用枚数] の場合は、見出しのすぐ下に [合計] 行が表示されます。
manual-counter-device-tab-counter = トータル1、カラー、白黒、スキャン、カラー(ラージ)、カラー(スモール)、白黒(ラージ)、白黒(スモール) 別の枚数を表示します。
manual-counter-device-tab-paper = トータル1と、[用紙サイズ] の設定で選択した用紙サイズ別の枚数を表示します。
manual-counter-device-tab-color-mode = トータル1、カラーコピー、カラープリント、白黒コピー、白黒プリント 別の枚数を表示します。
manual-counter-device-tab-function = トータル1、コピー、受信（FAX などからの受信プリント）、プリント、スキャン(Send)、両面 別の枚数を表示します。
manual-counter-device-buttons = [エクスポート (CSV)] をクリックすると、表示中のタブの集計結果を CSV ファイルに保存できます。[用紙サイズ]、[カラーモード]、[機能] のタブでは、[グラフ表示] をクリックすると、一覧をグラフで表示します。
manual-counter-device-days = 月単位の場合は、各月の行の [日別] をクリックすると、そのデバイスのその月の1日ごとの使用枚数が表示されます。
manual-counter-device-note-total1 = [トータル1] には、一覧に表示されていない用紙サイズの枚数も、すべて含まれています。表示する用紙サイズは、メニューの [用紙サイズ] で選択できます。
manual-counter-device-note-function = [機能] タブの [トータル1] は、[コピー]、[受信]、[プリント] の合計です。[スキャン(Send)] は読み取った枚数で、[トータル1] には含まれません。[両面] の枚数は、すでに [コピー]、[受信]、[プリント] に含まれています。
manual-counter-device-note-dash = デバイスが送信しないカウンターや、カウンター値を受信できなかった期間は “-” と表示されます。
manual-counter-device-h-lfp = 大判プリンター（LFP）の場合
manual-counter-device-lfp-1 = [デバイス種別] で [LFP] を選択した場合、表示される項目は [期間]、[トータル]、[DUTY A]、[DUTY B]、[DUTY C]、[DUTY D] です。どのタブでも同じ項目が表示されます。
manual-counter-device-lfp-2 = 各項目の値は、デバイスごとに決まっている下記のいずれかの単位で換算されています。使用している単位は画面に表示されます。
manual-counter-device-lfp-note = 面積の値には小数が含まれます。単位の異なる大判プリンターの値は、合計されません。

## counter-period: one period for all devices

manual-counter-period-title = 特定の月（日）の使用枚数
manual-counter-period-intro = 特定の月（日）の使用枚数（または積算値）を、デバイスごとに、用紙サイズ別、カラーモード別、機能別に詳しく表示します。
manual-counter-period-step-1 = [カウンター情報] 画面で集計条件を設定し、[集計] をクリックします。
manual-counter-period-step-2 = 集計結果の表で、表示したい月（日）の列の見出しの [詳細] をクリックします。
manual-counter-period-step-3 = 指定月（日）のカウンター詳細の画面が表示されます。デバイスごとに1行で表示され、[使用枚数] の場合は見出しのすぐ下に [合計] 行が表示されます。
manual-counter-period-step-4 = [カウンター]、[用紙サイズ]、[カラーモード]、[機能] のタブで表示内容を切り替えます。各タブの項目は「特定のデバイスの使用枚数」と同じです。
manual-counter-period-days = 月単位の集計結果で、列の見出しの「年/月」の部分をクリックすると、その月の1日ごとの集計結果が表示されます。
manual-counter-period-note-1 = 表示されるデバイスは、集計条件の [グループ] と [デバイス種別] で選択したデバイスです。
manual-counter-period-note-2 = [エクスポート (CSV)] をクリックすると、表示中の集計結果を CSV ファイルに保存できます。[グラフ表示] をクリックすると、一覧をグラフで表示します。

## graph

manual-graph-title = グラフ表示
manual-graph-intro = 用紙サイズ別、カラーモード別、機能別の集計結果を、項目ごとに色分けした積み上げ棒グラフで表示します。
manual-graph-step-1 = 特定のデバイス、または特定の月（日）のカウンター詳細の画面で、[用紙サイズ]、[カラーモード]、[機能] のいずれかのタブを表示します。
manual-graph-step-2 = [グラフ表示] をクリックします。[グラフを閉じる] をクリックすると、グラフが閉じます。
manual-graph-step-3 = 期間（またはデバイス）ごとに1本の棒が、項目ごとに色分けされて積み上がります。色と項目の対応は凡例で確認できます。黒い縦線は [トータル1] を示し、その値が棒の右に表示されます。各項目の数値は、グラフの下の表で確認できます。
manual-graph-note-duplex = [両面] の枚数は、[コピー]、[受信]、[プリント] にすでに含まれているため、グラフには表示されません。
manual-graph-note-total1 = [トータル1] には一覧に表示されていない用紙サイズの枚数も含まれるため、棒の高さの合計は [トータル1] と一致しない場合があります。
manual-graph-note-dash = “-” の項目（値のない項目）は、グラフには表示されません。
manual-graph-note-top = 特定の月（日）のグラフでは、デバイスが多い場合、[トータル1] の多い上位のデバイスだけが描かれます。表にはすべてのデバイスが表示されます。

## csv

manual-csv-title = CSV エクスポート
manual-csv-intro = 画面に表示している集計結果を CSV ファイルに保存し、Excel などで利用できます。
manual-csv-step-1 = 集計結果の表、特定のデバイスの使用枚数、特定の月（日）の使用枚数のいずれかの画面（タブ）を表示します。
manual-csv-step-2 = [文字コード] を選択し、[エクスポート (CSV)] をクリックします。
manual-csv-step-3 = ファイルの保存画面が表示されたら、保存先を指定して保存します。
manual-csv-field-content = 内容
manual-csv-field-content-desc = 画面と同じ行、同じ列、同じ数値です。見出しは表示言語で出力されます。値のないセルは “-” になります。[使用枚数] の場合は、見出しのすぐ下に [合計] 行があります。
manual-csv-field-encoding = 文字コード
manual-csv-field-encoding-desc = [UTF-8 (BOM付き)]（標準）または [Shift_JIS (Excel 日本語版)] を選択できます。どちらも Excel でそのまま開けます。
manual-csv-field-name = ファイル名
manual-csv-field-name-desc = 内容がわかるファイル名が付きます。例：counters_usage_month_2021-08_2021-11.csv（使用枚数、月単位、2021年8月～11月）。グループ、デバイス、タブなども必要に応じてファイル名に含まれます。
manual-csv-field-lfp = 大判プリンター
manual-csv-field-lfp-desc = デバイスごとに行がある表では [単位] 列が付きます。1台のデバイスの表では、見出しに単位が付きます。
manual-csv-note-formula = デバイス名などで、先頭が =、+、-、@ の文字は、Excel で数式として扱われないよう、先頭にアポストロフィ（'）を付けて出力します。数値には付きません。
manual-csv-note-shift-jis = Shift_JIS で表せない文字（絵文字など）がデバイス名などに含まれている場合は、文字を置き換えずにエクスポートを中止し、該当するセルの数をお知らせします。その画面の [UTF-8 でエクスポート] をクリックすると、UTF-8 で保存できます。
manual-csv-note-mark = 最初の期間の値に付く画面上の印は、CSV ファイルには出力されません。
manual-csv-note-api = 同じ CSV ファイルは、API からも取得できます（「API（管理者向け）」を参照）。

## department-counters

manual-department-counters-title = 部門別集計
manual-department-counters-intro = 部門 ID ごとに使用枚数を集計する機能です。
manual-department-counters-note = この機能は現在ご利用いただけません。メニューには表示されますが、クリックすると準備中である旨が表示されます。

## supplies

manual-supplies-title = トナー/インク在庫
manual-supplies-intro = デバイスから送信されたトナーやインクなどの消耗品の残量を、デバイスごとに確認できます。
manual-supplies-step-1 = 画面左のメニューの [トナー/インク在庫] をクリックします。
manual-supplies-step-2 = [グループ] で、表示するデバイスのグループを選択します。
manual-supplies-step-3 = 残量の少ないデバイスから順に、消耗品（トナー、インク、ドラムなど）ごとの残量が表示されます。残量が10%以下の消耗品には [残りわずか] と表示され、その数が一覧の上にまとめて表示されます。
manual-supplies-note-1 = 残量を表示できるのは、残量を報告するデバイスだけです。報告しないデバイス（メールで報告するデバイスなど）は、その台数がまとめて表示されます。
manual-supplies-note-2 = 表示されるのは、各デバイスから最後に報告された残量です。報告日時も表示されます。
manual-supplies-note-3 = この画面は残量の確認用です。在庫の管理やご注文はこの画面では行えません。残量が少なくなったときのメール通知は、[電子メール通知] で設定します。
manual-supplies-note-forecast = [交換目安日] には、消耗品ごとに、前回の交換以降の残量の推移から、最近の使用ペースでなくなると予測される日が表示されます。14日以上にわたる3種類以上の残量がそろうまでは [データ不足]、残量が減っていない間は [減少なし] と表示されます。デバイス情報画面にも、消耗品ごとに同じ日が表示されます。

## notifications

manual-notifications-title = 電子メール通知
manual-notifications-intro = デバイスにサービスコール、エラー、ワーニングが発生したときや報告が途絶えたとき、トナー/インクの残量が少なくなったときに、電子メールで知らせる設定をします。
manual-notifications-step-1 = 画面左のメニューの [電子メール通知] をクリックします。
manual-notifications-step-2 = サービスコール、エラー、ワーニング、報告途絶のそれぞれについて、[通知しない]、[すべてのデバイス]、[選択したグループのデバイス] のいずれかを選択します。グループは複数選択できます。
manual-notifications-step-3 = トナー/インクの残量が少なくなったときにトナー/インク管理者に知らせる場合は、[トナー/インクの残量が少なくなったときにトナー/インク管理者に通知する] にチェックマークを付けます。
manual-notifications-step-4 = [保存] をクリックします。
manual-notifications-service-call = サービスコールが発生したときに通知します。
manual-notifications-error = エラー（紙詰まりなど）が発生したときに通知します。
manual-notifications-warning = ワーニング（トナー残量の低下など）が発生したときに通知します。
manual-notifications-late = 報告途絶
manual-notifications-late-desc = 以前は報告していたデバイスからの報告が途絶えたとき（デバイスリストを参照）に通知します。報告が途絶えるたびに 1 度お知らせします。
manual-notifications-toner = トナー/インク管理者への通知
manual-notifications-toner-desc = トナー/インクの残量が少なくなったときに、そのデバイスのトナー/インク管理者に通知します。
manual-notifications-note-address = 通知メールは、[ユーザー情報] に表示されている通知先メールアドレスに送信されます。通知先メールアドレスが登録されていない場合は送信されません。
manual-notifications-note-once = 通知は、新たに発生したサービスコール、エラー、ワーニングごとに1回だけ送信されます。同じ状態が続いていても、繰り返し送信されることはありません。
manual-notifications-note-holddown = 状態は数分後（サービス会社の設定がなければ 5 分）にお知らせします。その間に解消した状態はお知らせせず、その間に複数の機器で起きた状態は 1 通にまとめます。
manual-notifications-note-digest = トナー・インクの残量低下は、消耗品ごとの交換目安日とともに 1 日 1 通にまとめて管理者にお知らせします。残量なしはすぐにお知らせします。同じ消耗品は交換されるまで 1 度だけお知らせします。
manual-notifications-note-language = 通知メールは、受け取る方の表示言語（日本語または英語）で送信されます。
manual-notifications-note-admin = トナー/インク管理者への通知は、[デバイス情報] 画面でトナー/インク管理者が設定されているデバイスについてのみ送信されます。
manual-notifications-note-personal = この設定は、ご自身への通知の設定です。ほかのユーザーは、それぞれご自身で設定します。

## groups

manual-groups-title = デバイスグループ
manual-groups-intro = いくつかのデバイスをまとめて、グループ名を付け、グループとして登録できます。グループは、[デバイスリスト]、[カウンター情報]、[トナー/インク在庫] で表示するデバイスを選ぶのに使います。登録済みのグループの名前や所属するデバイスの変更、グループの削除もできます。
manual-groups-rule-max = 最大で200のグループを登録できます。
manual-groups-rule-one = ひとつのデバイスを、複数のグループに登録することはできません。
manual-groups-rule-required = グループ名を付けずに登録することはできません。
manual-groups-rule-width = グループ名は半角50文字以内で入力します。全角文字は半角2文字として数えます（全角文字だけなら25文字まで）。
manual-groups-rule-chars = グループ名には、つぎの記号と半角カタカナは使用できません：" % & ' / ; < > \ ¥
manual-groups-rule-unique = 同じグループ名を重複して登録することはできません。
manual-groups-rule-message = 入力した内容がこれらの規則に合わない場合は、どの規則に合わないかを示すメッセージが表示されます。
manual-groups-h-create = グループを登録する
manual-groups-create-1 = 画面左のメニューの [デバイスグループ] をクリックします。登録済みのグループの一覧が表示されます。
manual-groups-create-2 = [新規作成] をクリックします。どのグループにも登録されていないデバイスが表示されます。
manual-groups-create-3 = [グループ名] を入力し、登録するデバイスにチェックマークを付けて、[保存] をクリックします。設定した内容でグループが登録されます。
manual-groups-h-edit = 登録済みのグループの名前やデバイスを変更する
manual-groups-edit-1 = [デバイスグループ] 画面で、変更するグループの [グループ名] をクリックします。そのグループに登録されているデバイスと、どのグループにも登録されていないデバイスが表示されます。
manual-groups-edit-2 = 必要に応じて [グループ名] を変更し、登録するデバイスにチェックマークを付けて（外したデバイスはグループから外れます）、[保存] をクリックします。[リセット] をクリックすると、この画面を表示したとき（変更する前）の状態に戻ります。
manual-groups-h-delete = 登録済みのグループを削除する
manual-groups-delete-1 = [デバイスグループ] 画面で、削除するグループにチェックマークを付け（複数選択できます）、[削除] をクリックします。
manual-groups-delete-2 = 確認の画面で [はい（削除する）] をクリックすると、選択したグループが削除されます。[いいえ（戻る）] をクリックすると、削除せずに戻ります。
manual-groups-note-delete = 削除されたグループに登録されていたデバイスは、どのグループにも登録されていないデバイスになります。デバイスやカウンターのデータが削除されることはありません。
manual-groups-note-move = ほかのグループに登録されているデバイスを移すには、[デバイス情報] 画面で [グループ名] を変更するか、元のグループから外してから登録してください。

## paper-sizes

manual-paper-sizes-title = 用紙サイズ
manual-paper-sizes-intro = カウンター情報の [用紙サイズ] タブ（そのグラフと CSV ファイルも含みます）に表示する用紙サイズを選択します。この設定は、お客さまの会社のすべてのユーザーに共通です。
manual-paper-sizes-step-1 = 画面左のメニューの [用紙サイズ] をクリックします。[用紙サイズ] 画面が表示されます。
manual-paper-sizes-step-2 = 表示する用紙サイズにチェックマークを付け、表示しない用紙サイズのチェックマークを外します。[初期値を選択] をクリックすると、初期値の用紙サイズが選択された状態になります。
manual-paper-sizes-step-3 = [保存] をクリックします。[リセット] をクリックすると、この画面を表示したとき（選択を変更する前）の状態に戻ります。
manual-paper-sizes-choices = 選択できる用紙サイズは、A3、A4、A5、A6、B4、B5、B6、レター、リーガル、レジャー(11x17)、ステートメント、エグゼクティブ、はがき、SRA3、12x18、封筒、その他です。初期設定では A3、A4、B4、B5が表示されます。
manual-paper-sizes-note-total1 = [トータル1] には、選択していない用紙サイズの枚数も含まれています。
manual-paper-sizes-note-lfp = 大判プリンター（LFP）には用紙サイズ別のカウンターがないため、用紙サイズ別の使用枚数、累積使用枚数は表示されません。
manual-paper-sizes-note-dash = デバイスが送信しない用紙サイズのカウンターは “-” と表示されます。
manual-paper-sizes-note-one = 用紙サイズは1つ以上選択してください。

## profile

manual-profile-title = ユーザー情報
manual-profile-intro = ログインしているユーザーの氏名、表示言語、地域と言語、タイムゾーンを設定します。通知先メールアドレスの登録内容も確認できます。
manual-profile-step-1 = 画面左のメニューの [ユーザー情報] をクリックします。[ユーザー情報] 画面が表示されます。
manual-profile-step-2 = 各項目を入力・選択し、[保存] をクリックします。
manual-profile-field-user = ユーザー名
manual-profile-field-user-desc = ログインに使うユーザー名です。変更できません。
manual-profile-field-name = 氏名
manual-profile-field-name-desc = 姓と名を入力します（入力必須、それぞれ50文字以内）。画面右上に表示されます。
manual-profile-field-email = 通知先メールアドレス
manual-profile-field-email-desc = 現在の通知先メールアドレスが表示されます。[未設定] と表示されている場合は、通知先メールアドレスは登録されていません。登録・変更は [通知先メールアドレスの変更] で行います。
manual-profile-field-language = 表示言語
manual-profile-field-language-desc = 本システムの画面と通知メールの言語（日本語 / English）を選択します。各画面の右上の 日本語 / English でも切り替えられます。
manual-profile-field-region = 地域と言語
manual-profile-field-region-desc = 数値や日付の表示形式を選択します。
manual-profile-field-timezone = タイムゾーン
manual-profile-field-timezone-desc = 日時（前回のログイン日時、ステータスの発生日時など）を表示するタイムゾーンを選択します。初期値は、お客さまの会社のタイムゾーンです。主なタイムゾーンは、本日時点の UTC との時差と主な都市名で先頭に並び、その他のタイムゾーンは IANA の名前で続きます。
manual-profile-note-timezone = タイムゾーンの設定は、日時の表示にだけ使われます。使用枚数の月・日の区切りは、お客さまの会社に設定されたタイムゾーンで決まるため、同じ会社の方は全員同じ数値をご覧になれます。

## password

manual-password-title = パスワードの変更
manual-password-intro = ログイン時に入力するパスワードを変更します。
manual-password-step-1 = 画面左のメニューの [パスワードの変更] をクリックします。[パスワードの変更] 画面が表示されます。
manual-password-step-2 = [現在のパスワード]、[新しいパスワード]、[確認入力] を入力し、[保存] をクリックします。
manual-password-rule-chars = 新しいパスワードは半角6～512文字で、英小文字（a～z）と数字（0～9）をそれぞれ1文字以上含めてください。半角の英数字、記号、スペースを使用できます。
manual-password-rule-different = 現在のパスワードと同じパスワードには変更できません。
manual-password-rule-expiry = パスワードを変更すると、有効期限（3ヶ月）は変更した日から数え直されます。
manual-password-rule-forced = パスワードの有効期限が切れた場合や、当社がパスワードをリセットした場合は、ログインするとこの画面だけが表示されます。パスワードを変更すると、ほかの画面をご利用いただけるようになります。

## email

manual-email-title = 通知先メールアドレスの変更
manual-email-intro = 通知メールの送信先であり、パスワードをお忘れになったときのリセットにも使う、通知先メールアドレスを登録・変更します。
manual-email-step-1 = 画面左のメニューの [通知先メールアドレスの変更] をクリックします。
manual-email-step-2 = [新しいメールアドレス] と [新しいメールアドレス（確認入力）] に新しいメールアドレスを、[現在のパスワード] に現在のパスワードを入力し、[変更] をクリックします。
manual-email-step-3 = 新しいメールアドレス宛に、本登録用の URL を記載した確認メールが送信されます。画面には、確認待ちのメールアドレスが表示されます。
manual-email-step-4 = メールに記載された URL にアクセスすると、登録が完了し、[通知先メールアドレスの登録が完了しました。] と表示されます。
manual-email-note-pending = URL にアクセスするまでは、通知先メールアドレスは変更されません。それまでは、通知メールは現在の通知先メールアドレスに送信されます。
manual-email-note-link = 確認用の URL は1回だけ使用でき、有効期限は24時間です。期限が切れた場合は、もう一度手順1から行ってください。
manual-email-note-missing = メールが届かない場合は、入力したアドレスに誤りがないか、迷惑メールフォルダーに振り分けられていないかをご確認ください。
manual-email-note-check = 登録されている通知先メールアドレスは、[ユーザー情報] 画面で確認できます。

## api: the read API

manual-api-title = API（管理者向け）
manual-api-intro = システム管理者の方は、本システムのデバイス情報とカウンター情報を、プログラムから取得できます（読み取り専用）。API は、トークンを発行されたユーザーがご覧になれるものと同じデータを返します。
manual-api-step-1 = 担当営業またはサービスに、API トークンの発行をご依頼ください。トークンはユーザーごとに発行され、そのユーザーと同じ権限で動作します。
manual-api-step-2 = リクエストの Authorization ヘッダーに「Bearer」とトークンを指定します（下の例の TOKEN の部分）。
manual-api-step-3 = 集計の条件は、カウンター情報の画面と同じ内容をパラメーターで指定します。
manual-api-devices = デバイスの一覧（ステータス、グループ、最終受信日時など）を返します。group=all（すべて）、none（グループ未登録）、またはグループ ID で絞り込めます。
manual-api-device = 1台のデバイスの詳細（発生中のステータスとその発生日時、トナー/インク管理者など）を返します。
manual-api-counters = カウンター情報の集計結果を JSON で返します。unit=month|day、from と to（YYYY-MM または YYYY-MM-DD）、kind=usage|cumulative、group、class=mfp|lfp を指定します。device=デバイス ID で特定のデバイスの詳細、period=YYYY-MM または YYYY-MM-DD で特定の月（日）の詳細になります。
manual-api-counters-csv = 画面の [エクスポート] と同じ CSV ファイルを返します。上記のパラメーターに加えて、view=counter|paper|color_mode|function（タブ）、encoding=utf-8|shift_jis、lang=ja|en を指定できます。
manual-api-note-same = API の数値は、画面や CSV ファイルの数値と同じです。期間の上限など、画面と同じ制限があります。
manual-api-note-errors = 条件が正しくない場合は、4xx のステータスコードと、エラーの内容を示す JSON が返ります。
manual-api-note-null = 画面で “-” と表示される値は、JSON では null になります。
manual-api-note-secret = トークンはパスワードと同様に厳重に管理してください。漏えいしたおそれがある場合は、すぐに担当営業またはサービスにご連絡いただき、トークンを無効にしてください。
manual-api-h-collector = ネットワーク上のプリンターからの収集 (SNMP)
manual-api-collector-intro = 自分で報告しないプリンターは、お客様の拠点で動くコレクターが読み取ります。コレクターは同じ meterport プログラムで、プリンターと同じネットワークのコンピューターでサービスとして動かします。各プリンターに SNMP (v1・v2c・v3) でシリアル番号、カウンター、状態、消耗品を問い合わせ、貴社のインジェストトークン (営業担当またはサービス担当が発行します) でポータルへ送ります。
manual-api-collector-step-1 = 設定ファイル /etc/meterport/collect.toml を書きます。ポータルのアドレス (portal_url)、インジェストトークン (ingest_token)、スプールフォルダー (spool_dir)、読み取りの間隔 (分、interval_minutes)、そしてプリンターまたはアドレス範囲ごとに [[targets]] (address、version、community、SNMPv3 ではユーザーとパスワード) を記入します。誤りがあれば、その行と設定名が表示されます。
manual-api-collector-step-2 = 下の 1 行目のコマンドで試します。全プリンターを一度読み取り、送信する内容を 1 件 1 行で表示します。送信も保存もしません。2 行目は一度読み取って送信します。
manual-api-collector-step-3 = サービスファイル packaging/meterport-collect.service を /etc/systemd/system に置き、「systemctl enable --now meterport-collect」で開始します。interval_minutes ごとにプリンターを読み取り、毎回の結果の要約をログに書きます。
manual-api-collector-note-spool = 読み取ったものは失われません。読み取り値は送信前にスプールフォルダーに書き込まれ、ポータルが受け取ってから削除されます。ポータルに接続できない間はそこで待ち、後で順番どおりに送られます (再起動後も同じです)。ポータルが受け付けなかったもの (シリアル番号が登録されていないプリンターなど) は理由とともにスプールの rejected フォルダーに移され、そのシリアル番号は未登録機器の一覧に表示されます。
manual-api-collector-note-exit = --once を付けると、すべて届いたとき 0、ポータルに接続できなかったとき 3 (すべて保存されます)、ポータルが一部を受け付けなかったとき 4 (それぞれ表示されます)、応答しないプリンターがあったとき 5 で終了します。
manual-api-collector-note-vendors = カウンターは、キヤノン、リコー、京セラ、ゼロックス、コニカミノルタ、HP、ブラザー、エプソン (カラーと白黒) ではメーカー独自のカウンター表から読み取ります。エプソン、シャープ、その他のメーカーでは、トータル 1 はプリンター標準のページカウント (Printer MIB) です。用紙サイズ別のカウンターは、まだどのメーカーからも読み取りません。状態はプリンターのエラー状態とアラートから、消耗品の残量は消耗品表から読み取ります。
manual-col-format = 形式
manual-col-content = ポータルが読み取る内容
manual-api-h-mail = メールでの報告（メーターメール）
manual-api-mail-intro = メールしか送れない機器やツール（機器の定期カウンターメール、リコー Remote Communication Gate のカウンター通知、京セラのカウンターレポート、シャープのステータスメール）は、ポータル自身のメールサーバーにカウンターを報告できます。受信の設定はサービス会社が行い、ホスト名とポート番号をお知らせします。
manual-api-mail-step-1 = 営業担当またはサービス担当にインジェスト・トークン（mpi_ で始まります）の発行を依頼してください。送信先アドレスは、トークンの後に @ とポータルのホスト名を付けたものです（例: mpi_abc...@meter.example.com）。
manual-api-mail-step-2 = 機器またはツールで、カウンターメールの宛先にそのアドレスを、メール（SMTP）サーバーにポータルのホスト名とポート番号を設定してください。サービス会社が設定していれば暗号化（STARTTLS）も使えます。
manual-api-mail-step-3 = テストメールを送ってください。ポータルはメールごとにすぐ応答し、機器やツールのログに保存した件数、または受け付けなかった理由が残ります。
manual-api-mail-format-json = JSON 形式
manual-api-mail-format-json-what = インジェスト API の本文（serial、read_at、counters）を、メール本文または .json の添付ファイルで。
manual-api-mail-format-text = テキスト行
manual-api-mail-format-text-what = serial: と read_at: の行に続けて、API のカウンター名（total1、mono、color_copy など）でカウンターを 1 行ずつ（下の例のとおり）。複数の機器は、それぞれ serial: の行から始めます。
manual-api-mail-format-csv = CSV 添付ファイル
manual-api-mail-format-csv-what = 見出し行のある、1 行 1 機器の CSV。API のカウンター名、リコー Remote Communication Gate のカウンター通知の列、京セラのカウンターレポートの列を読み取ります。1 つのカウンターだけを意味しない列（例: 2 つのサイズを合わせて数える A3/DLT）は読み取らず、応答でその列名を知らせます。UTF-8 または Shift_JIS。
manual-api-mail-format-sharp = シャープのステータスメール
manual-api-mail-format-sharp-what = SERIAL NUMBER と、Total Count、Copy Count、Print Count。
manual-api-mail-note-reply = メールはインジェスト API への 1 回の要求と同じく、全体を保存するか、何も保存しないかのどちらかです。ポータルは保存を終えてから「Stored 12 readings, 0 duplicates」のように応答します。同じメールを 2 度送っても重複として数え、2 重には数えません。
manual-api-mail-note-refused = 受け付けなかったメールには問題点（登録されていないシリアル番号、不明なカウンター名、読めない日時、報告のないメールなど）を示して応答し、何も保存しません。受け付けなかったメールはサービス会社が保管しており、一緒に確認できます。
manual-api-mail-note-date = read_at（または日時の列）のない報告は、メールの日時を使います。JST のように名前で書かれたタイムゾーンは、貴社のタイムゾーンとして読みます。
manual-api-mail-note-reset = カウンターをリセットする機器（毎月の自動カウンターリセットなど）でも使用量は正しく数えます。カウンターが減ったときは 0 から数え直します。

## trouble: troubleshooting

manual-trouble-title = 困ったときは
manual-trouble-intro = よくあるお問い合わせと、その原因、対処をまとめました。解決しない場合は、担当営業またはサービスにご連絡ください。
manual-trouble-q-missing = デバイスが [デバイスリスト] 画面に表示されない
manual-trouble-missing-cause-1 = デバイスが本システムのサーバーに登録されていない。
manual-trouble-missing-action-1 = 担当営業またはサービスに連絡し、デバイスを本システムのサーバーに登録してもらってください。
manual-trouble-missing-cause-2 = [グループ] で、そのデバイスを含まないグループが選択されている。または、絞り込みやステータスの条件が指定されている。
manual-trouble-missing-action-2 = [条件をクリア] をクリックし、[グループ] で [すべてのデバイス] を選択してください。
manual-trouble-q-unknown = [デバイスリスト] 画面で、ステータスが不明（アイコンがうすく表示される）のまま変わらない
manual-trouble-unknown-cause-1 = デバイスが作動していない。
manual-trouble-unknown-action-1 = デバイスの電源が入っていて、作動しているか確認してください。
manual-trouble-unknown-cause-2 = ネットワークに正しく接続されていない。
manual-trouble-unknown-action-2 = デバイスまたはネットワークカードのマニュアルを参照して、デバイスが適切なケーブルで正しく接続されているか確認し、デバイスを再起動してください。
manual-trouble-unknown-cause-3 = デバイスの IP アドレスが変更された。
manual-trouble-unknown-action-3 = デバイスの IP アドレスが変わった場合は、本システムのサーバーへの再登録が必要です。担当営業またはサービスに連絡し、再登録してもらってください。
manual-trouble-q-dash = カウンター情報に “-” が表示される、または最近の枚数が表示されない
manual-trouble-dash-cause-1 = そのデバイスが、そのカウンターを送信しない機種である。
manual-trouble-dash-action-1 = 故障ではありません。機種によって取得できるカウンターは異なります（「カウンター情報」の “-” の表示についてを参照）。
manual-trouble-dash-cause-2 = その期間、デバイスからカウンター値を受信できなかった（電源オフ、通信障害など）。
manual-trouble-dash-action-2 = デバイスの電源とネットワーク接続を確認してください。つぎにカウンター値を受信すると、その間の枚数はまとめて計上されます。
manual-trouble-q-forgot = ログインパスワードを忘れてしまった
manual-trouble-forgot-cause-1 = 通知先メールアドレスを登録している。
manual-trouble-forgot-action-1 = [ログイン] 画面のパスワードを忘れた場合のリンクから、お客さまご自身でパスワードをリセットできます（「ログイン」を参照）。
manual-trouble-forgot-cause-2 = 通知先メールアドレスを登録していない、または登録したアドレスが使えなくなった。
manual-trouble-forgot-action-2 = 担当営業またはサービスに連絡をし、パスワードのリセットをご依頼ください。リセット後の最初のログインで、パスワードの変更が必要です。
manual-trouble-q-locked = 正しいパスワードを入力してもログインできない
manual-trouble-locked-cause-1 = 誤ったパスワードを5回続けて入力したため、アカウントがロックされている。
manual-trouble-locked-action-1 = 12分たってから、もう一度ログインしてください。急ぎの場合は、担当営業またはサービスにロックの解除をご依頼ください。
manual-trouble-locked-cause-2 = パスワードの有効期限（3ヶ月）が切れている。
manual-trouble-locked-action-2 = ログインすると [パスワードの変更] 画面が表示されます。パスワードを変更してください。
manual-trouble-q-mail = 通知メールが届かない
manual-trouble-mail-cause-1 = 通知先メールアドレスが登録されていない、または確認用のリンクを開いていない。
manual-trouble-mail-action-1 = [ユーザー情報] 画面で通知先メールアドレスを確認し、必要に応じて [通知先メールアドレスの変更] から登録してください。
manual-trouble-mail-cause-2 = [電子メール通知] で、その事項や対象のデバイスが選択されていない。
manual-trouble-mail-action-2 = [電子メール通知] の設定を確認してください。通知は、新たに発生したときに1回だけ送信されます。
manual-trouble-mail-cause-3 = メールが迷惑メールとして扱われている。
manual-trouble-mail-action-3 = 迷惑メールフォルダーを確認し、本システムからのメールを受信できるように設定してください。
manual-trouble-q-csv = CSV ファイルを Excel で開くと文字化けする、またはエクスポートできない
manual-trouble-csv-cause-1 = ファイルを別のソフトウェアで編集・保存したため、文字コードの情報（BOM）が失われた。
manual-trouble-csv-action-1 = エクスポートし直してそのまま開くか、文字コードに Shift_JIS を選択してエクスポートしてください。
manual-trouble-csv-cause-2 = Shift_JIS で表せない文字（絵文字など）が、デバイス名などに含まれている。
manual-trouble-csv-action-2 = 文字コードに UTF-8を選択してエクスポートしてください。
