//! "Did you mean" suggestions and label normalisation.

/// Edit distance (optimal string alignment: insert, delete, substitute, swap
/// two neighbours) between two strings, counted in characters. Stops early
/// and returns `limit + 1` once the distance is known to exceed `limit`.
pub(crate) fn distance(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let width = b.len() + 1;
    // Three rolling rows: two back (for swaps), previous, current.
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for (i, ca) in a.iter().enumerate() {
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        let mut row_min = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let deletion = previous.get(j + 1).copied().unwrap_or(usize::MAX) + 1;
            let insertion = current.get(j).copied().unwrap_or(usize::MAX) + 1;
            let substitution = previous.get(j).copied().unwrap_or(usize::MAX) + cost;
            let mut best = deletion.min(insertion).min(substitution);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(before.get(j - 1).copied().unwrap_or(usize::MAX) + 1);
            }
            if let Some(cell) = current.get_mut(j + 1) {
                *cell = best;
            }
            row_min = row_min.min(best);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

/// The candidates closest to `given`, best first: at most three, and only
/// those close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let given_lower = lowercase(given);
    let limit = (given.chars().count() / 3).clamp(1, 4);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let d = distance(&given_lower, &lowercase(c), limit);
            let prefix =
                c.len() >= 3 && (c.starts_with(&given_lower) || given_lower.starts_with(c));
            if d <= limit {
                Some((d, c))
            } else if prefix {
                Some((limit, c))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// `text` in lowercase, character by character (`str::to_lowercase` also
/// handles the Greek final sigma, which no name needs, at 4 KB of the
/// browser's module).
fn lowercase(text: &str) -> String {
    text.chars().flat_map(Lowercase::of).collect()
}

/// "did you mean `a`?" / "did you mean `a` or `b`?", or `None`.
pub(crate) fn did_you_mean(options: &[&str]) -> Option<String> {
    match options {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|o| format!("`{o}`")).collect();
            Some(format!("did you mean {} or `{last}`?", init.join(", ")))
        }
    }
}

/// A label folded for look-up: lowercase, with runs of whitespace made one
/// space and the ends trimmed, so that "Use of  Blogs " finds "Use of blogs".
pub fn normalize_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for word in label.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The characters of [`normalize_label`]'s result, without building it.
fn folded_chars(label: &str) -> impl Iterator<Item = char> + '_ {
    label.split_whitespace().enumerate().flat_map(|(i, word)| {
        let space = if i == 0 { None } else { Some(' ') };
        space
            .into_iter()
            .chain(word.chars().flat_map(Lowercase::of))
    })
}

/// `char::to_lowercase`, with a lighter iterator for ASCII: labels are
/// folded for every row of a policy, and nearly all their characters are
/// ASCII.
enum Lowercase {
    Ascii(Option<char>),
    Other(std::char::ToLowercase),
}

impl Lowercase {
    fn of(c: char) -> Lowercase {
        if c.is_ascii() {
            Lowercase::Ascii(Some(c.to_ascii_lowercase()))
        } else {
            Lowercase::Other(c.to_lowercase())
        }
    }
}

impl Iterator for Lowercase {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        match self {
            Lowercase::Ascii(c) => c.take(),
            Lowercase::Other(lower) => lower.next(),
        }
    }
}

/// A hash of a label's folded form, computed without allocating: labels
/// that [`normalize_label`] makes equal hash equal.
pub(crate) fn label_hash(label: &str) -> u64 {
    // Nearly every label is ASCII, and the checker hashes every row's: for
    // those, the folded characters are the bytes themselves, read in one
    // loop rather than through the general iterator.
    if label.is_ascii() {
        return ascii_label_hash(label.as_bytes());
    }
    folded_chars(label).fold(0u64, |h, c| hash_step(h, u64::from(c)))
}

