//! The live view: a table of the trackers around, an alert banner, a detail pane, the find
//! mode for one tracker, the sweep countdown, a map and a timeline of the selected tracker and
//! a status line saying what is checked. Drawing is a function of the [`App`] and a
//! [`Snapshot`], so tests draw it on a `TestBackend`.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Duration;

use chrono::FixedOffset;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::cursor;
use ratatui::crossterm::event::{
    self, DisableFocusChange, EnableFocusChange, Event as TermEvent, KeyCode, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Row, Sparkline, Table, TableState, Wrap};
use ratatui::{Frame, Terminal};
use unicode_width::UnicodeWidthStr;

use super::desktop::{Desktop, Focus};
use super::panes::{self, Look};
use super::{Feed, Listener, Session, Snapshot, TrackerView};
use crate::correlate::{Tracker, append_id};
use crate::i18n::{Arg, Lang, Localised};
use crate::interact::InteractError;
use crate::interact::act::{self, Action, Report, Target};
use crate::present::neutralise;
use crate::present::table::tracker_text;
use crate::present::{owner_text, verdict_text};

/// Signal strengths the meter spans, in dBm: far away to on top of it.
const METER_DBM: (f64, f64) = (-100.0, -30.0);
/// From this size on, the table, map and timeline are shown together; smaller terminals show
/// one of them at a time (Tab).
const SPLIT: (u16, u16) = (120, 36);
/// Columns the table takes beside the map: its columns, their spacing and the selection mark.
const TABLE_COLS: u16 = 93;
const TIMELINE_ROWS: u16 = 14;
/// How long a message about the last action stays in the footer (session time).
const STATUS_US: i64 = 8_000_000;
/// Zoom steps from the fitted map (each halves or doubles the metres per column).
const ZOOM: (i32, i32) = (-6, 16);
/// Values averaged on each side when telling warmer from colder.
const TREND_WINDOW: usize = 5;
/// A change of the average by this many dB is a trend, less is noise.
const TREND_DB: f64 = 2.0;

/// What the view is for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Purpose {
    /// Watching over time: most worrying first.
    Scan,
    /// Checking a car or a room for `duration_us`: strongest first, counting down.
    Sweep { duration_us: i64 },
}

/// The pane that Tab moves to (and, in a small terminal, the one shown).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pane {
    Table,
    Map,
    Timeline,
}

impl Pane {
    fn next(self) -> Pane {
        match self {
            Pane::Table => Pane::Map,
            Pane::Map => Pane::Timeline,
            Pane::Timeline => Pane::Table,
        }
    }
}

/// A line being typed at the bottom, or a question waiting for y/n.
#[derive(Clone, Debug, PartialEq)]
enum Input {
    Filter(String),
    Note(String),
    /// `m`: mark this tracker (id, as shown) as the user's own?
    ConfirmMine(String, String),
}

/// Rings or identifies a tracker for the view: Bluetooth, so only in a live scan.
pub type Interactor = Arc<dyn Fn(Action, Target) -> Result<Report, InteractError> + Send + Sync>;

/// A ring or identify under way on its own thread (connecting takes seconds; the view goes on).
struct Pending {
    action: Action,
    target: Target,
    result: Receiver<Result<Report, InteractError>>,
}

/// The view's state beyond the session: selection, open panes, typed input.
pub struct App {
    purpose: Purpose,
    /// Where the advertisements come from, for the title.
    source: String,
    /// What listens, for the status line.
    listener: Listener,
    /// The language of the map, timeline and status line.
    lang: Lang,
    pane: Pane,
    zoom: i32,
    /// The selected tracker's id (a selection follows its tracker as the order changes).
    selected: Option<String>,
    detail: bool,
    find: bool,
    help: bool,
    filter: String,
    input: Option<Input>,
    /// A message about the last action and when it was given (session time): it goes after
    /// [`STATUS_US`], so the keys come back.
    status: Option<(String, i64)>,
    /// Session time as last seen, to date the status.
    now_us: i64,
    quit: bool,
    tz: FixedOffset,
    /// Where `m` adds the tracker (None: only for this session).
    allow_file: Option<PathBuf>,
    /// Where `r` writes reports, one folder per tracker.
    report_dir: PathBuf,
    interactor: Option<Interactor>,
    pending: Option<Pending>,
    /// Alerts also go to the desktop when the view is not in front (None: they do not).
    desktop: Option<Desktop>,
    focus: Focus,
}

