//! `esafety render`: the readable policy, generated from the policy file.

use std::path::PathBuf;

use clap::ValueEnum;
use esafety::render::Document;

use crate::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Output, files};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy file.
    file: PathBuf,

    /// What to produce.
    #[arg(long, value_enum, default_value_t = Format::Html)]
    format: Format,

    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Add an "Ask the policy" panel to the HTML page, answered in the
    /// browser by esafety compiled to WebAssembly (build it with
    /// `scripts/build-wasm`). Deep links: `page.html#ask?role=pupil&action=…`.
    #[arg(long)]
    interactive: bool,

    /// The WebAssembly module for `--interactive` (default: `$ESAFETY_WASM`,
    /// else the one `scripts/build-wasm` builds in this workspace).
    #[arg(long, value_name = "FILE", requires = "interactive")]
    wasm: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One self-contained HTML page: every table, the timetable, the
    /// contacts, and each procedure as a flowchart (inline SVG).
    Html,
    /// Markdown (GitHub's flavour), with Mermaid flowcharts.
    Markdown,
    /// The procedures as Graphviz DOT, one digraph each.
    Dot,
}

pub(crate) fn run(args: &Args, output: Output) -> u8 {
    if args.interactive && args.format != Format::Html {
        errln!(
            "esafety: `--interactive` makes an HTML page; leave out `--format` or give `--format html`"
        );
        return EXIT_USAGE;
    }
    let Some(bytes) = files::read(&args.file) else {
        return EXIT_USAGE;
    };
    let name = args.file.display().to_string();
    let Some(text) = files::decode(&name, &bytes, output) else {
        return EXIT_FINDINGS;
    };
    let mut sources: Vec<esafety::family::SourceFile> = Vec::new();
    let mut read = |path: &str| {
        let text = esafety::read_base(path)?;
        sources.push(esafety::family::SourceFile::new(path, &text));
        Ok(text)
    };
    let document = match Document::from_family(&name, text, &mut read) {
        Ok(document) => document,
        Err(errors) => {
            let files: Vec<(&str, &str)> = std::iter::once((name.as_str(), text))
                .chain(sources.iter().map(|f| (f.path.as_str(), f.text.as_str())))
                .collect();
            err!(
                "{}",
                esafety::diagnostic::render::human_files(&errors, &files, output.color)
            );
            errln!(
                "esafety: `{}` has errors; fix them (see `esafety check`) before rendering it",
                crate::files::shown(&args.file)
            );
            return EXIT_FINDINGS;
        }
    };
    let rendered = match args.format {
        Format::Html if args.interactive => {
            let wasm = match crate::interactive::module(args.wasm.as_deref()) {
                Ok(wasm) => wasm,
                Err(why) => {
                    errln!("esafety: {why}");
                    return EXIT_USAGE;
                }
            };
            crate::interactive::page(&document.to_html(), &wasm, &name, text, &sources)
        }
        Format::Html => document.to_html(),
        Format::Markdown => document.to_markdown(),
        Format::Dot => {
            let dot = document.to_dot();
            if dot.is_empty() {
                errln!(
                    "esafety: `{}` has no routes, so there is no flowchart to draw",
                    crate::files::shown(&args.file)
                );
            }
            dot
        }
    };
    match &args.output {
        Some(path) => match std::fs::write(path, rendered) {
            Ok(()) => EXIT_OK,
            Err(e) => {
                errln!("esafety: cannot write `{}`: {e}", crate::files::shown(path));
                EXIT_USAGE
            }
        },
        None => {
            crate::console::write_bytes(rendered.as_bytes());
            EXIT_OK
        }
    }
}
