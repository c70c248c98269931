//! The check's floor: the least any checker of a generated policy must do,
//! and nothing more.
//!
//! It reads each line once, keeps each row's id and label and each cell's
//! roles and answer (shared texts stored once, as esafety stores them), and
//! indexes the rows by id and by label, so that duplicate ids are found and
//! a question can name a row. Nothing else is checked and nothing compiled.
//! The index is the cheapest that scales: the hashes of ids and labels are
//! listed as the rows are read and sorted once at the end, rather than put
//! in hash maps, whose scattered writes cost more per row as they grow
//! (esafety's own index is hash maps).
//! It is not a checker: its timings at 10k and 100k rows say how this
//! machine's time per row grows once a policy no longer fits the processor's
//! caches, which any checker building the same index pays too. The benchmark
//! reports its 100k / 10k ratio beside esafety's.
//!
//! It reads the layout [`crate::generate`] writes (`  row ID "LABEL"` lines,
//! cells as `    ROLES: ANSWER` under them) and nothing else.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// A multiplicative hash of the kind esafety's own maps use (FxHash).
#[derive(Debug, Default)]
pub struct MultiplyHasher(u64);

impl Hasher for MultiplyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Set<T> = HashSet<T, BuildHasherDefault<MultiplyHasher>>;

fn hash_of(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut hasher = MultiplyHasher::default();
    bytes.for_each(|byte| hasher.write_u64(u64::from(byte)));
    hasher.finish()
}

/// A row as the floor keeps it.
#[derive(Debug)]
pub struct FloorRow {
    /// Its id.
    pub id: Arc<str>,
    /// Its label, without the quotes.
    pub label: Arc<str>,
    /// Its 1-based line.
    pub line: u32,
    /// How many of [`RowFloor::cells`] are its, after the previous rows'.
    pub cells: u32,
}

/// A cell as the floor keeps it.
#[derive(Debug)]
pub struct FloorCell {
    /// Whom it names, as written.
    pub roles: Arc<str>,
    /// Its answer, as written.
    pub answer: Arc<str>,
    /// Its 1-based line.
    pub line: u32,
}

/// A generated policy's rows and cells, indexed.
#[derive(Debug, Default)]
pub struct RowFloor {
    /// The rows, in order.
    pub rows: Vec<FloorRow>,
    /// Every row's cells, in order.
    pub cells: Vec<FloorCell>,
    /// Rows given an id an earlier row has.
    pub duplicate_ids: usize,
    /// (hash of the id, row), sorted.
    by_id: Vec<(u64, u32)>,
    /// (hash of the lowercased label, row), sorted.
    by_label: Vec<(u64, u32)>,
    texts: Set<Arc<str>>,
}

impl RowFloor {
    /// Reads and indexes `text`.
    pub fn index(text: &str) -> RowFloor {
        let mut floor = RowFloor::default();
        for (number, line) in (1u32..).zip(text.lines()) {
            if let Some(rest) = line.strip_prefix("  row ") {
                let (id, label) = rest.split_once(' ').unwrap_or((rest, ""));
                floor.add_row(id, label.trim_matches('"'), number);
            } else if let Some((roles, answer)) = line
                .strip_prefix("    ")
                .filter(|cell| !cell.starts_with("breach "))
                .and_then(|cell| cell.split_once(": "))
            {
                let roles = floor.shared(roles);
                let answer = floor.shared(answer);
                floor.cells.push(FloorCell {
                    roles,
                    answer,
                    line: number,
                });
                if let Some(row) = floor.rows.last_mut() {
                    row.cells += 1;
                }
            }
        }
        floor.by_id.sort_unstable();
        floor.by_label.sort_unstable();
        // Equal ids are neighbours once sorted, unless another id's hash
        // collides with theirs and sorts between them: a floor may miss that.
        floor.duplicate_ids = floor
            .by_id
            .windows(2)
            .filter(|pair| pair[0].0 == pair[1].0 && floor.id(pair[0].1) == floor.id(pair[1].1))
            .count();
        floor
    }

    fn id(&self, row: u32) -> Option<&str> {
        self.rows.get(row as usize).map(|r| &*r.id)
    }

