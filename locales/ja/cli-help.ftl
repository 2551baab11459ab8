# `--help` in Japanese. The English help is clap's, from the doc comments in src/cli/, so this
# file has no English twin: `about-PATH` for a command, `help-PATH-ID` or `help-ID` for an argument
# (src/cli/help.rs). The tests check that every command and argument has its text here.

help-template = {"{"}before-help{"}"}{"{"}about-with-newline{"}"}
    使い方: {"{"}usage{"}"}

    {"{"}all-args{"}"}{"{"}after-help{"}"}
help-heading-commands = コマンド
help-heading-arguments = 引数
help-heading-options = オプション

about-tagwatch = 本人と一緒に移動する Bluetooth 位置追跡タグ（トラッカー）を見つけ、証拠を残します。
about-help = このメッセージ、または指定したコマンドのヘルプを表示します
about-analyze = 記録ファイル（btsnoop、Android のバグレポート zip、Apple PacketLogger、pcap、pcapng、tagwatch JSON Lines）からトラッカーを見つけます
about-scan = 周りのトラッカーをリアルタイムで見守り、本人を追跡し始めたら警告します
about-sweep = 車や部屋を調べます：いるトラッカーをすべて、電波の強い順に示し、調査記録として残します
about-verify = 証拠データベースのハッシュチェーンを確認します：最初から全記録が変わっていないこと
about-anchor = チェーンの末尾を外に残します：撮影・送信できる短いコードと QR コードで、今までの証拠が変わっていないことを後で証明できます（`verify --anchor`）。記録として残ります
about-ring = トラッカーの音を鳴らします（メーカーが所有者以外にも許している場合：探す、DULT、Pebblebee）。証拠にメモとして残ります
about-identify = DULT トラッカーのメーカー、機種、識別子を読み取ります（警察のため）。メモとして残ります
about-note = 証拠にメモを加えます（「車のシートの下で見つけた」）。写真やファイルも添付できます
about-report = 証拠の報告書を書きます：言語ごとに 1 つの HTML ページ（PDF に印刷できます）
about-export = 保存した検知を書き出します：CSV、GeoJSON、KML（QGIS、Google Earth）または JSON
about-list = 証拠データベースの中身を示します：セッション、調査、トラッカー（ID、機種、判定、検知日数）、メモ、アンカー。読むだけで、データベースを作ることはありません
about-synth = デモ、テスト、ベンチマーク用の合成データを書き出します
about-synth-demo = 各種類のトラッカー 1 台ずつと周りの機器少し（btsnoop の記録）
about-synth-crowd = デモを大勢のスマートフォンの中で：ベンチマーク用の負荷
about-synth-passers-by = 通り過ぎる別々の機器、毎秒 1,000 台（半分は鍵がそれぞれ違う分離状態の AirTag、残りは iPhone）：メモリと悪意ある入力の確認用
about-synth-dense = ラッシュ時のホームと電車：電波の 3 分の 1 がトラッカー（他人の AirTag・SmartTag・Tile が iPhone の中を出入り）。トラッカーの多いベンチマーク用の負荷
about-synth-scenario = 追跡検出を評価するための正解付きの 1 日：NAME-synthetic.btsnoop、NAME-synthetic.gpx、NAME-labels.json

