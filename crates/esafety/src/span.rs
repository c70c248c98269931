//! Source positions.

use serde::{Deserialize, Serialize};

/// Where a piece of syntax sits in its source file.
///
/// `start` and `end` are byte offsets (end exclusive); `line` and `column` are
/// 1-based and locate `start`, with `column` counted in characters so that it
/// matches what an editor shows. Every statement of the language sits on one
/// line, so a span never crosses a line break. Offsets are `u32`: policy files
/// are far smaller than 4 GiB (the parser reads at most 16 MiB), and a span
/// exists for every name in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// 1-based line number of `start`.
    pub line: u32,
    /// 1-based column of `start`, in characters.
    pub column: u32,
}

impl Span {
    /// The byte range, for slicing the source text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// A span covering both `self` and `other` (which must be on the same line).
    pub fn to(self, other: Span) -> Span {
        if other.end >= self.end {
            Span {
                end: other.end,
                ..self
            }
        } else {
            self
        }
    }
}

/// Maps byte offsets to lines and columns for one source text.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    /// Byte offset at which each line starts (u32 like spans: a large
    /// policy has hundreds of thousands of lines).
    starts: Vec<u32>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| to_u32(i + 1)));
        LineIndex { starts }
    }

    /// 1-based line and character column of a byte offset. Offsets past the
    /// end, or inside a multi-byte character, are clamped.
    pub(crate) fn locate(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = match self.starts.binary_search(&to_u32(offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.starts.get(line).map_or(0, |&s| s as usize);
        let column = text
            .get(line_start..offset)
            .map(|s| s.chars().count())
            .unwrap_or_else(|| offset.saturating_sub(line_start));
        (to_u32(line + 1), to_u32(column + 1))
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> u32 {
        let line = match self.starts.binary_search(&to_u32(offset)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        to_u32(line + 1)
    }

    pub(crate) fn span(&self, text: &str, start: usize, end: usize) -> Span {
        let (line, column) = self.locate(text, start);
        Span {
            start: to_u32(start),
            end: to_u32(end.max(start)),
            line,
            column,
        }
    }

    /// The byte range of a 1-based line, without its line break.
    pub(crate) fn line_range(&self, text: &str, line: u32) -> std::ops::Range<usize> {
        let index = (line as usize).saturating_sub(1);
        let start = self.starts.get(index).map_or(text.len(), |&s| s as usize);
        let mut end = self
            .starts
            .get(index + 1)
            .map_or(text.len(), |&next| (next as usize).saturating_sub(1));
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_character_columns() {
        let text = "ab\ncé d\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.locate(text, 0), (1, 1));
        assert_eq!(index.locate(text, 3), (2, 1));
        // "é" is two bytes: the space after it is the third character.
        assert_eq!(index.locate(text, 6), (2, 3));
        assert_eq!(index.locate(text, 9), (3, 1));
        assert_eq!(index.locate(text, 10), (4, 1));
        assert_eq!(index.locate(text, 999), (4, 2));
        assert_eq!(&text[index.line_range(text, 2)], "cé d");
        assert_eq!(&text[index.line_range(text, 3)], "");
    }
}
