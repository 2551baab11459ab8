use super::*;
use crate::i18n::{Lang, Message};

const S: i64 = 1_000_000;
const MIN: i64 = 60 * S;

fn down(cause: Cause) -> Option<Outage> {
    Some(Outage {
        cause,
        detail: format!("{cause:?}"),
    })
}

fn radio(time_s: i64, state: Option<Outage>) -> Change {
    Change {
        channel: Channel::Radio,
        time_us: time_s * S,
        down: state,
    }
}

fn span(s: crate::coverage::Span) -> String {
    format!("{}-{}", s.first_us / S, s.last_us / S)
}

#[test]
fn the_texts_of_bluez_and_the_scanner_name_their_cause() {
    for (text, cause) in [
        ("no Bluetooth adapter", Cause::NoAdapter),
        ("no adapter hci1 (there is hci0)", Cause::NoAdapter),
        (
            "adapter went away: D-Bus error: Method \"GetAll\" ...",
            Cause::NoAdapter,
        ),
        ("adapter powered off", Cause::PoweredOff),
        (
            "cannot scan: Other error: org.bluez.Error.NotReady: Resource Not Ready",
            Cause::PoweredOff,
        ),
        (
            "cannot list adapters: DbusError(D-Bus error: The name org.bluez was not provided by \
             any .service files (org.freedesktop.DBus.Error.ServiceUnknown))",
            Cause::NoBluez,
        ),
        ("BlueZ stopped sending events", Cause::NoBluez),
        ("closed (HCI monitor)", Cause::PoweredOff),
        (
            "cannot reach BlueZ: DbusError(D-Bus error: Failed to connect to socket \
             /run/dbus/system_bus_socket: No such file or directory)",
            Cause::NoSystemBus,
        ),
        (
            "cannot list adapters: org.freedesktop.DBus.Error.AccessDenied: Rejected send message",
            Cause::Permission,
        ),
        ("cannot scan: org.bluez.Error.NotAuthorized", Cause::Permission),
        ("cannot start: out of threads", Cause::Other),
    ] {
        assert_eq!(Cause::of_radio(text), cause, "{text}");
    }
}

#[test]
fn a_state_gives_a_change_only_when_it_changes_and_reconnecting_none() {
    let mut s = State::default();
    let up = radio_state(&LinkState::Up).unwrap();
    assert_eq!(radio_state(&LinkState::Reconnecting), None);
    assert_eq!(
        s.set(Channel::Radio, 1, up.clone()),
        Some(radio(0, None)).map(|c| Change { time_us: 1, ..c })
    );
    assert_eq!(s.set(Channel::Radio, 2, up), None);
    let off = radio_state(&LinkState::Down(Message::as_is("adapter powered off"))).unwrap();
    let change = s.set(Channel::Radio, 3, off.clone()).unwrap();
    assert_eq!(change.down.unwrap().cause, Cause::PoweredOff);
    assert_eq!(s.set(Channel::Radio, 4, off), None);
}

#[test]
fn no_adapter_for_the_whole_session_is_not_checked_for_the_whole_time() {
    let l = Listening {
        changes: vec![radio(0, down(Cause::NoAdapter))],
        from_us: 0,
        to_us: 5 * MIN,
    };
    let r = l.radio();
    assert!(l.not_checked() && r.never_up());
    assert_eq!((r.up_us, r.down_us()), (0, 5 * MIN));
    assert_eq!(
        r.statement(Lang::En, &span),
        "not checked: no Bluetooth adapter for the whole 5 min"
    );
    assert_eq!(
        r.statement(Lang::Ja, &span),
        "未確認: 5 分のあいだずっとBluetooth アダプタなし"
    );
    assert_eq!(r.hints(Lang::En).len(), 1);
    assert!(r.hints(Lang::En)[0].contains("bluetoothctl list"));
}

#[test]
fn an_outage_in_the_middle_is_named_with_its_time_and_joined_across_repeats() {
    let changes = vec![
        radio(1, None),
        radio(60, down(Cause::NoAdapter)),
        // Another failed attempt with the same cause: one stretch.
        radio(90, down(Cause::NoAdapter)),
        radio(180, None),
        radio(240, down(Cause::PoweredOff)),
    ];
    let r = Summary::of(&changes, Channel::Radio, 0, 300 * S);
    assert_eq!(
        r.up_us,
        119 * S,
        "1-60 and 180-240; the first second was starting"
    );
    assert_eq!(
        r.down
            .iter()
            .map(|s| (s.first_us / S, s.last_us / S, s.outage.cause))
            .collect::<Vec<_>>(),
        [(60, 180, Cause::NoAdapter), (240, 300, Cause::PoweredOff)]
    );
    assert_eq!(
        r.statement(Lang::En, &span),
        "not checked for 3 min of 5 min: no Bluetooth adapter 60-180, the adapter powered off 240-300"
    );
    assert_eq!(r.hints(Lang::En).len(), 2);
    assert!(r.hints(Lang::En)[0].contains("USB"), "the longest cause first");
}

#[test]
fn a_radio_that_never_answered_is_not_listening_but_a_short_start_is_nothing() {
    let silent = Summary::of(&[], Channel::Radio, 0, 60 * S);
    assert_eq!((silent.up_us, silent.down_us()), (0, 60 * S));
    assert_eq!(silent.down[0].outage.cause, Cause::Other);
    let quick = Summary::of(&[radio(2, None)], Channel::Radio, 0, 60 * S);
    assert_eq!((quick.up_us, quick.down_us()), (58 * S, 0));
    assert_eq!(quick.statement(Lang::En, &span), "listened for the whole 60 s");
}

#[test]
fn positions_say_how_long_they_were_known_and_why_not() {
    let pos = |t: i64, state| Change {
        channel: Channel::Position,
        time_us: t * S,
        down: state,
    };
    let changes = [radio(0, None), pos(0, down(Cause::NoFix)), pos(120, None)];
    let p = Summary::of(&changes, Channel::Position, 0, 300 * S);
    assert_eq!(
        p.statement(Lang::En, &span),
        "positions for 3 min of 5 min; none: no GPS fix 0-120"
    );
    let none = Summary::of(
        &[pos(0, down(Cause::NoPositionSource))],
        Channel::Position,
        0,
        300 * S,
    );
    assert_eq!(
        none.statement(Lang::En, &span),
        "no positions in the whole 5 min: no position source (no gpsd, no track)"
    );
    assert!(none.hints(Lang::Ja)[0].contains("gpsd"));
    assert_eq!(
        no_position(
            Some(&LinkState::Down(
                crate::location::gpsd::GpsdError::Timeout {
                    addr: "localhost:2947".into(),
                    timeout: std::time::Duration::from_secs(5)
                }
                .message()
            )),
            false
        )
        .cause,
        Cause::NoFix
    );
    assert_eq!(
        no_position(
            Some(&LinkState::Down(Message::as_is("connection refused"))),
            false
        )
        .cause,
        Cause::NoGpsd
    );
    assert_eq!(no_position(None, true).cause, Cause::NoFix);
}

#[test]
fn changes_keep_as_json_and_read_back() {
    let c = radio(7, down(Cause::NoBluez));
    let json = serde_json::to_string(&c).unwrap();
    assert_eq!(
        json,
        r#"{"channel":"radio","time_us":7000000,"down":{"cause":"no_bluez","detail":"NoBluez"}}"#
    );
    assert_eq!(serde_json::from_str::<Change>(&json).unwrap(), c);
}
