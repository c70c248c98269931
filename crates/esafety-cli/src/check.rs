//! `esafety check`.

use std::path::PathBuf;

use clap::ValueEnum;
use esafety::diagnostic::render::{self, Counts, FileReport};
use esafety::{CheckOptions, check_file_bytes};

use crate::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Output, files};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy files, or directories to search for `*.policy` files.
    #[arg(default_value = "policies")]
    paths: Vec<PathBuf>,

    /// How to print the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,

    /// The date to check review dates against, as YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// rustc-style text with the source line and a caret.
    Human,
    /// One JSON document (schema in docs/cli.md).
    Json,
    /// GitHub Actions annotations (`::error file=…`).
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

pub(crate) fn run(args: &Args, output: Output) -> u8 {
    let today = match &args.today {
        Some(text) => match text.parse::<jiff::civil::Date>() {
            Ok(date) => date,
            Err(e) => {
                errln!(
                    "esafety: --today `{text}` is not a date: {e}. Write it as YYYY-MM-DD, e.g. 2026-09-01."
                );
                return EXIT_USAGE;
            }
        },
        None => jiff::Zoned::now().date(),
    };
    let options = CheckOptions::with_today(today);

    let (paths, missing) = files::collect(&args.paths);
    let mut exit = EXIT_OK;
    for (path, error) in &missing {
        errln!(
            "esafety: cannot read `{}`: {error}",
            crate::files::shown(path)
        );
        exit = EXIT_USAGE;
    }
    if paths.is_empty() && missing.is_empty() {
        errln!(
            "esafety: no `.policy` files found in {}",
            describe(&args.paths)
        );
        return EXIT_USAGE;
    }

    struct Checked {
        path: String,
        /// The file as read; rendered through a lossy view, which borrows
        /// when the file is valid UTF-8 (diagnostics point into it).
        bytes: Vec<u8>,
        diagnostics: Vec<esafety::diagnostic::Diagnostic>,
        /// The policies it extends, as read (diagnostics may be in them).
        sources: Vec<esafety::family::SourceFile>,
    }
    let mut checked = Vec::new();
    for path in &paths {
        let Some(bytes) = files::read(path) else {
            exit = EXIT_USAGE;
            continue;
        };
        let name = path.display().to_string();
        let result = check_file_bytes(&name, &bytes, &options);
        checked.push(Checked {
            path: name,
            bytes,
            diagnostics: result.diagnostics,
            sources: result.sources,
        });
    }

    let mut total = Counts::default();
    for c in &checked {
        let counts = Counts::of(&c.diagnostics);
        total.errors += counts.errors;
        total.warnings += counts.warnings;
    }
    match args.format {
        Format::Human => {
            for c in &checked {
                let text = String::from_utf8_lossy(&c.bytes);
                let files: Vec<(&str, &str)> = std::iter::once((c.path.as_str(), &*text))
                    .chain(c.sources.iter().map(|f| (f.path.as_str(), f.text.as_str())))
                    .collect();
                out!(
                    "{}",
                    render::human_files(&c.diagnostics, &files, output.color)
                );
            }
            outln!(
                "checked {} file{}: {} error{}, {} warning{}",
                checked.len(),
                plural(checked.len()),
                total.errors,
                plural(total.errors),
                total.warnings,
                plural(total.warnings)
            );
        }
        Format::Json | Format::Sarif => {
            let reports: Vec<FileReport<'_>> = checked
                .iter()
                .map(|c| FileReport::new(&c.path, &c.diagnostics))
                .collect();
            if args.format == Format::Json {
                outln!("{}", render::json(&reports));
            } else {
                outln!("{}", render::sarif(&reports));
            }
        }
        Format::Github => {
            for c in &checked {
                out!("{}", render::github(&c.diagnostics));
            }
        }
    }

    let failed = total.errors > 0 || (args.deny_warnings && total.warnings > 0);
    if exit == EXIT_OK && failed {
        exit = EXIT_FINDINGS;
    }
    exit
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn describe(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths
        .iter()
        .map(|p| format!("`{}`", crate::files::shown(p)))
        .collect();
    names.join(", ")
}
