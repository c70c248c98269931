//! The evaluator's rules, one by one, on small policies written for each.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use esafety::{ConditionKind, Decision, Policy, Query, QueryError, Verdict};

fn policy(text: &str) -> Policy {
    Policy::parse("test.policy", text).unwrap_or_else(|e| panic!("{e}\n{:#?}", e.diagnostics()))
}

fn ask(p: &Policy, q: Query) -> Decision {
    p.decide(&q).unwrap()
}

fn tuesday(h: i8, m: i8) -> jiff::civil::DateTime {
    jiff::civil::date(2025, 11, 4).at(h, m, 0, 0)
}

const ROLES: &str = r#"
school "Test Primary"
roles
  staff includes teacher, senior-leader
  senior-leader includes headteacher
  pupil includes year-5, year-6
"#;

#[test]
fn the_most_specific_rule_wins() {
    let p = policy(&format!(
        "{ROLES}
rules r \"Rules\"
  row phones \"Phones\"
    everyone: not allowed
    pupil: allowed with staff permission
    year-6: allowed
    staff: allowed
    senior-leader: not allowed
"
    ));
    let verdict = |role: &str| ask(&p, Query::action(role, "phones")).verdict;
    assert_eq!(verdict("year-6"), Verdict::Allowed);
    assert_eq!(verdict("year-5"), Verdict::Conditional);
    assert_eq!(verdict("pupil"), Verdict::Conditional);
    assert_eq!(verdict("teacher"), Verdict::Allowed);
    assert_eq!(verdict("headteacher"), Verdict::Denied);
    assert_eq!(verdict("visitor"), Verdict::Denied);
    // The cell that decided is cited.
    let d = ask(&p, Query::action("headteacher", "phones"));
    assert_eq!(d.rule.unwrap().column.as_deref(), Some("senior-leader"));
    assert!(!d.default);
    // Asking for a group mentions members with their own answer.
    let d = ask(&p, Query::action("pupil", "phones"));
    assert!(
        d.explanation
            .iter()
            .any(|e| e.contains("`year-6` (allowed")),
        "{:?}",
        d.explanation
    );
}

#[test]
fn unanswered_questions_are_denied_by_default() {
    let p = policy(&format!(
        "{ROLES}
communications c \"Communications\"
  row blogs \"Use of blogs\"
    pupil: not allowed
    # Left empty in the document.
    staff: blank
    breach by pupil: i
  row vlogs \"Use of vlogs\"
    pupil: not allowed
incidents pupil-incidents \"Pupil incidents\" for pupil
  response warning \"Warning\" sanction
  incident i \"An incident\"
    responses: warning
"
    ));
    // No cell for visitors, or any group above them.
    let d = ask(&p, Query::action("visitor", "blogs"));
    assert_eq!((d.verdict, d.default), (Verdict::Denied, true));
    assert!(d.incident.is_none());
    // A blank cell.
    let d = ask(&p, Query::action("teacher", "blogs"));
    assert_eq!((d.verdict, d.default), (Verdict::Denied, true));
    assert!(d.explanation.iter().any(|e| e.contains("blank")));
    // A real denial is not a default one, and brings its incident.
    let d = ask(&p, Query::action("year-5", "blogs"));
    assert_eq!((d.verdict, d.default), (Verdict::Denied, false));
    assert_eq!(d.incident.unwrap().id.as_ref(), "i");
    assert_eq!(d.responses.sanctions[0].label.as_ref(), "Warning");
    // A denial with no breach link brings no incident.
    assert!(ask(&p, Query::action("pupil", "vlogs")).incident.is_none());
}

const TIMES: &str = r#"
school "Test Primary"
timetable
  monday to friday
    lessons 09:00 to 12:00
    lunch 12:00 to 13:00
    lessons 13:00 to 15:00
  social-time means lunch
  term "Autumn" 2025-09-03 to 2025-12-19
  holiday "Half term" 2025-10-27 to 2025-10-31
communications c "Communications"
  row during "During social time"
    staff: allowed at certain times during social-time
  row outside "Outside lessons"
    staff: allowed at certain times outside lessons
  row weekend "At weekends"
    staff: allowed at certain times during weekend, holiday
  row unnamed "At unnamed times"
    staff: allowed at certain times
