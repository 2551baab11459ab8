# The command line (Japanese): examples under every command's --help (`examples-PATH`,
# src/cli/help.rs), and what the commands say.

examples-tagwatch =
    例:
      # 記録ファイルからトラッカーを探す（いた場所の軌跡も使う）
      tagwatch analyze capture.btsnoop --track walk.gpx
      # リアルタイムで見守り、追跡されたら警告
      tagwatch scan
      # 車や部屋を調べる
      tagwatch sweep --duration 2m
      # 警察に見せる証拠の報告書を書く
      tagwatch report -o reports
      # コマンドごとのヘルプ
      tagwatch analyze --help
examples-analyze =
    例:
      # 1 つの記録ファイルのトラッカー
      tagwatch analyze capture.btsnoop
      # Android のバグレポートと Google の位置情報履歴
      tagwatch analyze bugreport.zip --track Records.json
      # 2 つの記録を 1 つのセッションとして、プログラム用の JSON で
      tagwatch analyze day1.pcapng day2.pcapng --format json
      # 自分のタグを除き、自宅に名前を付ける
      tagwatch analyze capture.btsnoop --allow mine.txt --place home=35.6812,139.7671
examples-scan =
    例:
      # 最初のアダプターでライブ画面
      tagwatch scan
      # 画面なし：警告ごとにコマンドを実行
      tagwatch scan --headless --on-alert 'notify-send tagwatch "$(cat)"'
      # 記録ファイルを 60 倍速で再生
      tagwatch scan --replay demo-synthetic.btsnoop --speed 60
examples-sweep =
    例:
      # ライブ画面で 2 分間
      tagwatch sweep
      # 5 分間、一覧を標準出力に
      tagwatch sweep --duration 5m --headless
examples-verify =
    例:
      # チェーン全体を確認
      tagwatch verify
      # 残しておいたコードの続きであることも証明
      tagwatch verify --anchor TW1-5324-3F9A-2C71-E0B4-D6A8-B1C2-D3E4-7C
examples-anchor =
    例:
      # 撮影用のコードと QR コード
      tagwatch anchor
      # 署名付きタイムスタンプも（ネットワークが必要）
      tagwatch anchor --tsa https://freetsa.org/tsr
examples-ring =
    例:
      # アドレスで指定
      tagwatch ring AA:BB:CC:DD:EE:FF
      # analyze やライブ画面の ID で指定
      tagwatch ring apple_find_my-1a2b3c4d
examples-identify =
    例:
      # メーカー、機種、識別子を読み取る
      tagwatch identify AA:BB:CC:DD:EE:FF
      # もっと長く待つ
      tagwatch identify AA:BB:CC:DD:EE:FF --listen 1m
examples-note =
    例:
      # 写真付きのメモ
      tagwatch note "found it under the car seat" --file photo.jpg
      # メモだけ
      tagwatch note "went to the police station"
      # トラッカーについてのメモ（いつ、どこで）
      tagwatch note "found it in my bag" --at "2026-01-15 08:40" --place "station" --tracker apple_find_my-1a2b3c4d
examples-attachment =
    例:
      # 記録番号 42 のメモに残した写真
      tagwatch attachment get 42 -o photo.jpg
examples-attachment-get =
    例:
      # 記録番号 42 のメモに残した写真
      tagwatch attachment get 42 -o photo.jpg
      # 標準出力へ
      tagwatch attachment get 42 -o -
examples-report =
    例:
      # 日本語と英語の HTML
      tagwatch report -o reports
      # 1 台のトラッカーを日本語で
      tagwatch report -o reports --lang ja --tracker apple_find_my-1a2b3c4d
examples-export =
    例:
      # すべての検知を CSV で
      tagwatch export --format csv -o sightings.csv
      # Google Earth 用
      tagwatch export --format kml -o map.kml
examples-list =
    例:
      # 既定のデータベースの中身
      tagwatch list
      # 別のデータベース
      tagwatch list --db /media/stick/evidence.sqlite