impl App {
    pub fn new(
        purpose: Purpose,
        source: String,
        listener: Listener,
        lang: Lang,
        tz: FixedOffset,
        allow_file: Option<PathBuf>,
        report_dir: PathBuf,
    ) -> Self {
        App {
            purpose,
            source,
            listener,
            lang,
            pane: Pane::Table,
            zoom: 0,
            selected: None,
            detail: false,
            find: false,
            help: false,
            filter: String::new(),
            input: None,
            status: None,
            now_us: 0,
            quit: false,
            tz,
            allow_file,
            report_dir,
            interactor: None,
            pending: None,
            desktop: None,
            focus: Focus::Unknown,
        }
    }

    /// Sends alerts to the desktop too while the view is not in front.
    pub fn with_desktop(mut self, desktop: Desktop) -> Self {
        self.desktop = Some(desktop);
        self
    }

    /// The terminal said it gained or lost the focus.
    pub fn focus(&mut self, focus: Focus) {
        self.focus = focus;
    }

    /// New alerts: to the desktop, if the view is not in front.
    pub fn alerts(&mut self, events: &[super::Event]) {
        if let Some(d) = self.desktop.as_mut() {
            for e in events {
                d.alert(&e.line(self.lang), self.focus);
            }
        }
    }

    /// Lets `s` and `i` ring and identify the selected tracker.
    pub fn with_interactor(mut self, interactor: Interactor) -> Self {
        self.interactor = Some(interactor);
        self
    }

    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// The trackers shown, in the order shown.
    fn rows<'s>(&self, snap: &'s Snapshot) -> Vec<&'s TrackerView> {
        let needle = self.filter.to_lowercase();
        let mut rows: Vec<&TrackerView> = snap
            .trackers
            .iter()
            .filter(|v| needle.is_empty() || label(&v.tracker, self.lang).to_lowercase().contains(&needle))
            .collect();
        if let Purpose::Sweep { .. } = self.purpose {
            rows.sort_by(|a, b| signal(b).total_cmp(&signal(a)));
        }
        rows
    }

    fn selected<'s>(&self, rows: &[&'s TrackerView]) -> Option<(usize, &'s TrackerView)> {
        let at = self
            .selected
            .as_ref()
            .and_then(|id| rows.iter().position(|v| &v.tracker.id == id))
            .unwrap_or(0);
        rows.get(at).map(|v| (at, *v))
    }

    /// Handles one key; `m` (once confirmed), `n` and `r` act on the session.
    pub fn key(&mut self, code: KeyCode, session: &mut Session<'_>, snap: &Snapshot) {
        self.now_us = snap.now_us;
        match self.input.take() {
            Some(Input::ConfirmMine(id, _)) => {
                let said = match code {
                    KeyCode::Char('y' | 'Y') => self.mine(&id, session),
                    _ => self.lang.fill("live-not-marked", &[("id", &id)]),
                };
                self.say(said);
                return;
            }
            Some(input) => {
                self.typing(input, code, session, snap);
                return;
            }
            None => {}
        }
        let rows = self.rows(snap);
        let current = self.selected(&rows);
        match code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('?') => self.help = !self.help,
            // Esc closes what is open; with nothing open, it clears an applied filter.
            KeyCode::Esc if !(self.help || self.find || self.detail) => self.filter.clear(),
            KeyCode::Esc => (self.help, self.find, self.detail) = (false, false, false),
            KeyCode::Up | KeyCode::Char('k') | KeyCode::Down | KeyCode::Char('j') => {
                let at = current.map_or(0, |(at, _)| at);
                let to = match code {
                    KeyCode::Up | KeyCode::Char('k') => at.saturating_sub(1),
                    _ => (at + 1).min(rows.len().saturating_sub(1)),
                };
                self.selected = rows.get(to).map(|v| v.tracker.id.clone());
            }
            KeyCode::Enter => self.detail = !self.detail,
            KeyCode::Tab => self.pane = self.pane.next(),
            KeyCode::Char('+' | '=') => self.zoom = (self.zoom + 1).min(ZOOM.1),
            KeyCode::Char('-') => self.zoom = (self.zoom - 1).max(ZOOM.0),
            KeyCode::Char('0') => self.zoom = 0,
            KeyCode::Char('f') => self.find = !self.find && current.is_some(),
            KeyCode::Char('/') => self.input = Some(Input::Filter(self.filter.clone())),
            KeyCode::Char('n') => self.input = Some(Input::Note(String::new())),
            KeyCode::Char('m') => match current.map(|(_, v)| &v.tracker) {
                Some(t) if t.own.is_some() => {
                    let said = self.lang.fill("live-marked-already", &[("id", &t.id)]);
                    self.say(said);
                }
                Some(t) => {
                    self.input = Some(Input::ConfirmMine(
                        t.id.clone(),
                        neutralise(&tracker_text(t, self.lang)),
                    ));
                }
                None => {}
            },
            KeyCode::Char(c @ ('s' | 'i')) => {
                if let Some((_, v)) = current {
                    let action = if c == 's' { Action::Ring } else { Action::Identify };
                    let said = self.interact(action, v);
                    self.say(said);
                }
            }
            KeyCode::Char('r') => {
                if let Some((_, v)) = current {
                    let dir = self.report_dir.join(&v.tracker.id);
                    let now = chrono::Utc::now().timestamp_micros();
                    let said = match session.export_report(&v.tracker.id, &dir, now) {
                        Ok(_) => self
                            .lang
                            .fill("live-report-written", &[("dir", &dir.display().to_string())]),
                        Err(e) => self
                            .lang
                            .fill("live-report-failed", &[("error", &neutralise(&e))]),
                    };
                    self.say(said);
                }
            }
            _ => {}
        }
        if self.selected.is_none() {
            self.selected = current.map(|(_, v)| v.tracker.id.clone());
        }
    }

    /// Starts ringing or identifying `v` on a thread; [`App::poll`] takes the result.
    fn interact(&mut self, action: Action, v: &TrackerView) -> String {
        if let Some(p) = &self.pending {
            return self.lang.fill("live-busy", &[("action", &p.action.verb())]);
        }
        let Some(interactor) = self.interactor.clone() else {
            return self
                .lang
                .fill("live-needs-adapter", &[("action", &action.verb())]);
        };
        let target = Target {
            address: v.address,
            family: Some(v.tracker.family.to_string()),
            tracker_id: Some(v.tracker.id.clone()),
        };
        let (tx, result) = channel();
        let asked = target.clone();
        let spawned = std::thread::Builder::new()
            .name("tagwatch-interact".into())
            .spawn(move || {
                let _ = tx.send(interactor(action, asked));
            });
        if let Err(e) = spawned {
            return self.lang.fill(
                "live-start-failed",
                &[("action", &action.verb()), ("error", &e.to_string())],
            );
        }
        self.pending = Some(Pending {
            action,
            target,
            result,
        });
        let address = v.address.to_string();
        self.lang.fill(
            "live-starting",
            &[("action", &action.verb()), ("address", &address)],
        )
    }

    /// Takes the result of a ring or identify when it has come, keeps it in the evidence as a
    /// note and says it in the status line.
    pub fn poll(&mut self, session: &mut Session<'_>) {
        self.now_us = session.now_us();
        // Notifications that cannot be shown turn off, said once in the status line.
        if let Some(why) = self.desktop.as_mut().and_then(Desktop::poll) {
            self.say(neutralise(&self.lang.fill("desktop_off", &[("why", &why)])));
        }
        let Some(p) = &self.pending else {
            return;
        };
        let result = match p.result.try_recv() {
            Err(TryRecvError::Empty) => return,
            Ok(r) => r,
            Err(TryRecvError::Disconnected) => Err(InteractError::Protocol("the attempt ended".into())),
        };
        let (said, note) = match result {
            Err(e) => (
                format!("{}: {}", p.action.verb(), e.text(self.lang)),
                act::refusal_note(p.action, &p.target, &e),
            ),
            Ok(report) => (report.summary(self.lang), Some(report.note_text())),
        };
        self.pending = None;
        let kept = note.map(
            |n| match session.note(&n, chrono::Utc::now().timestamp_micros()) {
                Ok(()) => self.lang.t("live-kept").to_string(),
                Err(e) => self.lang.fill("live-not-kept", &[("error", &e.to_string())]),
            },
        );
        self.say(neutralise(&format!("{said}{}", kept.unwrap_or_default())));
    }

    fn typing(&mut self, input: Input, code: KeyCode, session: &mut Session<'_>, snap: &Snapshot) {
        let (mut text, is_note) = match input {
            Input::Filter(t) => (t, false),
            Input::Note(t) => (t, true),
            Input::ConfirmMine(..) => unreachable!("answered in App::key"),
        };
        match code {
            KeyCode::Esc if !is_note => self.filter.clear(),
            KeyCode::Esc => {}
            KeyCode::Enter if !is_note => self.filter = text,
            KeyCode::Enter => {
                let rows = self.rows(snap);
                let about = self.selected(&rows).map(|(_, v)| v.tracker.id.clone());
                let note = match about {
                    Some(id) => format!("{id}: {text}"),
                    None => text,
                };
                let now = chrono::Utc::now().timestamp_micros();
                let said = match session.note(&note, now) {
                    Ok(()) => self.lang.t("live-note-stored").to_string(),
                    Err(e) => self.lang.fill("live-note-failed", &[("error", &neutralise(&e))]),
                };
                self.say(said);
            }
            code => {
                match code {
                    KeyCode::Backspace => {
                        text.pop();
                    }
                    KeyCode::Char(c) if !c.is_control() => text.push(c),
                    _ => {}
                }
                self.input = Some(if is_note {
                    Input::Note(text)
                } else {
                    Input::Filter(text)
                });
            }
        }
    }

    /// `m`, confirmed: no more alarms for this tracker (the evidence keeps its verdict and
    /// the mark), and the allow list remembers it.
    fn mine(&mut self, id: &str, session: &mut Session<'_>) -> String {
        let now = chrono::Utc::now().timestamp_micros();
        let lang = self.lang;
        let kept = match session.mark_own(id, now) {
            Ok(true) => String::new(),
            Ok(false) => return lang.fill("live-marked-already", &[("id", &id)]),
            Err(e) => lang.fill("live-mine-not-kept", &[("error", &neutralise(&e))]),
        };
        let Some(path) = &self.allow_file else {
            return lang.fill("live-mine-session", &[("id", &id), ("kept", &kept)]);
        };
        let file = path.display().to_string();
        let values: [(&str, &dyn Arg); 3] = [("id", &id), ("file", &file), ("kept", &kept)];
        match append_id(path, id) {
            Ok(true) => lang.fill("live-mine-added", &values),
            Ok(false) => lang.fill("live-mine-listed", &values),
            Err(e) => {
                let error = e.to_string();
                lang.fill(
                    "live-mine-file-error",
                    &[values[0], values[1], values[2], ("error", &error)],
                )
            }
        }
    }

    /// Shows `text` in the footer for [`STATUS_US`].
    fn say(&mut self, text: String) {
        self.status = Some((text, self.now_us));
    }

    /// Time left of a sweep (None in a scan, or before anything was heard).
    pub fn sweep_left_us(&self, snap: &Snapshot) -> Option<i64> {
        let Purpose::Sweep { duration_us } = self.purpose else {
            return None;
        };
        snap.started_us.map(|s| (duration_us - (snap.now_us - s)).max(0))
    }

    pub fn draw(&self, frame: &mut Frame<'_>, snap: &Snapshot) {
        let rows = self.rows(snap);
        let selected = self.selected(&rows);
        let banner = banner(snap);
        let area = frame.area();
        let status = panes::wrap(
            &panes::status(self.lang, &self.listener, snap),
            usize::from(area.width),
        );
        let [title, banner_area, body, status_area, footer] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(if banner.is_some() { 3 } else { 0 }),
            Constraint::Min(5),
            Constraint::Length(status.len().min(3) as u16),
            Constraint::Length(1),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(self.title(snap, rows.len(), area.width)), title);
        if let Some(b) = banner {
            self.draw_banner(frame, banner_area, b);
        }
        let look = |focused| Look {
            lang: self.lang,
            tz: self.tz,
            snap,
            tracker: selected.map(|(_, v)| v),
            focused,
        };
        if area.width >= SPLIT.0 && area.height >= SPLIT.1 {
            let [upper, lower] =
                Layout::vertical([Constraint::Min(8), Constraint::Length(TIMELINE_ROWS)]).areas(body);
            let [left, right] =
                Layout::horizontal([Constraint::Length(TABLE_COLS), Constraint::Min(20)]).areas(upper);
            self.draw_main(frame, left, snap, &rows, self.pane == Pane::Table);
            panes::map(&look(self.pane == Pane::Map), frame, right, self.zoom);
            panes::timeline(&look(self.pane == Pane::Timeline), frame, lower);
        } else {
            match self.pane {
                Pane::Table => self.draw_main(frame, body, snap, &rows, false),
                Pane::Map => panes::map(&look(false), frame, body, self.zoom),
                Pane::Timeline => panes::timeline(&look(false), frame, body),
            }
        }
        let status: Vec<Line> = status.into_iter().map(Line::from).collect();
        frame.render_widget(Paragraph::new(status), status_area);
        frame.render_widget(Paragraph::new(self.footer(area.width)), footer);
        if self.help {
            draw_help(frame, self.lang);
        }
    }

    /// The table (or the find mode) and the detail pane under it.
    fn draw_main(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        snap: &Snapshot,
        rows: &[&TrackerView],
        focused: bool,
    ) {
        let selected = self.selected(rows);
        let [main, detail] = Layout::vertical([
            Constraint::Min(5),
            Constraint::Length(if self.detail { 12 } else { 0 }),
        ])
        .areas(area);
        match selected {
            Some((_, v)) if self.find => self.draw_find(frame, main, v, snap.now_us),
            _ => self.draw_table(frame, main, rows, selected.map(|(at, _)| at), focused),
        }
        if let (true, Some((_, v))) = (self.detail, selected) {
            self.draw_detail(frame, detail, v);
        }
    }

    fn title(&self, snap: &Snapshot, shown: usize, width: u16) -> Line<'static> {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let lang = self.lang;
        let what = match self.sweep_left_us(snap) {
            Some(left) => lang.fill("live-sweep-left", &[("left", &countdown(left))]),
            None if matches!(self.purpose, Purpose::Sweep { .. }) => lang.t("live-sweep-waiting").to_string(),
            None => lang.t("live-live").to_string(),
        };
        let clock = snap
            .started_us
            .map_or("--:--:--".to_string(), |_| self.clock(snap.now_us));
        let first = format!("tagwatch {what}");
        let mut parts = vec![
            self.source.clone(),
            clock,
            lang.fill("live-trackers", &[("n", &shown)]),
            lang.fill("live-others", &[("n", &snap.bystanders)]),
        ];
        if !self.filter.is_empty() {
            parts.push(lang.fill("live-filter", &[("filter", &neutralise(&self.filter))]));
        }
        parts.push(lang.t("live-help-hint").to_string());
        let room = usize::from(width).saturating_sub(panes::width(&first) + 3);
        Line::from(vec![
            Span::styled(first, bold),
            Span::raw(format!(" · {}", panes::fit(&parts, room))),
        ])
    }

    fn draw_banner(&self, frame: &mut Frame<'_>, area: Rect, t: &Tracker) {
        let style = Style::new()
            .fg(Color::White)
            .bg(Color::Red)
            .add_modifier(Modifier::BOLD);
        let lang = self.lang;
        let since = t.alert_at_us.map_or(String::new(), |at| {
            lang.fill("live-banner-since", &[("time", &self.clock(at))])
        });
        let text = lang.fill(
            "live-banner",
            &[
                ("tracker", &neutralise(&tracker_text(t, self.lang))),
                ("since", &since),
                ("places", &t.places.len()),
                ("distance", &distance(t)),
            ],
        );
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(style)
            .style(style);
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }).block(block), area);
    }

    fn draw_table(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        rows: &[&TrackerView],
        selected: Option<usize>,
        focused: bool,
    ) {
        const HEADERS: [&str; 9] = [
            "live-col-tracker",
            "live-col-owner",
            "live-col-signal",
            "live-col-dbm",
            "live-col-first",
            "live-col-last",
            "live-col-places",
            "live-col-distance",
            "live-col-verdict",
        ];
        let headers = HEADERS.map(|h| self.lang.t(h));
        let cells: Vec<[Span<'static>; 9]> = rows
            .iter()
            .map(|v| {
                let t = &v.tracker;
                let (verdict, style) = verdict(t, self.lang);
                [
                    Span::raw(neutralise(&tracker_text(t, self.lang))),
                    Span::raw(owner_text(self.lang, t.owner_state)),
                    Span::raw(sparkline(&v.rssi)),
                    Span::raw(v.smoothed.map_or("-".to_string(), |s| format!("{s:.0}"))),
                    Span::raw(self.clock(t.first_seen_us)),
                    Span::raw(self.clock(t.last_seen_us)),
                    Span::raw(t.places.len().to_string()),
                    Span::raw(distance(t)),
                    Span::styled(verdict, style),
                ]
            })
            .collect();
        // Each column as wide as its widest cell, so no name or time is cut; a narrow terminal
        // gives up whole columns instead, the least telling first.
        let mut widths: Vec<u16> = headers.iter().map(|h| h.width() as u16).collect();
        for row in &cells {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.width() as u16);
            }
        }
        let mut shown = [true; 9];
        let needed = |shown: &[bool; 9]| -> u16 {
            let n = shown.iter().filter(|&&s| s).count() as u16;
            widths
                .iter()
                .zip(shown)
                .filter(|(_, s)| **s)
                .map(|(w, _)| w)
                .sum::<u16>()
                + n
                + 2
        };
        for drop in [2, 1, 7, 4, 6, 3] {
            if needed(&shown) <= area.width {
                break;
            }
            shown[drop] = false;
        }
        let keep = |row: [Span<'static>; 9]| -> Vec<Span<'static>> {
            row.into_iter()
                .zip(shown)
                .filter(|(_, s)| *s)
                .map(|(c, _)| c)
                .collect()
        };
        let header = Row::new(keep(headers.map(Span::raw))).style(Style::new().add_modifier(Modifier::BOLD));
        let body = cells.into_iter().map(|row| Row::new(keep(row)));
        let widths: Vec<Constraint> = widths
            .iter()
            .zip(shown)
            .filter(|(_, s)| *s)
            .map(|(&w, _)| Constraint::Length(w))
            .collect();
        let table = Table::new(body, widths)
            .header(header)
            .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .highlight_symbol("> ")
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .border_style(panes::focus(focused)),
            );
        let mut state = TableState::new().with_selected(selected);
        frame.render_stateful_widget(table, area, &mut state);
    }

    fn draw_detail(&self, frame: &mut Frame<'_>, area: Rect, v: &TrackerView) {
        let t = &v.tracker;
        let lang = self.lang;
        let battery = t
            .battery
            .map_or(lang.t("live-battery-unknown").to_string(), neutralise);
        let mut lines = vec![
            Line::from(lang.fill(
                "live-detail-head",
                &[
                    ("id", &t.id),
                    ("tracker", &neutralise(&tracker_text(t, self.lang))),
                    ("owner", &owner_text(lang, t.owner_state)),
                    ("battery", &battery),
                ],
            )),
            Line::from(lang.fill(
                "live-detail-address",
                &[
                    ("address", &neutralise(&v.address.to_string())),
                    ("used", &t.addresses.len()),
                    ("sightings", &t.sightings),
                    ("first", &self.clock(t.first_seen_us)),
                    ("last", &self.clock(t.last_seen_us)),
                ],
            )),
        ];
        lines.extend(
            t.reasons
                .iter()
                .map(|r| Line::from(format!("• {}", neutralise(&r.text(self.lang))))),
        );
        lines.push(Line::from(
            lang.fill("live-detail-raw", &[("hex", &neutralise(&v.raw_hex))]),
        ));
        let block = Block::new()
            .borders(Borders::TOP)
            .title(lang.t("live-detail-title"));
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(block),
            area,
        );
    }

    fn draw_find(&self, frame: &mut Frame<'_>, area: Rect, v: &TrackerView, now_us: i64) {
        let t = &v.tracker;
        let lang = self.lang;
        let block = Block::new().borders(Borders::ALL).title(lang.fill(
            "live-find-title",
            &[
                ("tracker", &neutralise(&tracker_text(t, self.lang))),
                ("id", &t.id),
            ],
        ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [meter, trend_area, spark, _] = Layout::vertical([
            Constraint::Length(5),
            Constraint::Length(2),
            Constraint::Length(6),
            Constraint::Min(0),
        ])
        .areas(inner);
        let (low, high) = METER_DBM;
        let ratio = v
            .smoothed
            .map_or(0.0, |s| ((s - low) / (high - low)).clamp(0.0, 1.0));
        let label = v
            .smoothed
            .map_or(lang.t("live-no-signal").to_string(), |s| format!("{s:.0} dBm"));
        frame.render_widget(
            Gauge::default()
                .gauge_style(Style::new().fg(Color::Green))
                .ratio(ratio)
                .label(label),
            meter,
        );
        let age = (now_us - t.last_seen_us).max(0);
        let text = lang.fill(
            "live-last-heard",
            &[("trend", &trend(&v.rssi)), ("age", &countdown(age))],
        );
        frame.render_widget(
            Paragraph::new(text).style(Style::new().add_modifier(Modifier::BOLD)),
            trend_area,
        );
        let data: Vec<u64> = v
            .rssi
            .iter()
            .map(|&r| (f64::from(r) - low).max(0.0) as u64)
            .collect();
        let max = (high - low) as u64;
        frame.render_widget(Sparkline::default().data(&data).max(max), spark);
    }

    fn footer(&self, width: u16) -> Line<'static> {
        let lang = self.lang;
        match &self.input {
            Some(Input::Filter(t)) => Line::from(lang.fill("live-input-filter", &[("text", &neutralise(t))])),
            Some(Input::Note(t)) => Line::from(lang.fill("live-input-note", &[("text", &neutralise(t))])),
            Some(Input::ConfirmMine(id, what)) => Line::styled(
                lang.fill("live-confirm-mine", &[("tracker", what), ("id", id)]),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            None => match &self.status {
                Some((said, at)) if self.now_us - at < STATUS_US => Line::from(said.clone()),
                _ => self.keys(width),
            },
        }
    }

    /// The keys that matter most, as many as fit.
    fn keys(&self, width: u16) -> Line<'static> {
        let keys = [
            "live-key-select",
            "live-key-details",
            "live-key-pane",
            "live-key-find",
            "live-key-mine",
            "live-key-note",
            "live-key-report",
            "live-key-filter",
            "live-key-help",
            "live-key-quit",
        ];
        let keys: Vec<String> = keys.map(|k| self.lang.t(k).to_string()).into();
        Line::from(panes::fit(&keys, usize::from(width)))
    }

    fn clock(&self, time_us: i64) -> String {
        panes::clock(self.tz, time_us)
    }
}