"#;

#[test]
fn time_windows_resolve_through_the_timetable() {
    let p = policy(TIMES);
    let at = |row: &str, at| ask(&p, Query::action("staff", row).at(at)).verdict;
    assert_eq!(at("during", tuesday(12, 30)), Verdict::Allowed);
    assert_eq!(at("during", tuesday(10, 0)), Verdict::Denied);
    assert_eq!(at("outside", tuesday(12, 30)), Verdict::Allowed);
    assert_eq!(at("outside", tuesday(8, 0)), Verdict::Allowed);
    assert_eq!(at("outside", tuesday(14, 59)), Verdict::Denied);
    assert_eq!(at("outside", tuesday(15, 0)), Verdict::Allowed);
    // Saturday.
    assert_eq!(
        at("weekend", jiff::civil::date(2025, 11, 8).at(10, 0, 0, 0)),
        Verdict::Allowed
    );
    // Half term, a Tuesday: no lessons, and the holiday window applies.
    let half_term = jiff::civil::date(2025, 10, 28).at(10, 0, 0, 0);
    assert_eq!(at("weekend", half_term), Verdict::Allowed);
    assert_eq!(at("outside", half_term), Verdict::Allowed);
    // Outside any term is a holiday too.
    let summer = jiff::civil::date(2025, 8, 5).at(10, 0, 0, 0);
    assert_eq!(at("weekend", summer), Verdict::Allowed);
    assert_eq!(at("during", summer), Verdict::Denied);
}

#[test]
fn without_a_time_the_answer_is_conditional() {
    let p = policy(TIMES);
    let d = ask(&p, Query::action("staff", "during"));
    assert_eq!(d.verdict, Verdict::Conditional);
    let c = d.condition.unwrap();
    assert_eq!(c.kind, ConditionKind::Time);
    assert_eq!(c.text.as_ref(), "only during social-time");
    // Unnamed times: no time settles it.
    for q in [
        Query::action("staff", "unnamed"),
        Query::action("staff", "unnamed").at(tuesday(12, 30)),
    ] {
        let d = ask(&p, q);
        assert_eq!(d.verdict, Verdict::Conditional);
        assert_eq!(d.condition.unwrap().kind, ConditionKind::Unspecified);
    }
}

#[test]
fn facts_settle_nominated_and_permission_rules() {
    let p = policy(&format!(
        "{ROLES}
rules r \"Rules\"
  row twitter \"School twitter\"
    staff: allowed for selected staff
  row shop \"Shopping\"
    staff: allowed for nominated users
  row trip \"Phones on trips\"
    staff: allowed with permission from headteacher
"
    ));
    for row in ["twitter", "shop"] {
        let d = ask(&p, Query::action("teacher", row));
        assert_eq!(
            (d.verdict, d.condition.unwrap().kind),
            (Verdict::Conditional, ConditionKind::Nominated)
        );
        assert_eq!(
            ask(&p, Query::action("teacher", row).fact("nominated", true)).verdict,
            Verdict::Allowed
        );
        assert_eq!(
            ask(&p, Query::action("teacher", row).fact("nominated", false)).verdict,
            Verdict::Denied
        );
    }
    let d = ask(&p, Query::action("teacher", "trip"));
    let c = d.condition.unwrap();
    assert_eq!(
        (d.verdict, c.kind),
        (Verdict::Conditional, ConditionKind::Permission)
    );
    assert_eq!(c.text.as_ref(), "only with permission from headteacher");
    assert_eq!(
        ask(
            &p,
            Query::action("teacher", "trip").fact("permission", true)
        )
        .verdict,
        Verdict::Allowed
    );
}

const INCIDENTS: &str = r#"
school "Test Primary"
contacts
  contact police "Police" phone "101"
facts
  fact substance "The concern has substance"
user actions u "User Actions"
  row abuse "Abuse images"
    everyone: unacceptable and illegal
    breach by pupil: illegal
    follow route illegal
  row copying "Copying"
    everyone: unacceptable
    breach by pupil: minor