examples-synth =
    例:
      # 短いデモの記録
      tagwatch synth demo -o demo-synthetic.btsnoop
      # 正解付きの 1 日をすべて
      tagwatch synth scenario all -o scenarios
examples-synth-demo =
    例:
      # 10 分間を btsnoop で
      tagwatch synth demo -o demo-synthetic.btsnoop
      # nRF Sniffer の形で
      tagwatch synth demo --nordic 3 -o demo-synthetic.pcap
examples-synth-crowd =
    例:
      # 500 台のスマートフォンの中のデモ
      tagwatch synth crowd --phones 500 -o crowd-synthetic.btsnoop
examples-synth-passers-by =
    例:
      # 10 万台の機器
      tagwatch synth passers-by --count 100000 -o passers-synthetic.btsnoop
examples-synth-scenario =
    例:
      # 正解付きの 1 日
      tagwatch synth scenario commute_airtag -o /tmp/demo
      # すべて
      tagwatch synth scenario all -o scenarios
examples-synth-dense =
    例:
      # トラッカーの多いベンチマーク用の記録
      tagwatch synth dense -o dense-synthetic.btsnoop
cli-error = エラー：{ $text }
cli-warning = 注意：{ $text }
cli-store-failed = エラー：証拠データベース：{ $error }。これより前に保存したものは残っています
note-stored = メモを保存しました
note-stored-with = メモを { $file }（SHA-256 { $sha }）と一緒に保存しました
verify-intact = { $path }：改変なし（intact）：記録 { $records } 件、チェーン末尾 { $head }
verify-broken = { $path }：破損あり（BROKEN）：記録 { $records } 件の中に問題 { $n } 件（現在のファイルのチェーン末尾：{ $head }）
list-heading = { $what }（{ $n }）
list-sessions = セッション
list-sweeps = 調査
list-trackers = トラッカー
list-notes = メモ
list-anchors = アンカー
list-never-closed = 終了していません
list-days = { $n } 日
anchor-tsa-failed = タイムスタンプ局 { $url }：{ $error }。アンカーはタイムスタンプなしで残しました
anchor-keep = このコードは、このパソコンから届かない場所に残してください（写真、信頼できる人へのメッセージ、紙）。`tagwatch verify --anchor コード` で、この { $n } 件の記録が変わっていないことを証明できます。
anchor-session = アンカー：{ $code }。このコードをこのパソコンの外に残してください：`tagwatch verify --anchor コード` で最初の { $n } 件の記録が変わっていないことを証明できます
anchor-hook-failed = --on-anchor：{ $error }。アンカーは証拠には残っています

## コマンドラインの誤り（clap のエラーを日本語で。src/cli/usage.rs）。値は clap のまま：
## `--format <FORMAT>`、`<CAPTURES>...`。
usage-unknown-argument = 「{ $arg }」という引数はありません
usage-missing-value = { $arg } に値がありません
usage-invalid-value = 「{ $value }」は { $arg } の値として使えません
usage-possible-values = （使える値：{ $values }）
usage-invalid-value-why = 「{ $value }」は { $arg } の値として使えません：{ $why }
usage-unknown-command = 「{ $command }」というコマンドはありません
usage-missing-arguments = 次の引数が必要です：{ $args }
usage-missing-command = { $command } の後にコマンドが必要です：{ $commands }
usage-conflict = { $arg } と { $other } は一緒に使えません
usage-repeated = { $arg } は 1 回しか指定できません
usage-extra-value = 「{ $value }」は { $arg } の値として余分です
usage-other = 引数が正しくありません
usage-similar = もしかして：{ $similar }
usage-line = 使い方: { $usage }
usage-more = 詳しくは `{ $command } --help` をご覧ください。
duration-invalid = 90s、2m、1h のような時間の長さではありません
duration-unit = 単位は s（秒）、m（分）、h（時間）のどれかです
duration-too-long = 長すぎます
time-invalid = 日時ではありません。2026-01-15T08:40:00+09:00 または "2026-01-15 08:40" の形で指定してください
time-nonexistent = このパソコンのタイムゾーンには存在しない時刻です

