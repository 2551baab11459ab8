# The live view's map, timeline and status line (Japanese).

map = 地図
timeline = 時系列
no_tracker = トラッカー未選択
no_position = 位置情報なし（GPS 測位・軌跡がありません）
zoom_fit = 全体
zoom = 拡大 ×{ $factor }
map_keys = +/- 拡大縮小・0 全体
you = 現在地
alert = 警告
stay = 滞在
signal = 電波強度
not_heard = 未受信
radio = 受信
gps = GPS
checking = 確認中：
adapter = アダプター { $name }：{ $state }
adapter_up = 動作中
adapter_reconnecting = 再接続中
adapter_down = 停止（{ $why }）
replay = 再生 { $file }
exact = 受信したままのデータ（HCI モニター）
reconstructed = 再構成（BlueZ D-Bus）
capture = 記録ファイル
rate = { $rate } 件/秒
fix = GPS 測位 { $accuracy }{ $age }前
no_fix = GPS 測位なし
evidence = 証拠 { $db }
no_evidence = 証拠は保存しません（--no-store）
anchor = 最新アンカー { $code }
advisory = 注意: 同じ近くの機器（所有者のそば）が { $places } か所で { $minutes } 分あなたと一緒です。誰かがそばにいるのかもしれません（同行者や自分の機器も同じに見えます）
no_anchor_yet = アンカー未作成
seconds = { $n } 秒
minutes = { $n } 分
hours = { $n } 時間
monitor_refused = エラー：HCI モニターを開けません（{ $why }）
monitor_fallback = 注意：HCI モニターを開けません（{ $why }）。BlueZ（D-Bus）経由で受信します。このときのデータは BlueZ の報告から組み立て直したものです（Flags なし、アドバタイズとスキャン応答は統合、パケット種別なし）。
monitor_hint = 受信したままのデータを得るには、tagwatch が HCI モニターを読めるようにしてください：`sudo setcap cap_net_raw+ep $(command -v tagwatch)`、またはパッケージのサービス（tagwatch.service、CAP_NET_RAW 付き）で動かします。
desktop_off = デスクトップ通知オフ: { $why }
alert-line = ALERT（警告） { $time } { $model }（{ $id }）があなたを追跡しています：{ $reasons }
live-sweep-left = 調査：残り { $left }
live-sweep-waiting = 調査：受信待ち
live-live = ライブ
live-trackers = トラッカー：{ $n }
live-others = ほかの機器の電波：{ $n }
live-filter = 絞り込み「{ $filter }」
live-help-hint = ? ヘルプ
live-banner = ⚠ { $tracker } があなたを追跡中（{ $since }{ $places } か所、{ $distance }）· Enter 詳細 · m 自分の物
live-banner-since = { $time } から、
live-col-tracker = トラッカー
live-col-owner = 所有者
live-col-signal = 電波
live-col-dbm = DBM
live-col-first = 最初
live-col-last = 最後
live-col-places = 場所
live-col-distance = 距離
live-col-verdict = 判定
live-detail-head = { $id } · { $tracker } · { $owner } · 電池 { $battery }
live-battery-unknown = 不明
live-detail-address = アドレス { $address }（{ $used } 個使用）· 検知 { $sightings } 回 · 最初 { $first } · 最後 { $last }
live-detail-raw = 生データ：{ $hex }
live-detail-title = {" "}詳細 · s：音を鳴らす · i：識別{" "}
live-find-title = {" "}{ $tracker }（{ $id }）を探す · s：音を鳴らす · Esc：戻る{" "}
live-no-signal = 電波なし
live-last-heard = { $trend } · 最後の受信は { $age } 前
live-input-filter = 絞り込み：{ $text }_ （Enter：適用、Esc：解除）
live-input-note = メモ：{ $text }_ （Enter：保存、Esc：取り消し）
live-confirm-mine = { $tracker } { $id } を自分の物にしますか？今後は警告しません。y/n
live-key-select = ↑↓ 選択
live-key-details = Enter 詳細
live-key-pane = Tab 画面
live-key-find = f 探す
live-key-mine = m 自分の物
live-key-note = n メモ
live-key-report = r 報告書
live-key-filter = / 絞り込み
live-key-help = ? ヘルプ
live-key-quit = q 終了
live-help-title = {" "}キー{" "}
live-help-select = トラッカーを選ぶ
live-help-details = 詳細：理由と受信した生データ
live-help-pane = 次の画面：表、地図、時系列（狭い端末では 1 つずつ）
live-help-zoom = 地図の拡大、縮小、全体表示
live-help-find = 探すモード：電波の強さ、近づいているか遠ざかっているか
live-help-mine = 自分の物にする（y/n で確認）：警告をやめ、証拠に記録
live-help-note = 証拠にメモを加える
live-help-report = 証拠の報告書を書く（日本語と英語）
live-help-ring = トラッカーの音を鳴らす（ライブ受信時）
live-help-identify = DULT トラッカーのメーカーと識別子を読む（ライブ受信時）
live-help-filter = 名前や ID で絞り込む
live-help-esc = 詳細・探すモード・ヘルプを閉じる、絞り込みを解除
live-help-this = このヘルプ
live-help-quit = 終了（証拠は残ります）
live-not-marked = { $id } は登録していません：引き続き警告します
live-marked-already = { $id } はすでに自分の物として登録済みです
live-report-written = 報告書を { $dir } に書きました
live-report-failed = 報告書を書けません：{ $error }
live-note-stored = メモを保存しました
live-note-failed = メモを保存できません：{ $error }
live-busy = 使用中：別のトラッカーの{ $action ->
        [ring] 音を鳴らしています
       *[other] 識別子を読み取っています
    }