incidents pupil-incidents "Pupil incidents" for pupil
  response head "Refer to Headteacher" refer staff
  response police "Refer to Police" refer police
  response parents "Inform parents / carers" notify parent
  response warning "Warning" sanction
  incident illegal "Illegal material"
    responses: police, head
    follow route illegal
  incident minor "Minor"
    responses: warning
  incident repeated "Continued infringements"
    responses: parents, head
    repeat offences after 2 prior incidents
route illegal "Illegal Incidents"
  step "Report to the police" refer police
  step "Call 999" refer police if immediate-risk
  step "Reassure parents" notify parent unless immediate-risk
  step "Discuss" if substance and permission
  step "Escalate" if substance or immediate-risk
"#;

#[test]
fn breaches_bring_their_incident_in_column_order() {
    let p = policy(INCIDENTS);
    let d = ask(&p, Query::action("pupil", "abuse"));
    assert_eq!(d.verdict, Verdict::Illegal);
    assert_eq!(d.incident.unwrap().id.as_ref(), "illegal");
    // Listed "police, head"; the table's columns put head first.
    let ids: Vec<&str> = d
        .responses
        .referrals
        .iter()
        .map(|r| r.id.as_ref())
        .collect();
    assert_eq!(ids, ["head", "police"]);
    assert_eq!(d.responses.referrals[1].to[0].phone.as_deref(), Some("101"));
    // A visitor has no incidents table, but the row's route still applies.
    let d = ask(&p, Query::action("visitor", "abuse"));
    assert!(d.incident.is_none());
    assert_eq!(d.route.unwrap().id(), "illegal");
}