const HELP: &[(&str, &str)] = &[
    ("↑ ↓ j k", "live-help-select"),
    ("Enter", "live-help-details"),
    ("Tab", "live-help-pane"),
    ("+ - 0", "live-help-zoom"),
    ("f", "live-help-find"),
    ("m", "live-help-mine"),
    ("n", "live-help-note"),
    ("r", "live-help-report"),
    ("s", "live-help-ring"),
    ("i", "live-help-identify"),
    ("/", "live-help-filter"),
    ("Esc", "live-help-esc"),
    ("?", "live-help-this"),
    ("q", "live-help-quit"),
];

fn draw_help(frame: &mut Frame<'_>, lang: Lang) {
    let area = frame.area();
    let width = area.width.min(70);
    let height = area.height.min(HELP.len() as u16 + 2);
    let popup = Rect::new(
        (area.width - width) / 2,
        (area.height - height) / 2,
        width,
        height,
    );
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| Line::from(format!("{k:>8}  {}", lang.t(what))))
        .collect();
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(Text::from(lines)).block(
            Block::new()
                .borders(Borders::ALL)
                .title(lang.t("live-help-title")),
        ),
        popup,
    );
}

/// The tracker the banner warns about: the latest alert whose tracker still follows and was
/// not marked as mine since.
fn banner(snap: &Snapshot) -> Option<&Tracker> {
    snap.events.iter().rev().find_map(|e| {
        let id = &e.tracker().id;
        snap.trackers
            .iter()
            .map(|v| &v.tracker)
            .find(|t| &t.id == id && t.alarms())
    })
}

