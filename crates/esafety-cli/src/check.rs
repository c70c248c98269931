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
    // Read in order (a file that cannot be read is reported as it is met),
    // then check the files on every core: each check is independent.
    let mut read = Vec::new();
    for path in &paths {
        match files::read(path) {
            Some(bytes) => read.push((path.display().to_string(), bytes)),
            None => exit = EXIT_USAGE,
        }
    }
    let checked: Vec<Checked> = in_parallel(read, |(name, bytes)| {
        let result = check_file_bytes(&name, &bytes, &options);
        Checked {
            path: name,
            bytes,
            diagnostics: result.diagnostics,
            sources: result.sources,
        }
    });

    let mut total = Counts::default();
    for c in &checked {
        let counts = Counts::of(&c.diagnostics);
        total.errors += counts.errors;
        total.warnings += counts.warnings;
    }
    match args.format {
        Format::Human => {
            for c in &checked {
                // Valid UTF-8 is checked faster this way than by the lossy
                // decoder, which a file with a bad byte still gets.
                let text = match std::str::from_utf8(&c.bytes) {
                    Ok(text) => std::borrow::Cow::Borrowed(text),
                    Err(_) => String::from_utf8_lossy(&c.bytes),
                };
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

/// `work` applied to each item on as many threads as the machine has cores
/// (at most one per item), the results in the items' order.
fn in_parallel<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if threads <= 1 {
        return items.into_iter().map(work).collect();
    }
    // Deal the items out round-robin, so that each thread gets large and
    // small files alike.
    let mut shares: Vec<Vec<(usize, T)>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, item) in items.into_iter().enumerate() {
        if let Some(share) = shares.get_mut(i % threads) {
            share.push((i, item));
        }
    }
    let work = &work;
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| {
                scope.spawn(move || {
                    share
                        .into_iter()
                        .map(|(i, item)| (i, work(item)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(done) => done,
                Err(panicked) => std::panic::resume_unwind(panicked),
            })
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}
