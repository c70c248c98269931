//! A web-filtering console that asks a school's policy before letting a
//! request through, the way a program embedding esafety would.
//!
//! ```sh
//! cargo run -p esafety --example filtering_console -- policies/crockerne.policy
//! ```
//!
//! It loads the policy once, then decides a day's worth of requests (who, what,
//! when) without explanations, as a hot path would, and prints what it would
//! do: let the request through, block it, or block it and alert the person the
//! policy refers the breach to.

use std::process::ExitCode;

use esafety::{Decision, Policy, Query, Verdict};

/// One request the console sees: who, doing what, at what time on Tuesday
/// 4 November 2025.
struct Request {
    role: &'static str,
    action: &'static str,
    hour: i8,
    minute: i8,
}

const REQUESTS: [Request; 6] = [
    Request {
        role: "teacher",
        action: "social-media",
        hour: 10,
        minute: 35,
    },
    Request {
        role: "teacher",
        action: "social-media",
        hour: 11,
        minute: 0,
    },
    Request {
        role: "year-6",
        action: "gaming-non-educational",
        hour: 13,
        minute: 30,
    },
    Request {
        role: "year-3",
        action: "video-broadcasting",
        hour: 14,
        minute: 0,
    },
    Request {
        role: "technician",
        action: "bypass-filtering",
        hour: 16,
        minute: 0,
    },
    Request {
        role: "visitor",
        action: "extreme-pornography",
        hour: 12,
        minute: 10,
    },
];

fn action(d: &Decision) -> String {
    match d.verdict {
        Verdict::Allowed => "let through".to_owned(),
        Verdict::Conditional => "hold for a member of staff to decide".to_owned(),
        _ => {
            let alert: Vec<&str> = d
                .responses
                .referrals
                .iter()
                .flat_map(|r| r.to.iter().map(|t| t.title.as_ref()))
                .collect();
            let mut text = if d.verdict == Verdict::Illegal {
                "BLOCK (illegal)".to_owned()
            } else {
                "block".to_owned()
            };
            if !alert.is_empty() {
                text.push_str(&format!(" and alert {}", alert.join(", ")));
            }
            if let Some(route) = &d.route {
                text.push_str(&format!("; follow \"{}\"", route.label()));
            }
            text
        }
    }
}

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "policies/crockerne.policy".to_owned());
    let policy = match Policy::from_file(&path) {
        Ok(policy) => policy,
        Err(e) => {
            eprintln!("cannot load the policy: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{} (review by {})",
        policy.school().name,
        policy
            .school()
            .review_by
            .map_or("?".to_owned(), |d| d.to_string())
    );
    for r in REQUESTS {
        let at = jiff::civil::date(2025, 11, 4).at(r.hour, r.minute, 0, 0);
        let query = Query::action(r.role, r.action).at(at).explain(false);
        match policy.decide(&query) {
            Ok(d) => println!(
                "{:02}:{:02}  {:<11} {:<24} {}",
                r.hour,
                r.minute,
                r.role,
                r.action,
                action(&d)
            ),
            Err(e) => println!(
                "{:02}:{:02}  {:<11} {:<24} cannot ask: {e}",
                r.hour, r.minute, r.role, r.action
            ),
        }
    }
    ExitCode::SUCCESS
}
