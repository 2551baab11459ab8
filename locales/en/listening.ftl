# What the radio and the positions did over a session, and what to do about a fault (English).

cause_no_adapter = no Bluetooth adapter
cause_powered_off = the adapter powered off
cause_no_bluez = BlueZ not running
cause_no_system_bus = the system D-Bus not running
cause_permission = no permission to use Bluetooth
cause_no_gpsd = gpsd not reachable
cause_no_fix = no GPS fix
cause_no_position_source = no position source (no gpsd, no track)
cause_other = not working
hint_no_adapter = Plug in a Bluetooth adapter (a USB dongle, say): `bluetoothctl list` must show it.
hint_powered_off = Power it on: `bluetoothctl power on` (if it is blocked: `rfkill unblock bluetooth`).
hint_no_bluez = Start BlueZ: `sudo systemctl start bluetooth` (`sudo systemctl enable bluetooth` keeps it on after a reboot).
hint_no_system_bus = Start the system D-Bus: `sudo systemctl start dbus`.
hint_permission = Let your user use Bluetooth: `sudo usermod -aG bluetooth $USER`, then log out and in again (the tagwatch service's user is in that group already).
hint_no_gpsd = Start gpsd with the receiver: `sudo systemctl start gpsd` (the receiver's device in /etc/default/gpsd), or give --gpsd HOST:PORT.
hint_no_fix = The GPS receiver has no fix: give it a view of the sky (`gpspipe -w` shows what it reports).
hint_no_position_source = Sightings get no position: connect a GPS receiver through gpsd, or give --track.
radio_whole = not checked: { $cause } for the whole { $duration }
radio_whole_mixed = not checked: the radio never listened in the whole { $duration } ({ $causes })
radio_part = not checked for { $down } of { $duration }: { $stretches }
radio_all = listened for the whole { $duration }
more = and { $n } more
positions_all = positions for the whole { $duration }
positions_part = positions for { $up } of { $duration }; none: { $stretches }
positions_none = no positions in the whole { $duration }: { $cause }
hint_bluetooth_all = Is bluetoothd running (`sudo systemctl start bluetooth`)? Is the adapter powered (`bluetoothctl power on`)? May your user use it (`sudo usermod -aG bluetooth $USER`, then log in again)?