## アンカー（`anchor`、`verify --anchor`。src/anchor）。
anchor-of = { $db } のアンカー（{ $time }）
anchor-label-code = コード：
anchor-label-records = 記録数：
anchor-label-head = チェーン末尾：
anchor-label-full = 完全なコード：
anchor-label-timestamp = タイムスタンプ：
anchor-timestamp-by = { $time }（{ $tsa } の署名）
anchor-does-not-hold = アンカー { $code }：一致しません（DOES NOT HOLD）：{ $problem }
anchor-holds = アンカー { $code }：最初の { $n } 件の記録は変わっていません。その後に追加された記録は { $appended } 件です{ $sessions ->
        [0] {""}
       *[other] （{ $sessions } 回のセッション）
    }
anchor-anchored-at = アンカーを残した日時：{ $time }
anchor-timestamped = { $tsa } のタイムスタンプ：{ $time }（署名の確認：openssl ts -verify、README「Anchors」）
anchor-timestamp-broken = ただし、一緒に残したタイムスタンプ（{ $tsa }）が合いません：{ $error }：アンカーの記録が残した後に変えられています
anchor-unchecked = アンカー { $code }：確認できません：{ $error }
anchor-not-kept = アンカーを残せませんでした：{ $error }
code-tag = { $code }：アンカーのコードは { $tag }- で始まります
code-count = { $code }：{ $tag }- の後の記録数が数字ではありません
code-not-hex = { $code }：{ $char } は 16 進数の文字（0～9、A～F）ではありません
code-length = { $code }：コードにはチェーン末尾の 16 進数 { $min }～64 桁とチェック用の 2 桁が入りますが、このコードは全部で { $n } 桁です
code-check = { $code }：チェック用の桁が合いません。どこかの文字が打ち間違えられています（残しておいたコードと見比べてください）

## report、export、list、note、attachment、analyze、synth。
report-not-verified = { $path }：証拠の確認で問題が見つかりました：
report-refused = 書きませんでした。それでも書くには --even-if-broken を付けてください（すべてのページに破損ありと書かれます）
report-anyway = --even-if-broken のため、破損ありと書いて作成します
cli-did-you-mean = もしかして：{ $ids }
cli-list-hint = （保存されているトラッカーは `tagwatch list` ですべて見られます）
list-not-verified = 証拠の確認で問題が見つかりました。`tagwatch verify` を実行してください
attachment-written = { $file }：{ $bytes } バイト、SHA-256 { $sha }（記録番号 { $record } のメモと一致）
analyze-kept = 証拠を { $path } に保存しました。`tagwatch verify` で確認し、`tagwatch report -o DIR` で報告書を作れます。
synth-wrote = 合成データの電波 { $n } 件を { $file } に書きました
synth-wrote-scenario = { $name }：合成データの電波 { $n } 件、測位 { $fixes } 件（{ $minutes } 分間）を { $dir } に書きました

