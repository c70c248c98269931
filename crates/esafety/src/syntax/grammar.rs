//! The pest parser generated from `grammar/policy.pest`.

#![allow(missing_docs)]

/// The parser for `grammar/policy.pest`. `Rule::line` reads one line.
#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/policy.pest"]
pub(crate) struct PolicyParser;
