//! `tagwatch list`: what the evidence database holds, for a person looking for an id.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use crate::evidence::ReportData;
use crate::i18n::Lang;

use super::{local_time, neutralise, product, verdict_text};

/// Writes the sessions (sweeps apart), trackers, notes and anchors. Every text that came from
/// the data is neutralised.
pub fn write(data: &ReportData, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    let (sweeps, others): (Vec<_>, Vec<_>) = data.sessions.iter().partition(|s| s.kind == "sweep");
    let heading = |key: &str, n: usize| lang.fill("list-heading", &[("what", &lang.t(key)), ("n", &n)]);
    for (title, list) in [("list-sessions", others), ("list-sweeps", sweeps)] {
        writeln!(out, "{}", heading(title, list.len()))?;
        for s in list {
            let end = s
                .ended_us
                .map_or(lang.t("list-never-closed").to_string(), local_time);
            let sources = s
                .sources
                .iter()
                .map(|s| neutralise(&s.path))
                .collect::<Vec<_>>()
                .join(", ");
            writeln!(
                out,
                "  {:>6}  {:<8} {}  {:<19}  {sources}",
                s.id,
                neutralise(&s.kind),
                local_time(s.started_us),
                end
            )?;
            // A live session says what it listened to: a sweep of a room never heard is no
            // all-clear.
            if let Some(l) = data.listening.iter().find(|l| l.session == s.id) {
                let radio = l.listening().radio();
                writeln!(
                    out,
                    "          {}",
                    radio.statement(crate::i18n::Lang::En, &super::local_span)
                )?;
            }
        }
    }
    let mut days: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for s in &data.sightings {
        let day = local_time(s.time_us)[..10].to_string();
        days.entry(s.tracker_id.as_str()).or_default().insert(day);
    }
    writeln!(out, "{}", heading("list-trackers", data.trackers.len()))?;
    for t in &data.trackers {
        let seen = days.get(t.id.as_str()).map_or(0, BTreeSet::len);
        writeln!(
            out,
            "  {}  {}  {}  {}",
            neutralise(&t.id),
            neutralise(&product(t, lang)),
            verdict_text(lang, t.own, t.following, &t.risk),
            lang.fill("list-days", &[("n", &seen)])
        )?;
    }
    writeln!(out, "{}", heading("list-notes", data.notes.len()))?;
    for n in &data.notes {
        writeln!(
            out,
            "  {}  {}",
            local_time(n.time_us),
            neutralise(&first_words(&n.text))
        )?;
    }
    writeln!(out, "{}", heading("list-anchors", data.anchors.len()))?;
    for a in &data.anchors {
        writeln!(out, "  {}  {}", local_time(a.time_us), neutralise(&a.code))?;
    }
    Ok(())
}

/// The first line, cut to about 60 characters at a word.
fn first_words(text: &str) -> String {
    const MAX: usize = 60;
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= MAX {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX).collect();
    let at = cut.rfind(' ').filter(|&i| i > MAX / 2).unwrap_or(cut.len());
    format!("{}…", &cut[..at])
}

/// The known ids nearest to `wanted` (a mistyped or cut id): those sharing its start, else
/// the closest by edit distance, at most three.
pub fn nearest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let known: Vec<&str> = known.into_iter().collect();
    let prefixed: Vec<&str> = known
        .iter()
        .copied()
        .filter(|k| !wanted.is_empty() && (k.starts_with(wanted) || wanted.starts_with(*k)))
        .take(3)
        .collect();
    if !prefixed.is_empty() {
        return prefixed;
    }
    let mut scored: Vec<(usize, &str)> = known.iter().map(|k| (edit_distance(wanted, k), *k)).collect();
    scored.sort();
    // Farther than a quarter of the id is another id, not a typo of it.
    let limit = wanted.chars().count() / 4 + 1;
    scored
        .into_iter()
        .filter(|(d, _)| *d <= limit)
        .take(3)
        .map(|(_, k)| k)
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_ids() {
        let ids = [
            "apple_airtag-3fcc373b",
            "apple_airtag-0e3e1bbb",
            "samsung_smarttag-17141fbc",
        ];
        assert_eq!(nearest("apple_airtag-3fcc", ids), ["apple_airtag-3fcc373b"]);
        assert_eq!(nearest("apple_airtag-3fcc373c", ids), ["apple_airtag-3fcc373b"]);
        assert!(nearest("nothing-like-it-at-all", ids).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn first_words_cut_at_a_word() {
        assert_eq!(first_words("found it\nunder the seat"), "found it");
        let long = "word ".repeat(30);
        assert!(first_words(&long).ends_with("word…"));
    }
}
