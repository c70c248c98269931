//! Policies shaped to find costs that grow faster than the policy: each
//! generator takes a size, and the benchmark measures it at two sizes ten
//! times apart. Linear work takes about ten times as long at the larger.
//!
//! * [`role_chain`]: roles nested `depth` deep (each role the only member of
//!   the one above), which made every command quadratic in the depth.
//! * [`cells_in_one_row`]: one row with a cell for each of `cells` roles.
//! * [`incident_per_row`]: `rows` rows each linked to an incident of its
//!   own, which made check and render quadratic in the rows.

use std::fmt::Write as _;

const HEAD: &str =
    "school \"Shaped Primary School\"\n  approved September 2025\n  review by July 2026\n";

/// Roles nested `depth` deep under `staff` (at most 65,000: a policy has at
/// most 65,535 roles), and one row that answers for `staff`.
pub fn role_chain(depth: usize) -> String {
    let mut text = String::from(HEAD);
    text.push_str("roles\n");
    let mut group = String::from("staff");
    for i in 0..depth {
        let _ = writeln!(text, "  {group} includes level-{i}");
        group = format!("level-{i}");
    }
    text.push_str(
        "rules rules \"Rules\"\n  row phones \"Use of mobile phones\"\n    staff: not allowed\n",
    );
    text
}

/// `cells` roles under `staff`, and one row with a cell for each of them.
pub fn cells_in_one_row(cells: usize) -> String {
    let mut text = String::from(HEAD);
    text.push_str("roles\n");
    for i in 0..cells {
        let _ = writeln!(text, "  staff includes member-{i}");
    }
    text.push_str("rules rules \"Rules\"\n  row phones \"Use of mobile phones\"\n");
    for i in 0..cells {
        let answer = if i % 2 == 0 { "allowed" } else { "not allowed" };
        let _ = writeln!(text, "    member-{i}: {answer}");
    }
    text
}

/// `rows` rows, each a breach by pupils that is an incident of its own.
pub fn incident_per_row(rows: usize) -> String {
    let mut text = String::from(HEAD);
    text.push_str("roles\n  staff includes teacher\n");
    text.push_str("communications comms \"Communications\"\n  column adults \"Staff & other adults\" for staff, visitor\n  column pupils \"Students / Pupils\" for pupil\n");
    for i in 0..rows {
        let _ = write!(
            text,
            "  row r{i} \"Generated row {i}\"\n    adults: allowed\n    pupils: not allowed\n    breach by pupil: i{i}\n"
        );
    }
    text.push_str("incidents pupil-incidents \"Pupil incidents\" for pupil\n  response head \"Refer to Headteacher\" refer teacher\n");
    for i in 0..rows {
        let _ = write!(
            text,
            "  incident i{i} \"Generated incident {i}\"\n    responses: head\n"
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_checks_clean_and_renders() {
        let today = esafety::CheckOptions::with_today(jiff::civil::date(2025, 10, 1));
        for (name, text) in [
            ("chain", role_chain(500)),
            ("cells", cells_in_one_row(500)),
            ("incidents", incident_per_row(500)),
        ] {
            let checked = esafety::check(name, &text, &today);
            assert!(
                checked.diagnostics.is_empty(),
                "{name}: {:?}",
                checked.diagnostics
            );
            let document = esafety::render::Document::from_text(name, &text);
            assert!(document.is_ok(), "{name}");
        }
    }
}
