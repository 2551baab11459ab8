# 利用者が目にするライブラリのエラー：壊れたキャプチャ・軌跡・データベース・一覧、存在しないファイル（日本語）。

## システムの呼び出しが失敗した理由。
io-not-found = ファイルが存在しません
io-permission = 読み取る権限がありません
io-folder = フォルダです
as-is = { $text }

## キャプチャ：「ファイル：形式 キャプチャ（N バイト目）：問題」。
capture-error-at = { $path }：{ $format } キャプチャ（{ $offset } バイト目）：{ $problem }
capture-error-unknown = { $path }：{ $problem }
capture-error-zip = { $path }：{ $problem }
capture-error-zip-entry = { $path }：{ $problem }（zip のエントリ、{ $offset } バイト目）
capture-cannot-open = 開けません（{ $why }）
capture-read-error = 読み取りエラー（{ $why }）
capture-cannot-write = 書き込めません（{ $why }）
capture-folder = キャプチャではなくフォルダです。中のキャプチャファイルを指定してください
capture-empty = 空のファイルで、キャプチャではありません
capture-no-known-format = 形式が不明です。btsnoop・pcap・pcapng・PacketLogger・tagwatch JSON Lines のどのキャプチャでもありません
capture-zip-stream = zip はファイルとして読みます。ストリームからは読めません
capture-is-zip = キャプチャではなく zip アーカイブです。展開して、中のキャプチャファイルを指定してください
capture-is-track = キャプチャではなく { $track } の軌跡のようです。--track で指定してください
capture-is-track-an = キャプチャではなく { $track } の軌跡のようです。--track で指定してください
capture-truncated = { $what }が途中で切れています
capture-too-long = { $what }の長さ { $len } バイトが上限の 1 MiB を超えています
capture-line-too-long = 1 行が 1 MiB を超えています
capture-not-btsnoop = btsnoop ファイルではありません
capture-btsnoop-version = 対応していない btsnoop のバージョン { $version } です
capture-btsnoop-datalink = 対応していないデータリンク { $datalink } です（tagwatch が読めるのは 1001、1002、2001）
capture-not-monitor = データリンクが { $datalink } で、2001（モニターフレーム）ではありません
capture-jsonl-no-header = 見出し行がありません
capture-jsonl-version = 対応していない tagwatch-jsonl のバージョン { $version } です
capture-jsonl-bad-header = 1 行目が {"{"}"format":"tagwatch-jsonl","version":1{"}"} の見出しではありません
capture-pcapng-idb-short = インターフェース記述ブロックが短すぎます
capture-pcapng-no-bom = セクションヘッダーブロックにバイト順の印がありません
capture-pcapng-no-shb = セクションヘッダーブロックで始まっていません
capture-pcapng-block-length = ブロックの長さ { $len } はブロック種別 { $kind } として不正です
capture-pklg-short = レコードの長さ { $len } がタイムスタンプより短くなっています
capture-link-type = 対応していないリンク種別 { $link } です（tagwatch が読めるのは 187、201、251、256、272）
part-file-header = ファイルヘッダー
part-record-header = レコードヘッダー
part-record = レコード
part-block-header = ブロックヘッダー
part-section-header = セクションヘッダーブロック
part-block = ブロック

## Android のバグレポート（zip）。
zip-unreadable = 読み取れない zip アーカイブです（{ $detail }）。展開して、中のキャプチャファイルを指定してください
zip-entry-unreadable = { $entry }：{ $detail }
zip-too-many-files = { $n } 個のファイルを含んでおり、バグレポートとしては多すぎます
zip-no-snoop-log = この zip には Bluetooth HCI スヌープログがありません。Android のバグレポートであれば、スマートフォンの開発者向けオプションで「Bluetooth HCI スヌープログ」を有効にし、Bluetooth をいったんオフにしてオンに戻してから、バグレポートを作り直してください。キャプチャが入った zip であれば、展開して中のキャプチャファイルを指定してください
zip-logs-too-large = スヌープログを展開すると { $bytes } バイトになり、tagwatch が読める 2 GiB を超えます
zip-entry-too-large = { $entry } を展開すると { $bytes } バイトになり、tagwatch が読める 2 GiB を超えます
zip-entry-lies = { $entry } を展開すると、申告されている { $bytes } バイトを超えます

