//! Finding and reading policy files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The policy files under `paths`: files as given, directories searched
/// (recursively) for `*.policy`, each directory's files in name order.
/// Paths that do not exist are returned as errors, in order.
pub(crate) fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, std::io::Error)>) {
    collect_with(paths, "policy")
}

/// [`collect`] for files whose extension is `extension`.
///
/// Symbolic links are followed, but each directory is searched once and each
/// file found once, however many links lead to it: a link that points back
/// up the tree (a loop) ends the walk there instead of going round for ever.
pub(crate) fn collect_with(
    paths: &[PathBuf],
    extension: &str,
) -> (Vec<PathBuf>, Vec<(PathBuf, std::io::Error)>) {
    let mut walk = Walk {
        extension,
        found: Vec::new(),
        errors: Vec::new(),
        seen_dirs: HashSet::new(),
        seen_files: HashSet::new(),
    };
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk.dir(path),
            Ok(_) => walk.file(path.clone()),
            Err(e) => walk.errors.push((path.clone(), e)),
        }
    }
    (walk.found, walk.errors)
}

struct Walk<'e> {
    extension: &'e str,
    found: Vec<PathBuf>,
    errors: Vec<(PathBuf, std::io::Error)>,
    /// Directories already searched, by their canonical path.
    seen_dirs: HashSet<PathBuf>,
    /// Files already found, by their canonical path.
    seen_files: HashSet<PathBuf>,
}

impl Walk<'_> {
    fn file(&mut self, path: PathBuf) {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if self.seen_files.insert(key) {
            self.found.push(path);
        }
    }

    fn dir(&mut self, dir: &Path) {
        let key = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if !self.seen_dirs.insert(key) {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.errors.push((dir.to_path_buf(), e));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                self.dir(&path);
            } else if path.extension().is_some_and(|e| e == self.extension) {
                self.file(path);
            }
        }
    }
}

/// Reads a policy or test file (a regular file, at most esafety's size limit
/// and a byte more: see [`esafety::read_source`]), reporting failure on
/// stderr.
pub(crate) fn read(path: &Path) -> Option<Vec<u8>> {
    match esafety::read_source(path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            errln!("esafety: cannot read `{}`: {e}", shown(path));
            None
        }
    }
}

/// The text of a policy file, or `None` after printing, as a diagnostic,
/// why it is not one (not UTF-8, or too large).
pub(crate) fn decode<'a>(name: &str, bytes: &'a [u8], output: crate::Output) -> Option<&'a str> {
    match esafety::syntax::decode(name, bytes) {
        Ok(text) => Some(text),
        Err(diagnostic) => {
            let lossy = String::from_utf8_lossy(bytes);
            err!(
                "{}",
                esafety::diagnostic::render::human(&[*diagnostic], &lossy, output.color)
            );
            None
        }
    }
}

/// A path as the CLI prints it in a message: control characters (a newline
/// in a file name, say) shown as escapes.
pub(crate) fn shown(path: &Path) -> String {
    esafety::text::printable(&path.display().to_string()).into_owned()
}

/// The longest line of a JSON-lines input (`--queries`) esafety reads: a
/// question is a few hundred bytes.
pub(crate) const MAX_JSON_LINE_BYTES: usize = 1024 * 1024;

/// Opens a JSON-lines input: `-` for standard input, else a regular file or
/// a named pipe (a stream of questions). Devices and directories are
/// refused.
pub(crate) fn open_lines(source: &str) -> Result<Box<dyn std::io::BufRead>, String> {
    if source == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let path = Path::new(source);
    let shown = shown(path);
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    #[cfg(unix)]
    let stream = {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_fifo()
    };
    #[cfg(not(unix))]
    let stream = false;
    if !meta.is_file() && !stream {
        return Err(format!(
            "cannot read `{shown}`: it is not a file of JSON lines (it is a directory or a device)"
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    Ok(Box::new(std::io::BufReader::new(file)))
}

/// One line of a JSON-lines input.
pub(crate) enum JsonLine {
    /// The line's text (not blank).
    Text(String),
    /// The line could not be read as text; why.
    Unreadable(String),
}

/// Reads the next non-blank line, numbering lines from 1: `Ok(None)` at the
/// end. A line longer than [`MAX_JSON_LINE_BYTES`] is an error after which
/// nothing more is read: such input is not a file of questions, and an
/// endless line (`/dev/zero`) cannot be skipped.
pub(crate) fn next_json_line(
    reader: &mut dyn std::io::BufRead,
    number: &mut usize,
) -> Result<Option<JsonLine>, String> {
    use std::io::{BufRead, Read};
    loop {
        let mut bytes = Vec::new();
        let limit = u64::try_from(MAX_JSON_LINE_BYTES).unwrap_or(u64::MAX) + 1;
        let read = (&mut *reader)
            .take(limit)
            .read_until(b'\n', &mut bytes)
            .map_err(|e| format!("cannot read line {}: {e}", *number + 1))?;
        if read == 0 {
            return Ok(None);
        }
        *number += 1;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        } else if bytes.len() > MAX_JSON_LINE_BYTES {
            return Err(format!(
                "line {} is longer than {MAX_JSON_LINE_BYTES} bytes, so this is not a file of JSON lines; esafety stopped reading there",
                *number
            ));
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        match String::from_utf8(bytes) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => return Ok(Some(JsonLine::Text(text))),
            Err(e) => {
                return Ok(Some(JsonLine::Unreadable(format!(
                    "line {} is not UTF-8 text: {}",
                    *number,
                    e.utf8_error()
                ))));
            }
        }
    }
}
