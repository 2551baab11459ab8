# セッション中の受信と位置情報の状況、障害への対処（日本語）。

cause_no_adapter = Bluetooth アダプタなし
cause_powered_off = アダプタの電源オフ
cause_no_bluez = BlueZ（bluetoothd）停止中
cause_no_system_bus = システム D-Bus 停止中
cause_permission = Bluetooth の使用権限なし
cause_no_gpsd = gpsd に接続できない
cause_no_fix = GPS 測位なし
cause_no_position_source = 位置情報源なし（gpsd も軌跡もなし）
cause_other = 動作せず
hint_no_adapter = Bluetooth アダプタ（USB ドングルなど）を挿してください。`bluetoothctl list` に表示されれば使えます。
hint_powered_off = 電源を入れてください: `bluetoothctl power on`（ブロックされている場合は `rfkill unblock bluetooth`）。
hint_no_bluez = BlueZ を起動してください: `sudo systemctl start bluetooth`（再起動後も有効にするには `sudo systemctl enable bluetooth`）。
hint_no_system_bus = システム D-Bus を起動してください: `sudo systemctl start dbus`。
hint_permission = ユーザーに Bluetooth の使用を許可してください: `sudo usermod -aG bluetooth $USER` のあと、ログインし直してください（tagwatch サービスのユーザーは最初からこのグループに入っています）。
hint_no_gpsd = 受信機をつないで gpsd を起動してください: `sudo systemctl start gpsd`（受信機のデバイスは /etc/default/gpsd に）。または --gpsd HOST:PORT を指定してください。
hint_no_fix = GPS 受信機が測位できていません: 空が見える場所に置いてください（`gpspipe -w` で受信内容を確認できます）。
hint_no_position_source = 検出に位置情報が付きません: GPS 受信機を gpsd でつなぐか、--track を指定してください。
radio_whole = 未確認: { $duration }のあいだずっと{ $cause }
radio_whole_mixed = 未確認: { $duration }のあいだ一度も受信できませんでした（{ $causes }）
radio_part = { $duration }のうち { $down } は未確認: { $stretches }
radio_all = { $duration }のあいだずっと受信
more = ほか { $n } 件
positions_all = { $duration }のあいだずっと位置情報あり
positions_part = { $duration }のうち { $up } は位置情報あり。なし: { $stretches }
positions_none = { $duration }のあいだずっと位置情報なし: { $cause }
hint_bluetooth_all = bluetoothd は動いていますか（`sudo systemctl start bluetooth`）？ アダプタの電源は入っていますか（`bluetoothctl power on`）？ ユーザーに Bluetooth の使用が許可されていますか（`sudo usermod -aG bluetooth $USER` のあと、ログインし直してください）？