## 丸ごと読むファイル（軌跡、一覧、添付）。
file-cannot-read = { $path }：読み取れません（{ $why }）
file-not-regular = { $path }：通常のファイルではありません（{ $kind }）
file-too-large = { $path }：{ $what }の上限 { $cap } を超えています（{ $size }）
file-holds-more = { $path }：{ $what }の上限 { $cap } を超える内容があります
file-cap-track = 軌跡
file-cap-list = 一覧
file-cap-attachment = 添付ファイル
file-kind-folder = フォルダ
file-kind-char-device = キャラクターデバイス
file-kind-block-device = ブロックデバイス
file-kind-pipe = 名前付きパイプ
file-kind-socket = ソケット
file-kind-unknown = 不明な種類のファイル

## GPS の軌跡。
at-line = { $n } 行目
at-byte = { $n } バイト目
at-record = { $n } 件目
track-at = { $at }：{ $problem }
track-unknown = { $path }：軌跡として認識できません（GPX、NMEA 0183、gpsd JSON、Google のロケーション履歴（Records.json）やタイムラインのエクスポート、または時刻・緯度・経度の列名を見出し行に持つ CSV のいずれかが必要です）
track-unknown-json = { $path }：軌跡として認識できません（GPX、NMEA 0183、gpsd JSON、Google のロケーション履歴（Records.json）やタイムラインのエクスポート、または時刻・緯度・経度の列名を見出し行に持つ CSV のいずれかが必要です）。この JSON は gpsd の出力でも Google のものでもありません（Google のものは "locations"（Records.json）か "semanticSegments"（Timeline.json）で始まります）
track-broken = { $path }：{ $format }：{ $detail }
track-no-fix = { $path }：{ $format }：使える測位がありません（{ $detail }）
track-read = 測位 { $fixes } 件、読み飛ばした記録 { $skipped } 件
track-read-outliers = （時刻の外れ値 { $outliers } 件、ありえない移動 { $jumps } 件）
track-read-first = （最初は { $at }：{ $problem }）
track-broken-xml = XML が壊れています（{ $detail }）
track-not-gpx-root = ルート要素が <gpx> ではありません
track-no-gpx = <gpx> 要素がありません
track-csv-header = 見出し行に時刻・緯度・経度の列名がありません
track-not-google = Google のロケーション履歴ではありません（{ $detail }）

## 証拠データベース。
store-io = { $path }：{ $what }（{ $why }）
store-cannot-open = 開けません
store-cannot-read = 読み取れません
store-cannot-create = 作成できません
store-cannot-create-folder = 保存先のフォルダを作成できません
store-cannot-set-mode = 権限を 0600 に設定できません
store-attachment = 添付ファイル：{ $error }
store-sqlite = { $path }：データベースのエラー（{ $detail }）
store-not-tagwatch = { $path }：tagwatch の証拠データベースではありません（変更していません）
store-newer-schema = { $path }：新しい版の tagwatch で作られています（スキーマ { $found }。この版が扱えるのは { $known } まで）
store-damaged = { $path }：データベースが壊れています（{ $detail }）
store-read-only = { $path }：データベースが読み取り専用です
store-missing = { $path }：ここに証拠データベースはありません（`tagwatch analyze`、`scan`、`sweep` で作られます）
store-no-folder = { $path }：フォルダ { $folder } が存在しません。tagwatch が自分で作るのは専用のデータフォルダ（{ $own }）だけです。先にフォルダを作成してください
store-unknown-schema = { $path }：{ $objects } — データベースが改ざんされた可能性があります。コピーを保管し、verify を実行してください
store-not-kept = { $path }：書き込みが反映されませんでした（{ $detail }）。証拠が保存されていません。ファイルのコピーを保管し、verify を実行してください
store-changed-while-read = { $path }：読み取り中にデータベースが書き換えられました。もう一度コマンドを実行してください
store-session-kind = 不明なセッションの種類 { $kind } です（analyze、scan、sweep のいずれか）
store-unknown-session = セッション { $id } はこのデータベースで開始されていないか、すでに終了しています
store-unknown-tracker = 証拠データベースにトラッカー { $id } はありません
store-no-attachment = 記録 { $seq }：添付ファイルがありません（{ $detail }。報告書に添付ファイルごとの記録番号が載っています）
store-unstorable = { $kind } の記録を保存できません（{ $detail }）