## ring と identify（src/interact）。
identify-first = DULT 対応のトラッカーは、メーカーが説明する操作（多くはボタンを数秒押し続ける）の後 5 分間だけ識別子を教えます。先にその操作をしてください。
interact-listening = { $address } の電波を最大 { $seconds } 秒待っています…
interact-refusal-kept = 拒否されたことを証拠に残しました（{ $path }）
interact-kept = 証拠に残しました（{ $path }）
interact-not-in-evidence = { $what } はアドレス（AA:BB:CC:DD:EE:FF）でも、証拠にあるトラッカーでもありません
interact-no-evidence = { $what } はアドレス（AA:BB:CC:DD:EE:FF）ではありません。トラッカーの ID で指定するには証拠データベースが必要です
interact-no-address = 証拠には { $what } の使えるアドレスがありません
interact-rang = { $address } が音を鳴らし、鳴り終わりました（{ $how }）
interact-ringing = { $address } が音を鳴らしています（{ $how }）
interact-asked = { $address } に音を鳴らすよう求めました（{ $how }。この種類は応答を返しません）：音がするか耳を澄ませてください
interact-identified = { $address } の情報を読み取りました：識別子 { $id }
interact-identified-without = { $address } の情報を読み取りましたが、識別子はありません：{ $why }
sound-dult = DULT の所有者以外向けの音
sound-find-my = Find My の所有者以外向けの音
sound-airtag-legacy = AirTag の音の特性
sound-pebblebee = Pebblebee の音
interact-out-of-range = トラッカーが電波の届く範囲にないか、応答しなくなりました。近づいてもう一度試してください
interact-connection-refused = トラッカーが接続を拒否しました（{ $detail }）
interact-not-supported = { $family }：対応していません：{ $reason }
interact-permission = 権限がないため Bluetooth に拒否されました（{ $detail }）。Linux では、このユーザーに BlueZ を使う権限がありますか（bluetooth グループ、polkit）？ペアリングを求めるトラッカーは所有者としか通信しません
interact-refused = トラッカーはコマンド { $opcode } に { $status } と答えました：{ $meaning }
interact-protocol = トラッカーの応答がそのプロトコルに従っていません：{ $detail }
interact-timeout = トラッカーが時間内に応答しませんでした
interact-adapter = Bluetooth を使えません：{ $detail }
why-nfc-only = Apple は Find My トラッカーの識別子を所有者以外が Bluetooth で読む方法を公開していません。NFC 対応のスマートフォンをトラッカーにかざして識別子を読んでください
why-pebblebee-no-identifier = Pebblebee は識別子を読む方法を公開していません（Find My / Find Hub 対応機種の DULT サービスを除く）
why-smarttag-no-ring = Samsung は所有者以外が音を鳴らすコマンドを公開しておらず、他のタグを鳴らせる AirGuard も SmartTag は鳴らせません。音は所有者の SmartThings アプリから鳴らすものです
why-smarttag-no-identifier = Samsung は所有者以外が識別子を読む方法を公開していません
why-tile-no-ring = Tile の音を鳴らすコマンドは所有者の Tile / Life360 アプリのもので、公開されていません。AirGuard も Tile は鳴らせません
why-tile-no-identifier = Tile は所有者以外が識別子を読む方法を公開していません
why-chipolo-no-ring = Chipolo 独自のネットワークの Chipolo ONE と CARD には、所有者以外が音を鳴らす公開された方法がなく、AirGuard も鳴らせません（Chipolo ONE Spot と POINT は Find My / Find Hub のタグとして鳴らせます）
why-chipolo-no-identifier = Chipolo は所有者以外が識別子を読む方法を公開していません
why-unknown-no-ring = tagwatch はこの種類の音を鳴らすコマンドを知りません
why-unknown-no-identifier = tagwatch はこの種類の識別子を読む方法を知りません
why-no-sound-service = トラッカーに、この種類の音のサービスがひとつもありません
why-no-dult-service = トラッカーに DULT の所有者以外向けサービスがありません
why-legacy-no-stop = 初代 AirTag の音には止めるコマンドがありません。しばらくすると自然に止まります
why-identifier-by-nfc = このトラッカーは、識別子を Bluetooth ではなく NFC でだけ教えると示しています
why-identifier-locked = 今は識別子を読めません。メーカーが説明する操作（ボタンを押し続けるなど）をして、5 分以内にもう一度試してください
why-with-owner = 拒否されました：トラッカーが所有者の近くにあるか（これらのコマンドは所有者から離れているときだけ使えます）、この機能に対応していません
why-sound-state = すでに音が鳴っているか、この機器が鳴らした止めるべき音がありません
why-rejected = トラッカーがコマンドを拒否しました
