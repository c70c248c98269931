//! esafety in the browser: the library compiled to WebAssembly.
//!
//! The interactive page (`esafety render --interactive`) loads this module
//! and asks every question through it, so every answer in the browser comes
//! from the same [`esafety::Policy::decide`] as the command line. Nothing
//! is re-implemented in JavaScript: the page's script only fills in forms
//! and shows what this module returns.
//!
//! The interface is a few functions over JSON ([`abi`]): the page writes a
//! request into a buffer this module owns, calls an operation, and reads the
//! reply from another buffer. The operations themselves are plain Rust
//! ([`load`], [`decide`]) and are tested on the host.

pub mod abi;

use std::collections::BTreeMap;

use esafety::diagnostic::Diagnostic;
use esafety::{CheckOptions, Policy, Query};
use serde::{Deserialize, Serialize};

/// What the page asks to load: a policy's text, and the texts of the
/// policies it extends (by the paths its `extends` lines resolve to).
#[derive(Debug, Deserialize)]
pub struct LoadRequest {
    /// The policy's file name, as diagnostics show it.
    pub path: String,
    /// Its text.
    pub text: String,
    /// The policies it extends, by path.
    #[serde(default)]
    pub bases: BTreeMap<String, String>,
    /// Whether to lay the policy out as HTML too (the editor does).
    #[serde(default)]
    pub render: bool,
    /// Today's date on the reader's clock (`YYYY-MM-DD`), so that the
    /// review-date warning is given as `esafety check` gives it; the module
    /// has no clock of its own.
    #[serde(default)]
    pub today: Option<String>,
}

/// What loading returns: the diagnostics, and, when the policy checks
/// clean of errors, what a question can name and (if asked) its page.
#[derive(Debug, Serialize)]
pub struct Loaded {
    /// Whether the policy has no errors (and is now the one questions go to).
    pub ok: bool,
    /// Every diagnostic, as `esafety check --format json` gives them.
    pub diagnostics: Vec<Diagnostic>,
    /// What a question can name, when `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub names: Option<Names>,
    /// The rendered page, when `ok` and asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// What a question can name, for the page's choices.
#[derive(Debug, Serialize)]
pub struct Names {
    /// Roles, each with its group (none for a base role).
    pub roles: Vec<Named>,
    /// Rows of the rule tables.
    pub rows: Vec<Named>,
    /// Incidents.
    pub incidents: Vec<Named>,
    /// Device kinds.
    pub devices: Vec<Named>,
    /// What may be asked of a device.
    pub capabilities: Vec<Named>,
    /// Facts a condition may test.
    pub facts: Vec<Named>,
    /// Places.
    pub places: Vec<Named>,
}

/// One name, its label, and where it is in the page.
#[derive(Debug, Serialize)]
pub struct Named {
    /// The id.
    pub id: String,
    /// The label (for roles, the group).
    pub label: String,
    /// The element of the rendered page it is shown in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
}

/// Checks and compiles a policy; on success it is the one [`decide`] asks.
pub fn load(request: &LoadRequest, current: &mut Option<Policy>) -> Loaded {
    let mut read = |path: &str| {
        request
            .bases
            .get(path)
            .cloned()
            .ok_or_else(|| "the page does not hold that file".to_owned())
    };
    let options = request
        .today
        .as_deref()
        .and_then(|day| esafety::parse_at(&format!("{day}T00:00")).ok())
        .map_or_else(CheckOptions::default, |at| {
            CheckOptions::with_today(at.date())
        });
    // Checked once: laid out as well when the editor asks for the page.
    let (checked, document) = if request.render {
        esafety::render::Document::check_family(&request.path, &request.text, &mut read, &options)
    } else {
        let checked =
            esafety::family::check_family(&request.path, &request.text, &mut read, &options);
        (checked, None)
    };
    let Some(policy) = checked.policy else {
        return Loaded {
            ok: false,
            diagnostics: checked.diagnostics,
            names: None,
            html: None,
        };
    };
    let html = document.map(|d| d.to_html());
    let names = names(&policy);
    *current = Some(policy);
    Loaded {
        ok: true,
        diagnostics: checked.diagnostics,
        names: Some(names),
        html,
    }
}

fn named(id: &str, label: &str, anchor: Option<String>) -> Named {
    Named {
        id: id.to_owned(),
        label: label.to_owned(),
        anchor,
    }
}

fn names(policy: &Policy) -> Names {
    Names {
        roles: policy
            .roles()
            .iter()
            .map(|r| named(&r.id, r.parent.as_deref().unwrap_or(""), None))
            .collect(),
        rows: policy
            .tables()
            .iter()
            .flat_map(|t| {
                t.rows.iter().map(|r| {
                    named(
                        &r.id,
                        &r.label,
                        Some(esafety::render::row_element_id(&t.id, &r.id)),
                    )
                })
            })
            .collect(),
        incidents: policy
            .incidents()
            .map(|i| {
                named(
                    &i.id,
                    &i.label,
                    Some(esafety::render::row_element_id(&i.table, &i.id)),
                )
            })
            .collect(),
        devices: policy
            .devices()
            .map(|d| named(&d.id, &d.label, None))
            .collect(),
        capabilities: esafety::Capability::ALL
            .iter()
            .map(|c| named(c.id(), c.label(), None))
            .collect(),
        facts: policy
            .facts()
            .iter()
            .map(|f| named(&f.id, &f.label, None))
            .collect(),
        places: policy
            .places()
            .iter()
            .map(|p| named(&p.id, &p.label, None))
            .collect(),
    }
}

/// The answer to a question, or why it cannot be answered (in the same
/// words as `esafety eval`: an unknown name gets the same did-you-mean).
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// The decision, as `esafety eval --format json` writes it.
    Decision(Box<esafety::Decision>),
    /// What was wrong with the question.
    Error(String),
}