## 許可リスト（自分の物の一覧）。
allow-line = { $path }：{ $line } 行目：{ $problem }
allow-not-hex = identity が 16 進数ではありません（{ $detail }）
allow-bad-line = { $line } は、アドレス、tagwatch の ID、identity:16進数 のいずれでもありません
store-missing-hint = （データベースは --db PATH か環境変数 TAGWATCH_DB で指定してください）
store-other-place-hint = （--db PATH で別の場所を指定するか、保存せずに見るだけなら --no-store を指定してください）

## 開始できないライブ入力。
live-scan-failed = スキャンを開始できません（{ $why }）
live-monitor-stopped = HCI モニターが止まりました（{ $why }）
live-monitor-socket-failed = --monitor-socket { $path }：{ $why }
live-monitor-socket-stopped = モニターフレームの入力が止まりました（{ $why }）
live-gpsd-failed = gpsd からの位置情報の受信を開始できません（{ $why }）
live-no-gpsd = { $addr } に gpsd がありません（--gpsd HOST:PORT で指定できます）。検知に位置情報は付きません

## verify が見つけた終了していないセッション（記録の問題は report.ftl の problem_*）。
verify-unclosed = セッション { $session }（{ $kind }、{ $began } 開始）が終了していません：{ $why }
verify-unclosed-last = tagwatch がまだ実行中か、終了処理をせずに止められたか、末尾の記録が削除されたかのいずれかです。どれであるかは、別の場所に保管したアンカーでしか判別できません
verify-unclosed-earlier = tagwatch が終了処理をせずに止められました（異常終了または電源断）

## アンカー：作成しなかった理由、チェーンがアンカーと合わない理由、タイムスタンプ局（警察官が読む前提で書く）。
anchor-empty = データベースにまだ記録がないため、アンカーは作成できません
anchor-broken = チェーンの検証に失敗しました（{ $problem }）。アンカーは作成していません。`tagwatch verify` を実行してください
chain-gap = 記録 { $seq } が記録 { $before } の次にあります：記録が欠落しているか、挿入されています
chain-link = 記録 { $seq }：prev_hash が直前の記録のハッシュ値と一致しません
chain-hash = 記録 { $seq }：ハッシュ値が内容と一致しません
chain-column = 記録 { $seq }：列の型が正しくありません
anchor-problem-changed = { $problem }：アンカーが保証する記録が変更されています
anchor-problem-cut = チェーンは記録 { $records } で終わっていますが、アンカーは { $n } 件の記録を保証しています：最後の { $cut } 件が削除されています
anchor-problem-rewritten = 記録 { $n } はアンカーを作成したときの記録ではありません（ハッシュ値の先頭が { $found }、アンカーでは { $head }）：そこまでのチェーンが書き換えられ、すべてのハッシュ値が計算し直されています
anchor-problem-after = 最初の { $n } 件の記録は変更されていませんが、その後でチェーンが切れています：{ $problem }
anchor-problem-not-kept = tagwatch が記録 { $n } の後に保存したアンカーの記録がチェーンにありません：アンカーより後の記録が書き換えられたか、削除されています
tsa-unreachable = 接続できません：{ $detail }
tsa-status = HTTP { $status } が返されました
tsa-refused = 要求が拒否されました：ステータス { $status }{ $text }
tsa-malformed = 応答がタイムスタンプの応答ではありません：{ $detail }
tsa-imprint = トークンがこのチェーン末尾に対するものではありません（メッセージインプリントが異なります）
tsa-nonce = トークンがこちらの nonce を含んでいません（過去の応答の再送の可能性があります）
hook-cannot-start = 起動できません（{ $why }）
hook-failed = 失敗しました（{ $status }）
hook-still-running = { $s } 秒たっても終了しないため、そのまま実行を続けさせています
hook-cannot-wait = 終了を待てません（{ $why }）

