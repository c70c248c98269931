//! Loading a policy: from text or a file, to a [`Policy`] or a [`LoadError`].

use std::path::Path;

use crate::check::{CheckOptions, check, check_bytes};
use crate::diagnostic::Diagnostic;
use crate::model::Policy;

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The policy has errors; `diagnostics` lists them (and any warnings).
    #[error("`{path}` has {} error{}{}", count_errors(.diagnostics), plural(count_errors(.diagnostics)), first_error(.diagnostics))]
    Invalid {
        /// The file.
        path: String,
        /// Every diagnostic, errors and warnings, in file order.
        diagnostics: Vec<Diagnostic>,
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
        let checked = check(path, text, &CheckOptions::default());
        checked.policy.ok_or_else(|| LoadError::Invalid {
            path: path.to_owned(),
            diagnostics: checked.diagnostics,
        })
    }

    /// Reads, checks and compiles a policy file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: name.clone(),
            source,
        })?;
        let checked = check_bytes(&name, &bytes, &CheckOptions::default());
        checked.policy.ok_or(LoadError::Invalid {
            path: name,
            diagnostics: checked.diagnostics,
        })
    }
}
