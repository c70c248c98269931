//! `esafety`: check, evaluate and list school e-safety policies.
//!
//! Exit codes (a contract, see `docs/cli.md`):
//! * 0 — success (for `diff`: no difference in meaning);
//! * 1 — the checked policies have errors (or warnings, with `--deny-warnings`);
//!   for `diff`, the policies differ;
//! * 2 — bad usage, an unreadable file, a policy with errors, or a name the
//!   policy does not define.

#[macro_use]
mod console;
mod check;
mod diff;
mod eval;
mod files;
mod fmt;
mod interactive;
mod list;
mod render;
mod test;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code: everything worked.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: the policies have errors.
pub(crate) const EXIT_FINDINGS: u8 = 1;
/// Exit code: bad usage, unreadable input, unknown name.
pub(crate) const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "esafety",
    version,
    about = "School e-safety policies as code: check them, ask them questions, format, render, test and compare them.",
    after_help = "Exit codes: 0 success; 1 the policies have errors (or warnings with --deny-warnings), or (diff) the two policies differ; 2 bad usage, an unreadable file, a policy with errors, or a name the policy does not define."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check policy files and report every error and warning.
    Check(check::Args),
    /// Ask a policy whether an action is allowed, and what follows if not.
    Eval(eval::Args),
    /// List what a policy can be asked about: roles, periods, rows, devices,
    /// incidents, routes, contacts and facts.
    List(list::Args),
    /// Print the syntax tree of a policy file as JSON.
    Parse(ParseArgs),
    /// Rewrite policy files in the one canonical layout, keeping every
    /// comment.
    Fmt(fmt::Args),
    /// Produce the readable policy: every table, the timetable, the contacts
    /// and each procedure as a flowchart, as HTML, Markdown or Graphviz DOT.
    Render(render::Args),
    /// Run the tests written next to each policy (`*.policy-test`), and
    /// say which rows no test touches.
    Test(test::Args),
    /// Show what changed in meaning between two policies: every question
    /// they answer differently, grouped by row, incident and setting.
    Diff(diff::Args),
}

#[derive(Debug, clap::Args)]
struct ParseArgs {
    /// The policy file.
    file: std::path::PathBuf,

    /// Output format (the syntax tree is data, so JSON is the only one).
    #[arg(long, value_enum, default_value_t = TreeFormat::Json)]
    format: TreeFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TreeFormat {
    /// The `esafety::ast` types as JSON.
    Json,
}

/// Output settings shared by the subcommands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    pub(crate) color: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let output = Output { color };
    let code = match cli.command {
        Command::Check(args) => check::run(&args, output),
        Command::Eval(args) => eval::run(&args, output),
        Command::List(args) => list::run(&args, output),
        Command::Parse(args) => parse(&args, output),
        Command::Fmt(args) => fmt::run(&args, output),
        Command::Render(args) => render::run(&args, output),
        Command::Test(args) => test::run(&args, output),
        Command::Diff(args) => diff::run(&args, output),
    };
    ExitCode::from(code)
}

fn parse(args: &ParseArgs, output: Output) -> u8 {
    let Some(source) = files::read(&args.file) else {
        return EXIT_USAGE;
    };
    let name = args.file.display().to_string();
    let Some(text) = files::decode(&name, &source, output) else {
        return EXIT_FINDINGS;
    };
    let parsed = esafety::parse(&name, text);
    match serde_json::to_string_pretty(&parsed.file) {
        Ok(json) => outln!("{json}"),
        Err(e) => {
            errln!("esafety: cannot write the syntax tree as JSON: {e}");
            return EXIT_USAGE;
        }
    }
    if parsed.diagnostics.is_empty() {
        EXIT_OK
    } else {
        err!(
            "{}",
            esafety::diagnostic::render::human(&parsed.diagnostics, text, output.color)
        );
        EXIT_FINDINGS
    }
}