## 位置情報を受け取る gpsd。
gpsd-unreachable = { $addr } の gpsd に接続できません：{ $why }
gpsd-no-fix = { $addr } の gpsd から { $s } 秒以内に測位が届きません
gpsd-closed = { $addr } の gpsd が接続を閉じました
gpsd-io = { $addr } の gpsd から読み取れません：{ $why }
gpsd-protocol = { $addr } は gpsd の JSON を話していません：{ $problem }

## 軌跡の記録を 1 件読み飛ばした理由（最初の 1 件を示す。値は記録にあったまま）。
record-no-checksum = *hh のチェックサムがありません
record-checksum-not-two = チェックサムが 16 進数 2 桁ではありません
record-checksum-not-hex = チェックサムが 16 進数ではありません
record-checksum = チェックサム { $given } が計算値 { $computed } と一致しません
record-fields = 項目が { $n } 個しかありません（{ $need } 個必要）
record-sentence = { $kind }：{ $problem }
record-no-rmc = その前に日付のある RMC がありません
record-bad = { $what } { $value } が不正です
record-bad-timestamp = タイムスタンプが不正です
record-no-timestamp = タイムスタンプがありません
record-no-e7 = latitudeE7／longitudeE7 がありません
record-no-place-or-time = 場所か時刻がありません
record-gpx-no-lat-lon = 数値の lat／lon がない地点です
record-gpx-no-time = <time> がない地点です
record-bad-json = JSON が壊れています（{ $detail }）
record-no-class = "class" の項目がありません
record-tpv-no-time = 時刻のない TPV です
record-out-of-range = 座標 { $lat }, { $lon } が範囲外です
record-implausible-time = 時刻 { $time } が 2000 年から 2100 年の間にありません
record-time-outlier = 時刻 { $time } が軌跡のほかの記録から 1 日以上離れています
record-jump = { $time } の位置 { $lat }, { $lon } は、秒速 { $speed } m を超えて離れて戻る飛びです
field-time = 時刻
field-date = 日付
field-gpx-time = <time>
field-position = 位置
field-coordinate = 座標
field-minutes = 座標の分
field-lat-hemisphere = 緯度の南北
field-lon-hemisphere = 経度の東西
gpsd-line-too-long = 1 行が 1 MiB を超えています

## 場所ファイルの行（名前=緯度,経度[,半径M]）。
place-bad-line = { $text } は NAME=LAT,LON[,RADIUS_M]（名前=緯度,経度[,半径 m]）の形ではありません
place-steering = { $name }：場所の名前に制御文字や双方向制御文字は使えません

## キャプチャの記録を解釈できなかった理由（形式は正しいが、tagwatch が読まない種類）。
unreadable-link-type = リンク種別 { $link }：tagwatch が読めるのは 187、201、251、256、272 です
unreadable-nordic-version = nRF Sniffer のヘッダーバージョン { $version }：tagwatch が読めるのはバージョン 0〜3 です
unreadable-nordic-packet = nRF Sniffer のメッセージ { $id }：ヘッダーバージョン { $version } の受信パケットではありません
unreadable-nordic-header = nRF Sniffer のパケットヘッダーが { $n } バイトです：バージョン 1〜3 では 10 バイトです
unreadable-nordic-phy = nRF Sniffer の PHY { $phy }：予約された値です

## ファイルの大きさ。
size-bytes = { $n } バイト
size-kib = { $n } KiB
size-mib = { $n } MiB