live-needs-adapter = { $action ->
        [ring] 音を鳴らす
       *[other] 識別する
    }には Bluetooth アダプターが必要です：これは再生です
live-mine-session = { $id } はこのセッションの間だけ自分の物です{ $kept }（残すには --allow FILE を付けて起動してください）
live-mine-added = { $id } を { $file } に加えました{ $kept }
live-mine-listed = { $id } は自分の物です。{ $file } にはすでにあります{ $kept }
live-mine-file-error = { $id } はこのセッションの間だけ自分の物です{ $kept }。{ $file }：{ $error }
live-mine-not-kept = （登録は証拠に残っていません：{ $error }）
live-kept = （証拠に残しました）
live-not-kept = （残せませんでした：{ $error }）
sweep-heading = 調査結果：トラッカー { $n } 台（電波の強い順）
sweep-col-signal = 電波
sweep-col-raw = 生データ
live-stored = 証拠は { $db } に保存しました。
live-not-stored = 証拠は保存していません（--no-store）。
live-recap-alerts = { $n ->
        [0] このセッションの警告はありません。
       *[other] このセッションの警告 { $n } 件：
    }
live-start-failed = { $action ->
        [ring] 音を鳴らせません
       *[other] 識別できません
    }：{ $error }
live-starting = { $action ->
        [ring] { $address } の音を鳴らします：受信してから接続します…
       *[other] { $address } を識別します：受信してから接続します…（先にメーカーが説明する操作をしてください）
    }
live-error-terminal = 端末：{ $error }（端末なしで使うには --headless）
live-error-record = --record { $file }：{ $error }
live-error-record-incomplete = --record：{ $error }。記録ファイルは不完全です
live-error-signals = シグナルを扱えません：{ $error }
live-error-on-alert = --on-alert：{ $error }
live-dropped = このパソコンの処理が追いつかず、電波 { $n } 件を取りこぼしました

# 画面上部の題：何で受信しているか。
feed-adapter = { $name } { $state }（{ $source }）、{ $gpsd }
feed-hci-monitor = HCI モニター
feed-gpsd = gpsd { $state }
feed-no-gpsd = gpsd なし
feed-replay-ended = 再生終了
feed-replay-fastest = 再生（最高速）
feed-replay-speed = 再生 { $speed } 倍速
link-down = 停止：{ $why }

# 画面なし（--headless）の記録行：電波と gpsd の状態の変化。
log-adapter = アダプター：{ $state }
log-adapter-down = アダプター：停止：{ $cause }（{ $why }）
log-adapter-event = アダプター { $name }：{ $event }
log-monitor-down = HCI モニター：停止：{ $why }
log-gpsd = gpsd：{ $state }
radio-present = { $name }（{ $address }）を検出
radio-opened = 使用開始
radio-closed = 停止
radio-removed = 取り外し