/// Answers a question (in the JSON of `esafety eval --queries`) with the
/// policy [`load`] last accepted.
pub fn decide(query_json: &str, current: Option<&Policy>) -> Reply {
    let Some(policy) = current else {
        return Reply::Error("no policy is loaded".to_owned());
    };
    match serde_json::from_str::<Query>(query_json) {
        Ok(query) => match policy.decide(&query) {
            Ok(decision) => Reply::Decision(Box::new(decision)),
            Err(e) => Reply::Error(e.to_string()),
        },
        Err(e) => Reply::Error(format!("the question is not one esafety can read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::*;

    const POLICY: &str = "school \"Demo\"\ncommunications comms \"Communications\"\n  column pupils \"Pupils\" for pupil\n  row phones \"Use of mobile phones\"\n    pupils: not allowed\n";

    fn request(text: &str) -> LoadRequest {
        LoadRequest {
            path: "demo.policy".to_owned(),
            text: text.to_owned(),
            bases: BTreeMap::new(),
            render: true,
            today: None,
        }
    }

    #[test]
    fn a_policy_loads_and_answers_as_the_library_does() {
        let mut current = None;
        let loaded = load(&request(POLICY), &mut current);
        assert!(loaded.ok);
        assert!(loaded.html.unwrap().contains("Use of mobile phones"));
        let names = loaded.names.unwrap();
        assert_eq!(names.rows[0].anchor.as_deref(), Some("comms--phones"));
        let reply = decide(r#"{"role":"pupil","action":"phones"}"#, current.as_ref());
        let Reply::Decision(d) = reply else {
            panic!("{reply:?}")
        };
        let direct = Policy::parse("demo.policy", POLICY)
            .unwrap()
            .decide(&Query::action("pupil", "phones"))
            .unwrap();
        assert_eq!(*d, direct);
    }

    #[test]
    fn an_unknown_name_gets_the_command_lines_words() {
        let mut current = None;
        load(&request(POLICY), &mut current);
        let reply = decide(r#"{"role":"pupils","action":"phones"}"#, current.as_ref());
        let Reply::Error(message) = reply else {
            panic!("{reply:?}")
        };
        assert_eq!(message, "unknown role `pupils`: did you mean `pupil`?");
    }

    #[test]
    fn the_review_date_is_checked_against_the_readers_today() {
        let dated = POLICY.replace(
            "school \"Demo\"\n",
            "school \"Demo\"\n  approved 1 September 2025\n  review by September 2026\n",
        );
        let warned = |today: Option<&str>| {
            let mut current = None;
            let mut req = request(&dated);
            req.today = today.map(str::to_owned);
            let loaded = load(&req, &mut current);
            assert!(loaded.ok);
            loaded
                .diagnostics
                .iter()
                .any(|d| d.code.as_str() == "W0104")
        };
        assert!(!warned(None));
        assert!(!warned(Some("2026-08-31")));
        assert!(warned(Some("2026-10-01")));
        assert!(!warned(Some("not a date")));
    }

    #[test]
    fn a_policy_with_errors_keeps_the_last_good_one() {
        let mut current = None;
        load(&request(POLICY), &mut current);
        let loaded = load(
            &request(&POLICY.replace("pupils:", "pupills:")),
            &mut current,
        );
        assert!(!loaded.ok);
        let error = loaded.diagnostics.iter().find(|d| d.is_error()).unwrap();
        assert_eq!((error.code.as_str(), error.location.line), ("E0201", 5));
        assert!(matches!(
            decide(r#"{"role":"pupil","action":"phones"}"#, current.as_ref()),
            Reply::Decision(_)
        ));
    }
}
