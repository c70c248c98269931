//! Loading a policy: from text or a file, to a [`Policy`] or a [`LoadError`];
//! and reading any file esafety is given, within a bound.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use crate::check::{CheckOptions, Checked, check};
use crate::diagnostic::Diagnostic;
use crate::model::Policy;
use crate::syntax::MAX_FILE_BYTES;

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read `{}`: {source}", crate::text::printable(.path))]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The policy has errors; `diagnostics` lists them (and any warnings).
    #[error("`{}` has {} error{}{}", crate::text::printable(.path), count_errors(.diagnostics), plural(count_errors(.diagnostics)), first_error(.diagnostics))]
    Invalid {
        /// The file.
        path: String,
        /// Every diagnostic, errors and warnings, in file order.
        diagnostics: Vec<Diagnostic>,
        /// The text the diagnostics point into, exactly as it was checked
        /// (decoded lossily if it was not UTF-8), so that they can be shown
        /// without reading the file again: see [`LoadError::render`].
        source_text: Arc<str>,
        /// The policies it extends, as read, for diagnostics in them.
        sources: Vec<crate::family::SourceFile>,
    },
}

fn count_errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics.iter().filter(|d| d.is_error()).count()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn first_error(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .find(|d| d.is_error())
        .map(|d| {
            format!(
                "; the first, on line {}: {} {}",
                d.location.line, d.code, d.message
            )
        })
        .unwrap_or_default()
}

impl LoadError {
    /// The diagnostics, if the policy was read but has errors.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            LoadError::Invalid { diagnostics, .. } => diagnostics,
            LoadError::Io { .. } => &[],
        }
    }

    /// The error as a person reads it: for a policy with errors, every
    /// diagnostic in the rustc style, with its source line and a caret
    /// (`color` adds terminal colours); for a file that could not be read,
    /// one line.
    ///
    /// ```
    /// let err = esafety::Policy::parse("bad.policy", "shcool \"Demo\"\n").unwrap_err();
    /// let text = err.render(false);
    /// assert!(text.contains("error[E0102]"));
    /// assert!(text.contains("shcool \"Demo\""));
    /// ```
    pub fn render(&self, color: bool) -> String {
        match self {
            LoadError::Invalid {
                path,
                diagnostics,
                source_text,
                sources,
            } => {
                let files: Vec<(&str, &str)> = std::iter::once((path.as_str(), &**source_text))
                    .chain(sources.iter().map(|f| (f.path.as_str(), f.text.as_str())))
                    .collect();
                crate::diagnostic::render::human_files(diagnostics, &files, color)
            }
            LoadError::Io { .. } => format!("{self}\n"),
        }
    }
}

/// Reads a file esafety is asked to read (a policy, a test file), within a
/// bound: at most [`MAX_FILE_BYTES`] and one byte more, so that an endless
/// file (`/dev/zero`) costs no more than a file just over the limit, and the
/// caller can still tell that it is too large (see [`crate::syntax::decode`]).
///
/// Only regular files are read. A directory, a device, a named pipe or a
/// socket is refused with an error of kind
/// [`InvalidInput`](std::io::ErrorKind::InvalidInput) before it is opened:
/// opening a named pipe with no writer would wait for ever. Symbolic links
/// are followed.
///
/// ```
/// let err = esafety::read_source("/dev/zero".as_ref()).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
/// ```
pub fn read_source(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (it is a device, a named pipe or a socket)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}; esafety reads policy and test files"),
        ));
    }
    let file = std::fs::File::open(path)?;
    let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX);
    let capacity = usize::try_from(meta.len().min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity.saturating_add(1));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads from `reader` to its end, or to one byte past [`MAX_FILE_BYTES`],
/// whichever comes first: [`read_source`] for standard input.
pub fn read_bounded(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let limit = u64::try_from(MAX_FILE_BYTES).unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

impl Policy {
    /// Parses, checks and compiles policy text. `path` names it in
    /// diagnostics. Warnings do not stop it; see [`Policy::warnings`].
    ///
    /// ```
    /// let policy = esafety::Policy::parse("demo.policy", "school \"Demo Primary\"\n").unwrap();
    /// assert_eq!(policy.school().name, "Demo Primary");
    ///
    /// let err = esafety::Policy::parse("bad.policy", "shcool \"Demo\"\n").unwrap_err();
    /// assert_eq!(err.diagnostics()[0].code.as_str(), "E0102");
    /// ```
    pub fn parse(path: &str, text: &str) -> Result<Policy, LoadError> {
        Policy::parse_with(path, text, &CheckOptions::default())
    }

    /// [`Policy::parse`] with options: with a date to check the review date
    /// against, the policy's [`warnings`](Policy::warnings) include W0104
    /// when the review is overdue.
    ///
    /// ```
    /// use esafety::{CheckOptions, Policy};
    ///
    /// let text = "school \"Demo Primary\"\n  approved April 2021\n  review by April 2022\n";
    /// let today = esafety::jiff::civil::date(2026, 12, 1);
    /// let policy = Policy::parse_with("demo.policy", text, &CheckOptions::with_today(today)).unwrap();
    /// assert_eq!(policy.warnings()[0].code.as_str(), "W0104");
    /// ```
    pub fn parse_with(path: &str, text: &str, options: &CheckOptions) -> Result<Policy, LoadError> {
        let checked = check(path, text, options);
        checked.policy.ok_or_else(|| LoadError::Invalid {
            path: path.to_owned(),
            diagnostics: checked.diagnostics,
            source_text: Arc::from(text),
            sources: checked.sources,
        })
    }

    /// Reads, checks and compiles a policy file (read with [`read_source`]:
    /// a regular file of at most [`MAX_FILE_BYTES`]).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        Policy::from_file_with(path, &CheckOptions::default())
    }

    /// [`Policy::from_file`] with options, such as the date to check the
    /// review date against.
    pub fn from_file_with(
        path: impl AsRef<Path>,
        options: &CheckOptions,
    ) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let bytes = read_source(path).map_err(|source| LoadError::Io {
            path: name.clone(),
            source,
        })?;
        let checked = check_file_bytes(&name, &bytes, options);
        checked.policy.ok_or_else(|| LoadError::Invalid {
            path: name,
            diagnostics: checked.diagnostics,
            source_text: Arc::from(String::from_utf8_lossy(&bytes)),
            sources: checked.sources,
        })
    }
}

/// Checks the bytes of a policy file named `path`, reading any policy it
/// `extends` from disk with [`read_base`]: what `esafety check` does. For a
/// policy that extends nothing it is [`crate::check_bytes`].
pub fn check_file_bytes(path: &str, bytes: &[u8], options: &CheckOptions) -> Checked {
    match crate::syntax::decode(path, bytes) {
        Ok(text) => crate::family::check_family(path, text, &mut read_base, options),
        Err(diagnostic) => Checked::new(vec![*diagnostic], None),
    }
}

/// Reads a base policy for [`crate::family::check_family`] from disk: a
/// regular file of at most [`MAX_FILE_BYTES`], as UTF-8 text; or why not,
/// in words for a diagnostic.
pub fn read_base(path: &str) -> Result<String, String> {
    let bytes = read_source(Path::new(path)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "there is no such file".to_owned(),
        _ => e.to_string(),
    })?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err("it is larger than esafety reads (16 MiB)".to_owned());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| "it is not UTF-8 text".to_owned())
}
