# Settings: device groups (S22), paper sizes (S21), e-mail notification (S23).

# Device groups: the list
groups-intro = グループを選ぶと、デバイスリスト、カウンター情報、トナー/インク在庫に表示するデバイスを絞り込めます。ひとつのデバイスは1つのグループにのみ登録できます。
groups-new = 新規作成
groups-none = グループはまだありません。[新規作成]から作成してください。
groups-select = 選択
group-name = グループ名
groups-device-count = デバイス数
groups-delete = 削除
groups-ungrouped = グループ未登録デバイス
groups-at-limit = グループ数が上限の200に達しています。新しいグループを作成するには、先にグループを削除してください。
groups-created = グループ「{ $name }」を作成しました。
groups-saved = グループ「{ $name }」を保存しました。
groups-deleted = { $count }件のグループを削除しました。登録されていたデバイスはグループ未登録になりました。
groups-delete-none-chosen = 削除するグループにチェックマークを付けてから[削除]をクリックしてください。
groups-delete-changed = この間にグループが変更されました（いずれかのグループはすでに削除されています）。何も削除していません。一覧を確認して、もう一度操作してください。

# Device groups: delete confirmation
groups-delete-title = デバイスグループの削除
groups-delete-question = 次のグループを削除しますか？
groups-delete-effect = 登録されている{ $count }台のデバイスはグループ未登録になります。デバイスやカウンターのデータは削除されません。
groups-delete-yes = はい（削除する）
groups-delete-no = いいえ（戻る）

# Device groups: new and edit
group-new-title = デバイスグループの新規作成
group-edit-title = デバイスグループの詳細
group-name-rule = 必須。半角50文字以内（全角文字は2文字として数えます）。{ $chars } と半角カタカナは使用できません。ほかのグループと同じ名前は使用できません。
group-devices = デバイス
group-devices-new-hint = どのグループにも登録されていないデバイスが表示されます。このグループに登録するデバイスにチェックマークを付けてください。
group-devices-edit-hint = このグループのデバイスと、どのグループにも登録されていないデバイスが表示されます。チェックマークを付けたデバイスがこのグループに登録され、外したデバイスはグループ未登録になります。
group-no-free-devices = 選択できるデバイスはありません（すべてのデバイスがいずれかのグループに登録されています）。デバイスなしでグループを保存することはできます。
group-member = このグループに登録
group-now = 現在
group-now-member = このグループ
group-now-none = グループ未登録
group-name-taken = 同じ名前のグループがすでにあります。グループ名は重複して登録できません。
group-too-many = グループ数が上限の{ $max }に達しています。新しいグループを作成するには、先にグループを削除してください。
group-devices-unknown = 選択したデバイスのうち{ $count }台は存在しません。画面を再読み込みして、もう一度選択してください。
group-devices-in-other-group = 次のデバイスは、この間に別のグループに登録されました: { $devices }。チェックマークを外すか、先にそのグループから外してください。

# Paper sizes
paper-sizes-intro = カウンター情報の[用紙サイズ]タブ（グラフ、CSVを含む）に表示する用紙サイズを選択します。この設定は、貴社のすべてのユーザーに適用されます。
paper-sizes-legend = 表示する用紙サイズ
paper-sizes-defaults = 初期値を選択
paper-sizes-defaults-shown = 初期値の用紙サイズを選択した状態で表示しています。[保存]をクリックすると保存されます。[リセット]で保存済みの設定に戻ります。
paper-sizes-saved = 用紙サイズを保存しました。
paper-sizes-none = 用紙サイズを1つ以上選択してください。
paper-sizes-unknown = 用紙サイズは一覧から選択してください。
paper-sizes-note-total1 = トータル1には、表示していない用紙サイズの枚数も含まれます。
paper-sizes-note-lfp = 大判プリンター（LFP）には用紙サイズ別のカウンターがないため、この設定は適用されません。
paper-sizes-note-dash = デバイスが報告しない用紙サイズは「-」と表示されます。

# E-mail notification
notify-intro = メールで通知を受ける内容と、対象のデバイスを選択します。この設定はご自身のもので、ほかのユーザーはそれぞれ設定します。
notify-address = 通知先メールアドレス
notify-no-address = 通知先メールアドレスが設定されていないため、メールは届きません。
notify-service-call = サービスコール
notify-service-call-desc = デバイスに技術者によるメンテナンスが必要です（重要度: 高）。
notify-error = エラー
notify-error-desc = デバイスでエラー（紙詰まりなど）が発生しました（重要度: 中）。
notify-warning = ワーニング
notify-warning-desc = デバイスでワーニング（トナー残量低下など）が発生しました（重要度: 低）。
notify-late = 報告途絶
notify-late-desc = 以前は報告していたデバイスから、一定時間（担当営業・サービスが別に設定していなければ 48 時間）を超えて何も（カウンター、ステータス、メール）届かなくなりました。デバイスが報告を停止するたびに 1 度お知らせします。
notify-off = 通知しない
notify-all-devices = すべてのデバイス
notify-selected-groups = 選択したグループのデバイス：
notify-no-groups = デバイスグループがまだないため、「すべてのデバイス」または「通知しない」を選択できます。
notify-no-group-left = ここで選択していたグループは削除されました。対象のデバイスがありません。グループを選択するか、「すべてのデバイス」を選択してください。
notify-choose-group = グループを1つ以上選択するか、「すべてのデバイス」を選択してください。
notify-group-unknown = 選択したグループは存在しません。一覧からもう一度選択してください。
notify-choose-scope = いずれかを選択してください。
notify-toner-title = トナー/インク管理者
notify-toner = トナー/インクの残量が少なくなったときにトナー/インク管理者に通知する
notify-toner-hint = 各デバイスのトナー/インク管理者は、デバイス情報で設定します。管理者が設定されていないデバイスについては通知されません。
notify-saved = 電子メール通知の設定を保存しました。