#[test]
fn repeat_offences_escalate_from_the_threshold() {
    let p = policy(INCIDENTS);
    let ids = |d: &Decision| {
        let mut v: Vec<String> = d.responses.iter().map(|r| r.id.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(
        ids(&ask(&p, Query::action("pupil", "copying").prior(1))),
        ["warning"]
    );
    assert_eq!(
        ids(&ask(&p, Query::action("pupil", "copying").prior(2))),
        ["head", "parents", "warning"]
    );
    assert_eq!(
        ids(&ask(&p, Query::incident("pupil", "minor").prior(7))),
        ["head", "parents", "warning"]
    );
    // The repeat incident itself does not escalate again.
    assert_eq!(
        ids(&ask(&p, Query::incident("pupil", "repeated").prior(9))),
        ["head", "parents"]
    );
}

#[test]
fn route_steps_follow_the_facts() {
    let p = policy(INCIDENTS);
    let steps = |q: Query| -> Vec<String> {
        ask(&p, q)
            .route
            .unwrap()
            .steps()
            .map(|s| format!("{}{}", s.step.number, if s.pending { "?" } else { "" }))
            .collect()
    };
    let q = || Query::incident("pupil", "illegal");
    assert_eq!(steps(q()), ["1", "2?", "3?", "4?", "5?"]);
    assert_eq!(
        steps(q().fact("immediate-risk", true)),
        ["1", "2", "4?", "5"]
    );
    assert_eq!(
        steps(q().fact("immediate-risk", false)),
        ["1", "3", "4?", "5?"]
    );
    assert_eq!(
        steps(q().fact("immediate-risk", false).fact("substance", false)),
        ["1", "3"]
    );
    assert_eq!(
        steps(q().fact("substance", true).fact("permission", true)),
        ["1", "2?", "3?", "4", "5"]
    );
    assert_eq!(
        steps(q().fact("substance", true).fact("permission", false)),
        ["1", "2?", "3?", "5"]
    );
}

#[test]
fn names_are_found_by_id_or_by_label_in_any_case() {
    let p = policy(INCIDENTS);
    for name in ["abuse", "Abuse images", "  abuse   IMAGES "] {
        assert_eq!(
            ask(&p, Query::action("pupil", name))
                .rule
                .unwrap()
                .row
                .as_ref(),
            "abuse"
        );
    }
    assert_eq!(
        ask(&p, Query::incident("pupil", "illegal MATERIAL"))
            .incident
            .unwrap()
            .id
            .as_ref(),
        "illegal"
    );
    let p = policy(&format!(
        "{ROLES}\nrules r \"Rules\"\n  row x \"X\"\n    everyone: allowed\n"
    ));
    assert_eq!(
        ask(&p, Query::action("Year 5", "x")).verdict,
        Verdict::Allowed
    );
}

#[test]
fn unknown_names_are_errors_with_suggestions() {
    let p = policy(INCIDENTS);
    let err = |q: Query| p.decide(&q).unwrap_err();
    let e = err(Query::action("pupils", "abuse"));
    assert_eq!(e.kind(), "unknown-role");
    assert_eq!(e.suggestions(), ["pupil"]);
    assert_eq!(
        e.to_string(),
        "unknown role `pupils`: did you mean `pupil`?"
    );
    let e = err(Query::action("pupil", "images"));
    assert_eq!(e.kind(), "unknown-action");
    assert_eq!(e.suggestions(), ["Abuse images"]);
    assert_eq!(
        err(Query::incident("pupil", "ilegal")).suggestions(),
        ["illegal"]
    );
    assert_eq!(
        err(Query::action("pupil", "abuse").fact("immediate-rsk", true)).suggestions(),
        ["immediate-risk"]
    );
    assert_eq!(
        err(Query::device("laptop", "Internet only")).kind(),
        "unknown-device"
    );
    assert!(matches!(
        err(Query::incident("visitor", "minor")),
        QueryError::IncidentNotForRole { .. }
    ));
    assert_eq!(err(Query::default()).kind(), "incomplete-query");
    assert_eq!(
        err(Query::default().role("pupil")).kind(),
        "incomplete-query"
    );
    let mut both = Query::action("pupil", "abuse");
    both.incident = Some("minor".into());
    assert_eq!(err(both).kind(), "incomplete-query");

    let p = policy(
        "school \"S\"\ncommunications c \"C\"\n  row a \"Same\"\n    pupil: allowed\nrules r \"R\"\n  row b \"Same\"\n    pupil: not allowed\n",
    );
    let e = p.decide(&Query::action("pupil", "same")).unwrap_err();
    assert_eq!(e.kind(), "ambiguous");
    assert_eq!(e.suggestions(), ["a", "b"]);
    // By id there is no ambiguity.
    assert_eq!(
        ask(&p, Query::action("pupil", "b")).verdict,
        Verdict::Denied
    );
}

#[test]
fn device_capabilities() {
    let p = policy(
        r#"
school "S"
devices d "Devices"
  device phone "Student owned"
    allowed in school: with permission, "left in office"
    network access: none
    breach by pupil: phone-misuse
  device tablet "Visitor owned"
    allowed in school: no
    network access: internet only
  device unknown "Staff owned"
    allowed in school: blank
    network access: blank
incidents i "Incidents" for pupil
  response warning "Warning" sanction
  incident phone-misuse "Phone misuse"
    responses: warning
"#,
    );
    let v = |device: &str, cap: &str| ask(&p, Query::device(device, cap)).verdict;
    assert_eq!(v("phone", "Allowed in school"), Verdict::Conditional);
    assert_eq!(v("phone", "No network access"), Verdict::Allowed);
    assert_eq!(v("phone", "Full network access"), Verdict::Denied);
    assert_eq!(v("tablet", "allowed-in-school"), Verdict::Denied);
    assert_eq!(v("tablet", "internet only"), Verdict::Allowed);
    let d = ask(&p, Query::device("unknown", "Internet only"));
    assert_eq!((d.verdict, d.default), (Verdict::Denied, true));
    let d = ask(
        &p,
        Query::device("phone", "Allowed in school").fact("permission", true),
    );
    assert_eq!(
        (d.verdict, d.note.as_deref()),
        (Verdict::Allowed, Some("left in office"))
    );
    // With a role, a device breach brings that role's incident.
    let d = ask(
        &p,
        Query::device("phone", "Allowed in school")
            .fact("permission", false)
            .role("pupil"),
    );
    assert_eq!(d.incident.unwrap().id.as_ref(), "phone-misuse");
    assert_eq!(
        p.decide(&Query::device("phone", "Bluetooth"))
            .unwrap_err()
            .kind(),
        "unknown-capability"
    );
}

/// Representative decisions of the shipped policies, as the JSON contract
/// shows them.
#[test]
fn shipped_policy_decisions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let crockerne = Policy::from_file(root.join("crockerne.policy")).unwrap();
    let st_botolphs = Policy::from_file(root.join("st-botolphs.policy")).unwrap();
    let cases = [
        (
            "crockerne_pupil_phone_in_lessons",
            &crockerne,
            Query::action("pupil", "Use of mobile phones in lessons"),
        ),
        (
            "crockerne_year5_phone_without_permission",
            &crockerne,
            Query::action("year-5", "phones-brought").fact("permission", false),
        ),
        (
            "crockerne_teacher_email_in_a_lesson_repeat",
            &crockerne,
            Query::action("teacher", "personal-email")
                .at(tuesday(10, 0))
                .prior(1),
        ),
        (
            "crockerne_grooming",
            &crockerne,
            Query::action("year-4", "grooming").fact("child-abuse-images", false),
        ),
        (
            "crockerne_visitor_device_network",
            &crockerne,
            Query::device("Visitor owned", "Full network access"),
        ),
        (
            "st_botolphs_exploitation_immediate_risk",
            &st_botolphs,
            Query::incident("year-6", "child-sexual-abuse").fact("immediate-risk", true),
        ),
        (
            "st_botolphs_staff_radicalisation",
            &st_botolphs,
            Query::incident("teacher", "Online Radicalisation and Extremism"),
        ),
        (
            "st_botolphs_social_media",
            &st_botolphs,
            Query::action("year-3", "Use of social media").at(tuesday(12, 30)),
        ),
    ];
    for (name, policy, query) in cases {
        insta::assert_json_snapshot!(name, ask(policy, query));
    }
}

#[test]
fn everyone_is_not_a_role_a_question_can_name() {
    // `everyone` answers for all users in a table, but no person is only
    // "everyone": the error suggests the roles that can be asked, never
    // `everyone` itself.
    let p = policy(&format!(
        "{ROLES}
rules r \"Rules\"
  row phones \"Phones\"
    everyone: not allowed
"
    ));
    let err = p.decide(&Query::action("everyone", "phones")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown role `everyone`: did you mean `staff`, `pupil`, `visitor` or `parent`?"
    );
    assert!(!err.suggestions().iter().any(|s| s == "everyone"));
    // A near miss is never corrected to it either.
    let err = p.decide(&Query::action("everyon", "phones")).unwrap_err();
    assert!(!err.suggestions().iter().any(|s| s == "everyone"), "{err}");
}

#[test]
fn overlong_names_are_refused_before_any_look_up() {
    let p = policy(&format!(
        "{ROLES}
rules r \"Rules\"
  row phones \"Phones\"
    everyone: not allowed
"
    ));
    let huge = "x".repeat(esafety::MAX_NAME_BYTES + 1);
    for (field, q) in [
        ("role", Query::action(huge.clone(), "phones")),
        ("action", Query::action("pupil", huge.clone())),
        ("incident", Query::incident("pupil", huge.clone())),
        ("device", Query::device(huge.clone(), "Allowed in school")),
        (
            "fact",
            Query::action("pupil", "phones").fact(huge.clone(), true),
        ),
        (
            "place",
            Query::action("pupil", "phones").place(huge.clone()),
        ),
        (
            "role",
            Query::action("pupil", "phones").and_role(huge.clone()),
        ),
        (
            "history incident",
            Query::incident("pupil", "misuse")
                .earlier(huge.clone(), jiff::civil::date(2025, 11, 3).at(9, 0, 0, 0)),
        ),
    ] {
        let err = p.decide(&q).unwrap_err();
        assert_eq!(err.kind(), "too-long", "{field}");
        assert_eq!(
            err.to_string(),
            format!(
                "the {field} given is {} bytes long; names and labels in a question may be up to {} bytes",
                huge.len(),
                esafety::MAX_NAME_BYTES
            )
        );
    }
    // A name at the limit is looked up as usual (and not found).
    let long = "x".repeat(esafety::MAX_NAME_BYTES);
    assert_eq!(
        p.decide(&Query::action("pupil", long)).unwrap_err().kind(),
        "unknown-action"
    );
}
