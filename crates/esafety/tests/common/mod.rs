//! Helpers shared by the property tests.

#![allow(dead_code, clippy::indexing_slicing)]

pub mod spec;

use proptest::prelude::*;
use proptest::sample::Index;

/// Edits to make to a text: where, how much to cut, and what to insert.
pub type Cuts = Vec<(Index, usize, String)>;

/// Up to five edits of up to 40 characters each.
pub fn cuts() -> impl Strategy<Value = Cuts> {
    prop::collection::vec((any::<Index>(), 0usize..40, "\\PC{0,8}"), 1..6)
}

/// Cuts text out of `text` and inserts other text, always on character
/// boundaries.
pub fn mutate(text: &mut String, cuts: Cuts) {
    for (at, len, insert) in cuts {
        let mut start = at.index(text.len().max(1));
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.replace_range(start..end.max(start), &insert);
    }
}

/// Swaps whole lines about: every line stays one the grammar reads, so
/// what breaks is where lines are, not what they say.
pub fn shuffle_lines(text: &str, seed: &[Index]) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    for s in seed {
        let a = s.index(lines.len());
        let b = (a * 7 + 3) % lines.len();
        lines.swap(a, b);
    }
    lines.join("\n")
}