help-help = ヘルプを表示します
help-version = バージョンを表示します
help-lang = メッセージとヘルプの言語、ja または en［既定：TAGWATCH_LANG、なければ日本語ロケール（LC_ALL、LC_MESSAGES、LANG）なら ja、それ以外は en］。`report` では報告書の言語：両方なら 2 回指定［既定：両方］
help-captures = 記録ファイル。1 つのセッションとして読みます。形式は中身から判断します
help-analyze-format = 出力：人が読む表（table）またはプログラム用の JSON（json）
help-tracks = 本人がいた場所（GPX、NMEA 0183、CSV、gpsd JSON、Google の Records.json または Timeline.json。複数のファイルは繰り返し指定すると 1 つの軌跡にまとめます）：各トラッカーの場所と、本人と一緒に移動した距離がわかります
help-max_gap = 軌跡のどの測位点からもこれより離れた検知には位置を付けません
help-sensitivity = トラッカーが追跡していると判断する感度（README「How tagwatch decides」）
help-allow = 本人のトラッカー。一覧には出しますが警告しません：1 行に 1 つ、アドレス、tagwatch の ID、または identity:HEX
help-places = 場所に名前を付けます。例：`--place home=35.6812,139.7671`、`work=35.68,139.70,300`（半径はメートル、省略時 150）。繰り返し指定できます
help-places_file = 名前付きの場所のファイル。1 行に 1 つ NAME=LAT,LON[,RADIUS]
help-db = 証拠データベース［既定：データフォルダ内の tagwatch/evidence.sqlite］
help-no_store = 見るだけ：証拠データベースに何も残しません
help-on_anchor = セッション終了時のアンカーを JSON で標準入力に渡してこのコマンド（`sh -c`）を実行し、外へ送ります（メール、メッセンジャー、信頼できる人）。README「Anchors」
help-advisory = 対面でのつきまといの注意を表の下に出します：所有者のそばにある機器が、1 時間以上いくつもの場所で一緒だった場合（JSON には常に含まれます）
help-all = 所有者の近くにあるスマートフォン、パソコン、イヤホンも一覧に出します（表では隠しています）
help-adapter = Bluetooth アダプター（BlueZ での名前、例：hci1）［既定：最初のもの］
help-gpsd = 位置を受け取る gpsd［既定：localhost:2947 で gpsd が応答すればそれ］
help-replay = 受信する代わりに記録ファイル（形式は問いません）を再生します：デモとテスト用
help-speed = 実時間の何倍で再生するか。0 はできるだけ速く
help-record = 受信したすべての電波をこの記録ファイル（tagwatch JSON Lines）にも書き出します
help-headless = ライブ画面なし：警告は標準エラーに 1 行ずつ、結果は標準出力に
help-on_alert = --headless のとき：警告ごとにこのコマンド（`sh -c`）を実行し、警告を JSON で標準入力に渡します
help-report_dir = ライブ画面の `r` が証拠の報告書を書くフォルダ（トラッカーごとにフォルダを作ります）
help-duration = 受信する時間：90s、2m、1h（数字だけなら秒）
help-anchors = チェーンがこのアンカーコード（`tagwatch anchor` またはセッション終了時のもの）の続きであることも証明します：そのコードが保証する記録は変わっていません。繰り返し指定できます
help-tsa = この RFC 3161 タイムスタンプ局にも、末尾のハッシュに時刻付きで署名してもらいます
help-qr = QR コードを表示します［既定：標準出力が端末のとき］
help-no_qr = QR コードを表示しません
help-target = トラッカー：アドレス（AA:BB:CC:DD:EE:FF）または証拠の中の ID（`analyze` が表示するもの。最新のアドレスを使います）
help-listen = あきらめるまでトラッカーを待つ時間：30s、2m（数字だけなら秒）［既定：15s、ライブ画面の `s` と `i` と同じ］
help-text = メモの内容を自分の言葉で（引用符で囲みます：「車のシートの下で見つけた」）
help-file = メモと一緒に残すファイル（その SHA-256 がチェーンに入ります）
help-report-tracker = このトラッカーだけ（`analyze` が表示する ID）［既定：保存されたすべてのトラッカー］
help-export-tracker = このトラッカーだけ［既定：保存されたすべてのトラッカー］
help-utc_offset = 時刻をこの UTC との時差で表示します。例：+09:00［既定：位置情報の場所（日本なら JST）、なければこのパソコンのタイムゾーン］
help-report-output = 書き出すフォルダ（なければ作ります）
help-export-output = 書き出すファイル。`-` なら標準出力
help-output = 記録ファイルの書き出し先。実データと間違えられないよう `*-synthetic.*` という名前にしてください
help-synth-scenario-output = 書き出すフォルダ（なければ作ります）
help-report-even_if_broken = 証拠の検証に失敗しても書き出します。その場合、すべてのページにそのことと、チェーンが壊れている場所を示します
help-export-even_if_broken = 証拠の検証に失敗しても書き出します。その場合、`verification` 欄にそのことと、チェーンが壊れている場所を示します
help-export-format = ファイル形式
help-minutes = シナリオの長さ（分）
help-pcap = btsnoop の代わりに pcap を書き出します（LE リンク層と無線ヘッダー付き）
help-nordic = nRF Sniffer が記録する形の pcap を、このバージョン（0〜3）のヘッダーで書き出します
help-phones = 周りに加える iPhone の台数
help-count = 機器の台数
help-name = シナリオ名、または `all`
help-default = ［既定：{ $value }］
help-values = ［値：{ $values }］
help-env = ［環境変数：{ $name }］
about-attachment = メモと一緒に残したファイル（写真、スクリーンショット）を、SHA-256 で確かめて取り出します
about-attachment-get = 記録番号 RECORD のメモに残したファイルを、SHA-256 をメモと照合してから FILE に書き出します（番号は報告書に載っています）
help-attachment-get-record = メモの記録番号
help-attachment-get-output = 書き出し先。`-` なら標準出力。既にあるファイルは上書きしません
help-at = いつのことか（今でなければ）：2026-01-15T08:40:00+09:00、またはこのパソコンのタイムゾーンで "2026-01-15 08:40"。記録した時刻も残ります
help-place = どこでのことか、自分の言葉で（「職場の駐車場、後ろのバンパーの下」）
help-category = 出来事の種類
help-note-tracker = どのトラッカーについてか（`tagwatch list` が表示する ID）
help-serial = タグ本体、または Apple の NFC ページから読み取ったシリアル番号
help-phone = Apple の NFC ページに伏せ字で表示された所有者の電話番号（「•••• ••• 1234」）
help-read_from = シリアル番号や電話番号をどこで読んだか（「Apple の NFC ページ」「タグ本体」「iPhone の警告画面」）
help-devices = 出入りする機器の数（半分はトラッカー）
help-seed = 乱数の引き方（0 が既定の 1 日）：同じ種類の別の 1 日（鍵、アドレス、GPS の誤差、乗り降りする他人）
help-source = 電波の受け取り方。monitor：カーネルの HCI モニターチャンネルから、コントローラーが受けたとおりのバイト列（CAP_NET_RAW が必要：`sudo setcap cap_net_raw+ep $(command -v tagwatch)`、またはパッケージのサービス）。bluez：BlueZ が D-Bus で組み立て直したもの（「再構成」と表示）。どちらでもスキャンの開始は BlueZ が行います［既定：開ければ monitor、だめなら bluez］
