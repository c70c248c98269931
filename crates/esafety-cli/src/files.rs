//! Finding and reading policy files.

use std::path::{Path, PathBuf};

/// The policy files under `paths`: files as given, directories searched
/// (recursively) for `*.policy`, each directory's files in name order.
/// Paths that do not exist are returned as errors, in order.
pub(crate) fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, std::io::Error)>) {
    collect_with(paths, "policy")
}

/// [`collect`] for files whose extension is `extension`.
pub(crate) fn collect_with(
    paths: &[PathBuf],
    extension: &str,
) -> (Vec<PathBuf>, Vec<(PathBuf, std::io::Error)>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, extension, &mut found, &mut errors),
            Ok(_) => found.push(path.clone()),
            Err(e) => errors.push((path.clone(), e)),
        }
    }
    (found, errors)
}

fn walk(
    dir: &Path,
    extension: &str,
    found: &mut Vec<PathBuf>,
    errors: &mut Vec<(PathBuf, std::io::Error)>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push((dir.to_path_buf(), e));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, extension, found, errors);
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
}

/// Reads a file, reporting failure on stderr.
pub(crate) fn read(path: &Path) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!("esafety: cannot read `{}`: {e}", path.display());
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
            eprint!(
                "{}",
                esafety::diagnostic::render::human(&[*diagnostic], &lossy, output.color)
            );
            None
        }
    }
}