fn label(t: &Tracker, lang: Lang) -> String {
    format!("{} {}", tracker_text(t, lang), t.id)
}

fn signal(v: &TrackerView) -> f64 {
    v.smoothed.unwrap_or(f64::NEG_INFINITY)
}

/// The verdict in the table's words, coloured for the view.
fn verdict(t: &Tracker, lang: Lang) -> (String, Style) {
    let style = if t.own.is_some() {
        Style::new().fg(Color::Green)
    } else if t.following() {
        Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    (
        verdict_text(lang, t.own.is_some(), t.following(), t.risk.as_str()),
        style,
    )
}

fn distance(t: &Tracker) -> String {
    match t.located_sightings {
        0 => "-".to_string(),
        _ => crate::i18n::distance(t.places.max_distance_m()),
    }
}

/// The last RSSI values as block characters, 12 at most.
fn sparkline(rssi: &[i8]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (low, high) = METER_DBM;
    rssi[rssi.len().saturating_sub(12)..]
        .iter()
        .map(|&r| {
            let x = ((f64::from(r) - low) / (high - low)).clamp(0.0, 1.0);
            BARS[(x * 7.0).round() as usize]
        })
        .collect()
}

/// Warmer when the latest values are stronger than the ones before them.
fn trend(rssi: &[i8]) -> &'static str {
    if rssi.len() < 2 * TREND_WINDOW {
        return "· listening";
    }
    let mean = |s: &[i8]| s.iter().map(|&r| f64::from(r)).sum::<f64>() / s.len() as f64;
    let (before, now) = rssi[rssi.len() - 2 * TREND_WINDOW..].split_at(TREND_WINDOW);
    match mean(now) - mean(before) {
        d if d >= TREND_DB => "▲ warmer",
        d if d <= -TREND_DB => "▼ colder",
        _ => "= steady",
    }
}

