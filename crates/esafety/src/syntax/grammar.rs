//! The pest parser generated from `grammar/policy.pest` and
//! `grammar/policy-test.pest`.
//!
//! The two grammars are compiled into one parser: the test language reuses
//! the policy language's tokens, and one `Rule` type lets syntax errors in
//! both be described by the same code (`expected.rs`).

#![allow(missing_docs)]

/// The parser. `Rule::line` reads one line of a policy, `Rule::test_line`
/// one line of a test file.
#[derive(pest_derive::Parser)]
#[grammar = "grammar/policy.pest"]
#[cfg_attr(feature = "test-language", grammar = "grammar/policy-test.pest")]
pub(crate) struct PolicyParser;
