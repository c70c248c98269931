//! `esafety diff`: what changed in meaning between two policies.

use std::path::PathBuf;

use clap::ValueEnum;

use crate::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Output, eval};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The old policy (last year's, or the trust's).
    old: PathBuf,

    /// The new policy.
    new: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Plain English.
    Human,
    /// Markdown tables, to paste into the governors' minutes.
    Markdown,
    /// One JSON document (see docs/cli.md).
    Json,
}

pub(crate) fn run(args: &Args, output: Output) -> u8 {
    let (Some(old), Some(new)) = (eval::load(&args.old, output), eval::load(&args.new, output))
    else {
        return EXIT_USAGE;
    };
    let diff = esafety::diff::diff(&old, &new);
    match args.format {
        Format::Human => out!("{}", diff.to_text()),
        Format::Markdown => out!("{}", diff.to_markdown()),
        Format::Json => match serde_json::to_string_pretty(&diff) {
            Ok(json) => outln!("{json}"),
            Err(e) => {
                errln!("esafety: cannot write the difference as JSON: {e}");
                return EXIT_USAGE;
            }
        },
    }
    if diff.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}
