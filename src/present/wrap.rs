//! Breaking a line of Japanese and English text to a terminal's width: East Asian wide
//! characters count two columns; a line may break at a space or next to a wide character,
//! but never inside an ASCII word, before closing punctuation (。、）」) or after an opening
//! bracket (（「) (the line-start and line-end rules of Japanese typesetting, JIS X 4051).
//! ANSI style sequences take no columns and never make a break.

use unicode_width::UnicodeWidthChar;

/// What may not start a line: closing brackets, stops, small kana, the prolonged sound mark.
const NO_START: &str =
    "、。，．・：；？！ー）」』】〕〉》］｝〙〗ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ),.:;!?]}";
/// What may not end a line: opening brackets.
const NO_END: &str = "（「『【〔〈《［｛〘〖([{";

/// A piece of a line that is never broken, and the spaces before it.
struct Piece {
    spaces: String,
    text: String,
    width: usize,
    /// The last character that takes columns, to decide whether the next may break from it.
    last: Option<char>,
}

/// `line` in lines of at most `width` columns where it can be broken, the lines after the
/// first starting with `indent` (counted in the width). A piece longer than a line (a long
/// path, a URL) overflows rather than being cut. Trailing spaces are dropped.
pub fn wrap(line: &str, width: usize, indent: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut used = 0;
    // A line begun for what did not fit, with nothing after its indent yet: it takes the
    // next piece whatever its width, without the spaces before it.
    let mut fresh = false;
    let indent_width = columns(indent);
    for (i, piece) in pieces(line).into_iter().enumerate() {
        if i > 0 && piece.text.is_empty() {
            continue;
        }
        if i > 0 && !fresh && used + piece.spaces.len() + piece.width > width {
            lines.push(indent.to_string());
            (used, fresh) = (indent_width, true);
        }
        let current = lines.last_mut().expect("one line at least");
        if !fresh {
            current.push_str(&piece.spaces);
            used += piece.spaces.len();
        }
        current.push_str(&piece.text);
        used += piece.width;
        fresh = false;
    }
    lines
        .iter_mut()
        .for_each(|l| l.truncate(l.trim_end_matches(' ').len()));
    lines
}

/// Terminal columns `text` takes, ANSI style sequences left out.
pub fn columns(text: &str) -> usize {
    pieces(text).iter().map(|p| p.spaces.len() + p.width).sum()
}

/// `line` cut where it may break.
fn pieces(line: &str) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut spaces = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            spaces.push(c);
            continue;
        }
        // An escape sequence (ESC [ ... final byte) goes with what it styles.
        let (text, columns) = if c == '\x1b' {
            let mut escape = String::from(c);
            while let Some(&next) = chars.peek() {
                escape.push(next);
                chars.next();
                if next != '[' && next.is_ascii_alphabetic() {
                    break;
                }
            }
            (escape, 0)
        } else {
            (c.to_string(), c.width().unwrap_or(0))
        };
        let joins = match pieces.last() {
            Some(p) if spaces.is_empty() => columns == 0 || !may_break(p.last, c),
            _ => false,
        };
        match (joins, pieces.last_mut()) {
            (true, Some(p)) => {
                p.text.push_str(&text);
                p.width += columns;
                if columns > 0 {
                    p.last = Some(c);
                }
            }
            _ => pieces.push(Piece {
                spaces: std::mem::take(&mut spaces),
                text,
                width: columns,
                last: (columns > 0).then_some(c),
            }),
        }
    }
    if !spaces.is_empty() {
        pieces.push(Piece {
            spaces,
            text: String::new(),
            width: 0,
            last: None,
        });
    }
    pieces
}

/// Whether a line may break between `before` and `after` (no space between them): next to a
/// wide character, unless the rules of line starts and ends forbid it.
fn may_break(before: Option<char>, after: char) -> bool {
    let Some(before) = before else {
        return false;
    };
    let wide = |c: char| c.width() == Some(2);
    (wide(before) || wide(after)) && !NO_START.contains(after) && !NO_END.contains(before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_breaks_between_characters_at_the_width_counting_two_columns_each() {
        let lines = wrap("あいうえおかきくけこさしすせそ", 10, "");
        assert_eq!(lines, ["あいうえお", "かきくけこ", "さしすせそ"]);
        for l in &lines {
            assert_eq!(columns(l), 10);
        }
    }

    #[test]
    fn ascii_words_stay_whole_and_spaces_break() {
        let lines = wrap("記録 tagwatch verify を実行", 12, "");
        assert_eq!(lines, ["記録", "tagwatch", "verify を実", "行"]);
        // A word longer than a line overflows rather than being cut.
        assert_eq!(
            wrap("あ /home/someone/evidence.sqlite", 8, ""),
            ["あ", "/home/someone/evidence.sqlite"]
        );
    }

    #[test]
    fn closing_punctuation_never_starts_a_line_nor_an_opening_bracket_ends_one() {
        // At 8 columns "。" would start the second line: it stays with "え".
        assert_eq!(wrap("あいうえ。かきく", 8, ""), ["あいう", "え。かき", "く"]);
        assert_eq!(wrap("あいう（かき）くけ", 8, ""), ["あいう", "（かき）", "くけ"]);
        assert_eq!(wrap("あいう、「かき」", 8, ""), ["あいう、", "「かき」"]);
        for line in wrap("既定：table］［値：table、json］。ここまで", 10, "") {
            let first = line.chars().next().unwrap();
            assert!(!NO_START.contains(first), "{line}");
            assert!(!NO_END.contains(line.chars().last().unwrap()), "{line}");
        }
    }

    #[test]
    fn later_lines_are_indented_and_the_first_keeps_its_own() {
        let lines = wrap(
            "  --lang <LANG>  メッセージとヘルプの言語",
            30,
            "                 ",
        );
        assert_eq!(
            lines,
            ["  --lang <LANG>  メッセージと", "                 ヘルプの言語"]
        );
        assert!(lines.iter().all(|l| columns(l) <= 30));
    }

    #[test]
    fn styles_take_no_columns_and_do_not_break() {
        let styled = "\x1b[1m--format\x1b[0m あいうえお";
        assert_eq!(columns(styled), 19);
        assert_eq!(wrap(styled, 10, ""), ["\x1b[1m--format\x1b[0m", "あいうえお"]);
    }

    #[test]
    fn a_short_line_is_left_as_it_is() {
        assert_eq!(wrap("  短い行", 80, "    "), ["  短い行"]);
        assert_eq!(wrap("", 80, ""), [""]);
    }
}
