//! esafety: school e-safety policies as code.
#![deny(missing_docs)]

pub mod ast;
mod check;
pub mod diagnostic;
mod eval;
mod load;
mod model;
mod span;
mod suggest;
pub mod syntax;
mod timetable;

pub use check::{CheckOptions, Checked, check, check_bytes};
pub use eval::{
    Condition, ConditionKind, Decision, IncidentRef, Query, QueryError, RouteOutcome, RuleRef,
    StepOutcome, Verdict,
};
pub use load::LoadError;
pub use model::*;
pub use span::Span;
pub use suggest::normalize_label;
pub use syntax::{Parsed, parse};