/// One character into a label's hash: a simple multiplicative hash (as in
/// FxHash), since labels are not chosen by an adversary and a collision
/// only costs one extra comparison.
fn hash_step(hash: u64, c: u64) -> u64 {
    (hash.rotate_left(5) ^ c).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// [`label_hash`] of an ASCII label: lowercased, each run of whitespace
/// one space, none at the ends — what [`folded_chars`] yields for it.
fn ascii_label_hash(label: &[u8]) -> u64 {
    let mut hash = 0u64;
    let mut in_word = false;
    let mut space_owed = false;
    for &byte in label {
        // The ASCII characters `char::is_whitespace` accepts (which, unlike
        // `u8::is_ascii_whitespace`, include the vertical tab).
        if matches!(byte, b'\t'..=b'\r' | b' ') {
            space_owed = in_word;
            continue;
        }
        if space_owed {
            hash = hash_step(hash, u64::from(b' '));
            space_owed = false;
        }
        in_word = true;
        hash = hash_step(hash, u64::from(byte.to_ascii_lowercase()));
    }
    hash
}

/// Whether two labels are the same once folded, without allocating.
pub(crate) fn labels_equal(a: &str, b: &str) -> bool {
    folded_chars(a).eq(folded_chars(b))
}

/// Writes a list as "`a`, `b` and `c`".
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("`{}`", s.as_ref())).collect();
    english_list(&quoted, "and")
}

/// The text with its first letter in capitals.
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Writes a list as "a, b and c" (or "a, b or c").
pub(crate) fn english_list<S: AsRef<str>>(items: &[S], last_word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} {last_word} {}", init.join(", "), last.as_ref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("pupil", "pupil", 3), 0);
        assert_eq!(distance("pupils", "pupil", 3), 1);
        assert_eq!(distance("pupli", "pupil", 3), 1);
        assert_eq!(distance("staff", "pupil", 2), 3);
        assert_eq!(distance("", "abc", 5), 3);
    }

    #[test]
    fn closest_prefers_near_names() {
        let names = ["pupil", "staff", "visitor", "parent", "year-5"];
        assert_eq!(closest("pupils", names), vec!["pupil"]);
        assert_eq!(closest("year5", names), vec!["year-5"]);
        assert!(closest("governor", names).is_empty());
    }

    #[test]
    fn normalizes_case_and_spaces() {
        assert_eq!(normalize_label("  Use of\tBlogs "), "use of blogs");
    }

    #[test]
    fn folded_hash_and_equality_agree_with_normalisation() {
        let pairs = [
            ("Use of  Blogs", "use of blogs", true),
            (" Ärger  ÜBER ", "ärger über", true),
            ("Use of blogs", "Use of vlogs", false),
            ("ab c", "a bc", false),
            ("İSTANBUL\u{b}Day", "i̇stanbul day", true),
        ];
        for (a, b, same) in pairs {
            assert_eq!(folded_chars(a).collect::<String>(), normalize_label(a));
            assert_eq!(labels_equal(a, b), same, "{a:?} {b:?}");
            assert_eq!(normalize_label(a) == normalize_label(b), same);
            if same {
                assert_eq!(label_hash(a), label_hash(b));
            }
        }
    }

    /// The hash of the characters [`normalize_label`] yields, the slow way.
    fn hash_of_normalised(label: &str) -> u64 {
        normalize_label(label)
            .chars()
            .fold(0, |h, c| hash_step(h, u64::from(c)))
    }

    #[test]
    fn an_ascii_label_hashes_as_its_normalised_form() {
        // Leading, trailing and repeated whitespace of every ASCII kind
        // (the vertical tab among them), and capitals.
        for label in [
            "",
            " \t\x0b\x0c\r\n ",
            "Use of Blogs",
            "\x0b use\x0bOF \t\r\n blogs\x0c",
            "x",
            "a\x1fb",
        ] {
            assert_eq!(label_hash(label), hash_of_normalised(label), "{label:?}");
        }
        assert_ne!(label_hash("ab c"), label_hash("a bc"));
    }

    proptest::proptest! {
        #[test]
        fn folding_without_building_equals_normalising(label in "\\PC{0,40}") {
            proptest::prop_assert_eq!(folded_chars(&label).collect::<String>(), normalize_label(&label));
        }

        #[test]
        fn any_label_hashes_as_its_normalised_form(
            label in proptest::prop_oneof!["[ -~\t\n\x0b\x0c\r\x1c-\x1f]{0,40}", "\\PC{0,40}"]
        ) {
            proptest::prop_assert_eq!(label_hash(&label), hash_of_normalised(&label));
        }
    }

    #[test]
    fn lists_read_as_english() {
        assert_eq!(quoted_list(&["a"]), "`a`");
        assert_eq!(quoted_list(&["a", "b", "c"]), "`a`, `b` and `c`");
        assert_eq!(
            did_you_mean(&["a", "b"]).as_deref(),
            Some("did you mean `a` or `b`?")
        );
    }
}