    fn add_row(&mut self, id: &str, label: &str, line: u32) {
        let number = u32::try_from(self.rows.len()).unwrap_or(u32::MAX);
        self.by_id.push((hash_of(id.bytes()), number));
        self.by_label.push((
            hash_of(label.bytes().map(|b| b.to_ascii_lowercase())),
            number,
        ));
        let id: Arc<str> = Arc::from(id);
        let label: Arc<str> = Arc::from(label);
        self.rows.push(FloorRow {
            id,
            label,
            line,
            cells: 0,
        });
    }

    /// One stored copy of a text many cells share.
    fn shared(&mut self, text: &str) -> Arc<str> {
        if let Some(stored) = self.texts.get(text) {
            return stored.clone();
        }
        let stored: Arc<str> = Arc::from(text);
        self.texts.insert(stored.clone());
        stored
    }

    /// The first row with this id.
    pub fn row(&self, id: &str) -> Option<&FloorRow> {
        Self::find(&self.by_id, hash_of(id.bytes()))
            .filter_map(|row| self.rows.get(row as usize))
            .find(|row| &*row.id == id)
    }

    /// The rows whose label is this one, ignoring case.
    pub fn labelled(&self, label: &str) -> impl Iterator<Item = &FloorRow> {
        let hash = hash_of(label.bytes().map(|b| b.to_ascii_lowercase()));
        Self::find(&self.by_label, hash)
            .filter_map(|row| self.rows.get(row as usize))
            .filter(move |row| row.label.eq_ignore_ascii_case(label))
    }

    /// The rows listed under `hash`, in order.
    fn find(sorted: &[(u64, u32)], hash: u64) -> impl Iterator<Item = u32> + '_ {
        let start = sorted.partition_point(|&(h, _)| h < hash);
        sorted
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(move |&&(h, _)| h == hash)
            .map(|&(_, row)| row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_keeps_and_indexes_each_row_and_cell() {
        let text = "communications comms \"Communications\"\n  column pupils \"Pupils\" for pupil\n  row a \"First row\"\n    pupils: allowed\n    year-1: not allowed\n    breach by pupil: misuse\n  row b \"Second row\"\n    pupils: not allowed\n";
        let floor = RowFloor::index(text);
        assert_eq!(floor.rows.len(), 2);
        assert_eq!(floor.cells.len(), 3);
        let b = floor.row("b").expect("row b");
        assert_eq!((&*b.label, b.line, b.cells), ("Second row", 7, 1));
        assert_eq!(floor.row("a").map(|a| a.cells), Some(2));
        assert!(floor.row("c").is_none());
        assert_eq!(
            floor
                .labelled("SECOND ROW")
                .map(|r| &*r.id)
                .collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(floor.duplicate_ids, 0);
        // "not allowed" is stored once for both cells that give it.
        let answers: Vec<&Arc<str>> = floor.cells.iter().map(|c| &c.answer).collect();
        assert!(Arc::ptr_eq(answers[1], answers[2]));
    }

    #[test]
    fn it_finds_a_duplicate_id() {
        let text = "  row a \"One\"\n    pupils: allowed\n  row b \"Two\"\n  row a \"Three\"\n";
        let floor = RowFloor::index(text);
        assert_eq!(floor.duplicate_ids, 1);
        assert_eq!(floor.row("a").map(|r| r.line), Some(1));
    }

    #[test]
    fn it_reads_every_row_of_a_generated_policy() {
        let floor = RowFloor::index(&crate::generate(1_000));
        assert_eq!(floor.rows.len(), 1_000);
        assert_eq!(floor.duplicate_ids, 0);
        // The generator labels row `rN` "Generated row number N about some
        // online activity".
        for n in [0, 537, 999] {
            let label = format!("GENERATED row number {n} about some online activity");
            let found: Vec<&str> = floor.labelled(&label).map(|r| &*r.id).collect();
            assert_eq!(found, [format!("r{n}")]);
            let row = floor.row(&format!("r{n}"));
            assert_eq!(
                row.map(|r| r.label.to_lowercase()),
                Some(label.to_lowercase())
            );
        }
        // Every generated row answers both of its table's columns.
        assert!(floor.rows.iter().all(|r| r.cells >= 2));
    }
}