/// "1:05" (minutes:seconds) or "1:02:05".
fn countdown(us: i64) -> String {
    let s = us.max(0) / 1_000_000;
    match s / 3600 {
        0 => format!("{}:{:02}", s / 60, s % 60),
        h => format!("{h}:{:02}:{:02}", s % 3600 / 60, s % 60),
    }
}

/// The end of a sweep for standard output: a heading with the count, then every tracker
/// heard, strongest first, in aligned columns (widths in terminal columns). Nothing when no
/// tracker was heard: "0 trackers" would read as an all-clear, so what was heard leads then.
pub fn sweep_table(snap: &Snapshot, lang: Lang) -> String {
    if snap.trackers.is_empty() {
        return String::new();
    }
    let mut rows: Vec<&TrackerView> = snap.trackers.iter().collect();
    rows.sort_by(|a, b| signal(b).total_cmp(&signal(a)));
    let mut table: Vec<[String; 6]> = vec![[
        lang.t("sweep-col-signal").to_string(),
        lang.t("col-id").to_string(),
        lang.t("col-tracker").to_string(),
        lang.t("col-owner").to_string(),
        lang.t("col-verdict").to_string(),
        lang.t("sweep-col-raw").to_string(),
    ]];
    table.extend(rows.iter().map(|v| {
        let t = &v.tracker;
        [
            v.smoothed.map_or("-".to_string(), |s| format!("{s:.0} dBm")),
            t.id.clone(),
            neutralise(&tracker_text(t, lang)),
            owner_text(lang, t.owner_state).to_string(),
            verdict(t, lang).0,
            neutralise(&v.raw_hex),
        ]
    }));
    let mut widths = [0; 6];
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = lang.fill("sweep-heading", &[("n", &rows.len())]) + "\n";
    for row in &table {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(widths) {
            line.push_str(cell);
            line.push_str(&" ".repeat(w - cell.width() + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Runs the view in the terminal until `q` (or the end of a sweep), feeding the session.
/// It draws on standard error, so standard output can take the result.
pub fn run(app: &mut App, session: &mut Session<'_>, feed: &mut dyn Feed) -> io::Result<()> {
    let mut terminal = open_terminal()?;
    let result = (|| loop {
        let alerts = feed.pump(session, Duration::from_millis(50));
        app.alerts(&alerts);
        app.poll(session);
        app.source = feed.describe(app.lang);
        app.listener = feed.listener();
        let snap = session.snapshot();
        // A sweep ends by itself: at its time, or when the replayed capture ends.
        let sweep_over = app
            .sweep_left_us(&snap)
            .is_some_and(|left| left == 0 || feed.finished());
        terminal.draw(|f| app.draw(f, &snap))?;
        if app.quit || sweep_over {
            return Ok(());
        }
        let wait = feed
            .next_due()
            .clamp(Duration::from_millis(10), Duration::from_millis(100));
        if event::poll(wait)? {
            match event::read()? {
                TermEvent::Key(k) if k.kind == KeyEventKind::Press => app.key(k.code, session, &snap),
                TermEvent::FocusGained => app.focus(Focus::Focused),
                TermEvent::FocusLost => app.focus(Focus::Unfocused),
                _ => {}
            }
        }
    })();
    restore_terminal();
    result
}

fn open_terminal() -> io::Result<Terminal<CrosstermBackend<io::Stderr>>> {
    terminal::enable_raw_mode()?;
    // Terminals that can say whether they are in front do so from now on (for the desktop
    // notifications); the others ignore the request.
    execute!(io::stderr(), EnterAlternateScreen, EnableFocusChange)?;
    // A panic must not leave the terminal in raw mode with its message unreadable.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        hook(info);
    }));
    Terminal::new(CrosstermBackend::new(io::stderr()))
}

fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        io::stderr(),
        DisableFocusChange,
        LeaveAlternateScreen,
        cursor::Show
    );
}
