//! Characters that must not reach a terminal, a CI log or a drawing as they
//! are: control characters (ESC starts terminal escape sequences, BEL rings,
//! NUL ends strings in C and breaks Graphviz) and the invisible Unicode
//! controls that reorder text (the "Trojan Source" characters).
//!
//! A policy or test file may not contain them (E0106); anything else
//! esafety prints that came from outside (a name in a question, a file name)
//! goes through [`printable`], which shows each one as an escape such as
//! `\u{1b}`.

use std::borrow::Cow;

/// Whether `c` is a character esafety never prints as it is: a C0 or C1
/// control character other than tab, DEL, or a bidirectional formatting
/// character.
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [unsafe](is_unsafe) character (newlines included)
/// written as a Rust-style escape, `\u{1b}`; borrowed when there is none.
///
/// ```
/// assert_eq!(esafety::text::printable("plain"), "plain");
/// assert_eq!(esafety::text::printable("red\x1b[31m"), "red\\u{1b}[31m");
/// assert_eq!(esafety::text::printable("two\nlines"), "two\\u{a}lines");
/// ```
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A name for an unsafe character that a policy author can look for: `ESC
/// (U+001B)`, `right-to-left override (U+202E)`.
pub fn describe(c: char) -> String {
    let name = match c {
        '\0' => "NUL",
        '\u{7}' => "BEL",
        '\u{8}' => "backspace",
        '\u{b}' => "vertical tab",
        '\u{c}' => "form feed",
        '\r' => "carriage return",
        '\u{1b}' => "ESC",
        '\u{7f}' => "DEL",
        '\u{202e}' => "right-to-left override",
        '\u{202d}' => "left-to-right override",
        '\u{202a}' | '\u{202b}' => "bidirectional embedding",
        '\u{2066}'..='\u{2069}' => "bidirectional isolate",
        '\u{061c}' | '\u{200e}' | '\u{200f}' => "direction mark",
        _ => "control character",
    };
    format!("{name} (U+{:04X})", u32::from(c))
}

/// The unsafe characters of `text` (a carriage return that ends a line, as
/// in a Windows file, is not one), each with its byte offset.
pub(crate) fn unsafe_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    // Only a control byte, DEL, or the first byte of a character outside
    // ASCII can begin an unsafe character, so the bytes are scanned and only
    // those decoded: most policy text is plain ASCII. Blocks of 64 bytes
    // with none of those are passed over whole, by a test the compiler
    // turns into a few vector instructions per block.
    const BLOCK: usize = 64;
    let candidate = |b: u8| (b < 0x20 && b != b'\t' && b != b'\n') || b >= 0x7f;
    let bytes = text.as_bytes();
    bytes
        .chunks(BLOCK)
        .enumerate()
        .filter(move |(_, block)| block.iter().fold(false, |any, &b| any | candidate(b)))
        .flat_map(|(n, block)| {
            block
                .iter()
                .enumerate()
                .map(move |(i, &b)| (n * BLOCK + i, b))
        })
        .filter(move |&(_, b)| candidate(b))
        .filter_map(move |(i, _)| Some((i, text.get(i..)?.chars().next()?)))
        .filter(move |&(i, c)| is_unsafe(c) && !(c == '\r' && bytes.get(i + 1) == Some(&b'\n')))
}

/// `text` with each unsafe character replaced by spaces of the same length
/// in bytes, so that every byte offset stays where it was; borrowed when
/// there is none. The parser reads this copy, so that a line with such a
/// character is still read (and reported once, as E0106) rather than
/// dropped.
pub(crate) fn blank_unsafe(text: &str) -> Cow<'_, str> {
    if unsafe_chars(text).next().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (i, c) in unsafe_chars(text) {
        out.push_str(text.get(last..i).unwrap_or(""));
        out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        last = i + c.len_utf8();
    }
    out.push_str(text.get(last..).unwrap_or(""));
    Cow::Owned(out)
}

/// `text` for a diagnostic's source line: each unsafe character the
/// diagnostic renderer does not already show as a symbol (C1 controls and
/// direction marks) replaced by a visible one of the same length in bytes,
/// so that spans still point at the same place.
pub(crate) fn visible_same_length(text: &str) -> Cow<'_, str> {
    let stand_in = |c: char| match c.len_utf8() {
        2 if is_unsafe(c) => Some('\u{a4}'),
        3 if matches!(c, '\u{200e}' | '\u{200f}') => Some('\u{fffd}'),
        _ => None,
    };
    if !text.chars().any(|c| stand_in(c).is_some()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| stand_in(c).unwrap_or(c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanking_keeps_every_offset() {
        let text = "a\x1bb\u{202e}c\r\nd\re\u{85}";
        let blanked = blank_unsafe(text);
        assert_eq!(blanked.len(), text.len());
        assert_eq!(blanked, "a b   c\r\nd e  ");
    }

    #[test]
    fn stand_ins_keep_the_length() {
        let text = "a\u{9b}b\u{200f}c\x1b";
        let shown = visible_same_length(text);
        assert_eq!(shown.len(), text.len());
        assert_eq!(shown, "a\u{a4}b\u{fffd}c\x1b");
    }

    #[test]
    fn tabs_and_line_breaks_are_safe_in_files() {
        assert_eq!(unsafe_chars("a\tb\r\nc\n").count(), 0);
        assert!(matches!(blank_unsafe("a\tb\r\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn every_escape_is_printable() {
        for c in [
            '\0', '\x07', '\x1b', '\x7f', '\u{9b}', '\u{202e}', '\u{2067}',
        ] {
            let shown = printable(&c.to_string()).into_owned();
            assert!(shown.chars().all(|c| !is_unsafe(c)), "{shown:?}");
            assert!(shown.starts_with("\\u{"), "{shown:?}");
        }
    }
}
