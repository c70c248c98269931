//! `esafety fmt`: rewrite policy files in the canonical layout.

use std::path::{Path, PathBuf};

use esafety::diagnostic::render;

use crate::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Output, files};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy files, or directories to search for `*.policy` files. `-`
    /// formats standard input to standard output.
    #[arg(default_value = "policies")]
    paths: Vec<PathBuf>,

    /// Change no file: list the files that are not formatted, and exit 1 if
    /// there are any.
    #[arg(long)]
    check: bool,

    /// Change no file: show how each file would change, as a unified diff,
    /// and exit 1 if any would.
    #[arg(long)]
    diff: bool,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    /// It does not parse (diagnostics printed) or could not be written.
    Failed,
}

pub(crate) fn run(args: &Args, output: Output) -> u8 {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            errln!("esafety: `-` (standard input) cannot be formatted with other paths");
            return EXIT_USAGE;
        }
        return stdin(args, output);
    }
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
        errln!("esafety: no `.policy` files found");
        return EXIT_USAGE;
    }

    let (mut changed, mut failed) = (0usize, 0usize);
    for path in &paths {
        let Some(bytes) = files::read(path) else {
            exit = EXIT_USAGE;
            continue;
        };
        match file(path, &bytes, args, output) {
            Outcome::Unchanged => {}
            Outcome::Changed => changed += 1,
            Outcome::Failed => failed += 1,
        }
    }

    let total = paths.len();
    let files = |n: usize| if n == 1 { "file" } else { "files" };
    if args.check || args.diff {
        if changed == 0 && failed == 0 {
            errln!("{total} {} already formatted", files(total));
        } else if changed > 0 {
            errln!(
                "{changed} of {total} {} would be reformatted; run `esafety fmt` to do it",
                files(total)
            );
        }
    } else if changed > 0 {
        errln!("formatted {changed} of {total} {}", files(total));
    }
    if failed > 0 {
        errln!(
            "{failed} {} could not be formatted: see the errors above",
            files(failed)
        );
    }
    if exit == EXIT_OK && (failed > 0 || ((args.check || args.diff) && changed > 0)) {
        exit = EXIT_FINDINGS;
    }
    exit
}

fn file(path: &Path, bytes: &[u8], args: &Args, output: Output) -> Outcome {
    let name = path.display().to_string();
    let Some(formatted) = format(&name, bytes, output) else {
        return Outcome::Failed;
    };
    if formatted.as_bytes() == bytes {
        return Outcome::Unchanged;
    }
    if args.diff {
        let old = String::from_utf8_lossy(bytes);
        out!("{}", diff(&name, &old, &formatted, output.color));
    } else if args.check {
        outln!("{}", crate::files::shown(path));
    } else if let Err(e) = write(path, &formatted) {
        errln!("esafety: cannot write `{}`: {e}", crate::files::shown(path));
        return Outcome::Failed;
    }
    Outcome::Changed
}

/// The formatted text, or `None` after printing why it cannot be formatted.
fn format(name: &str, bytes: &[u8], output: Output) -> Option<String> {
    let text = crate::files::decode(name, bytes, output)?;
    match esafety::format::format(name, text) {
        Ok(formatted) => Some(formatted),
        Err(diagnostics) => {
            err!("{}", render::human(&diagnostics, text, output.color));
            None
        }
    }
}

fn stdin(args: &Args, output: Output) -> u8 {
    let bytes = match esafety::read_bounded(std::io::stdin().lock()) {
        Ok(bytes) => bytes,
        Err(e) => {
            errln!("esafety: cannot read standard input: {e}");
            return EXIT_USAGE;
        }
    };
    let Some(formatted) = format("<stdin>", &bytes, output) else {
        return EXIT_FINDINGS;
    };
    let same = formatted.as_bytes() == bytes;
    if args.diff {
        if !same {
            let old = String::from_utf8_lossy(&bytes);
            out!("{}", diff("<stdin>", &old, &formatted, output.color));
        }
    } else if args.check {
        if !same {
            outln!("<stdin>");
        }
    } else {
        crate::console::write_bytes(formatted.as_bytes());
    }
    if (args.check || args.diff) && !same {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// A unified diff from the file as it is to the file formatted.
fn diff(name: &str, old: &str, new: &str, color: bool) -> String {
    let name = esafety::text::printable(name);
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&name, &format!("{name} (formatted)"))
        .to_string();
    if !color {
        return text;
    }
    text.lines()
        .map(|line| {
            let code = match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => "32",
                Some(b'-') if !line.starts_with("---") => "31",
                Some(b'@') => "36",
                _ => return format!("{line}\n"),
            };
            format!("\x1b[{code}m{line}\x1b[0m\n")
        })
        .collect()
}

/// Replaces a file by writing a sibling and renaming it over the original,
/// so that an interrupted write never leaves half a policy.
///
/// A symbolic link is followed, and the file it points to is replaced (the
/// link stays a link). A read-only file is not changed: formatting is an
/// edit like any other, and the file's owner said no.
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only, so esafety fmt leaves it as it is (make it writable to format it)",
        ));
    }
    let mut temp = target.as_os_str().to_owned();
    temp.push(".esafety-fmt");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, text)?;
    // Keep the file's permissions.
    let _ = std::fs::set_permissions(&temp, meta.permissions());
    if let Err(e) = std::fs::rename(&temp, &target) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    Ok(())
}
