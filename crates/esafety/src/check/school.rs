//! School metadata, review dates, contacts and facts.

use std::sync::Arc;

use super::Checker;
use crate::ast::{DateValue, Reach, SchoolItemKind, Section};
use crate::condition::MAX_PLACES;
use crate::diagnostic::Code;
use crate::model::{
    BUILT_IN_FACTS, ContactInfo, FactInfo, PlaceInfo, PolicyDate, SchoolInfo, Target,
};
use crate::span::Span;

/// The heading line of a section.
fn section_span(section: &Section) -> Span {
    match section {
        Section::School(s) => s.span,
        Section::Roles(s) => s.span,
        Section::Timetable(s) => s.span,
        Section::Contacts(s) => s.span,
        Section::Facts(s) => s.span,
        Section::Places(s) => s.span,
        Section::Table(s) => s.span,
        Section::Devices(s) => s.span,
        Section::Incidents(s) => s.span,
        Section::Route(s) => s.span,
    }
}

impl Checker<'_, '_> {
    /// Validates a written date, reporting an impossible one.
    pub(super) fn date(&mut self, date: &DateValue) -> Option<PolicyDate> {
        let year = i16::try_from(date.year)
            .ok()
            .filter(|y| (1900..=2200).contains(y));
        let month = i8::try_from(date.month)
            .ok()
            .filter(|m| (1..=12).contains(m));
        let day = match date.day {
            Some(d) => match i8::try_from(d) {
                Ok(d) => Some(Some(d)),
                Err(_) => None,
            },
            None => Some(None),
        };
        let valid = match (year, month, day) {
            (Some(y), Some(m), Some(d)) => {
                let candidate = PolicyDate {
                    year: y,
                    month: m,
                    day: d,
                };
                jiff::civil::Date::new(y, m, d.unwrap_or(1))
                    .ok()
                    .map(|_| candidate)
            }
            _ => None,
        };
        if valid.is_none() {
            let why = if year.is_none() {
                "the year must be between 1900 and 2200".to_owned()
            } else if month.is_none() {
                "there is no such month".to_owned()
            } else {
                "that month has no such day".to_owned()
            };
            self.r
                .report(Code::ImpossibleDate, date.span, format!("this date does not exist: {why}"))
                .label("impossible date")
                .help("Write a real date, as `2021-04-14`, `14 April 2021`, or a whole month as `April 2021`.");
        }
        valid
    }

    pub(super) fn check_school(&mut self, sections: &[Section]) {
        let schools: Vec<_> = sections
            .iter()
            .filter_map(|s| match s {
                Section::School(x) => Some(x),
                _ => None,
            })
            .collect();
        let Some(school) = schools.first() else {
            if self.partial {
                return;
            }
            // Point at the first heading, where the `school` line should go.
            let first = sections.first().map_or(
                Span {
                    start: 0,
                    end: 0,
                    line: 1,
                    column: 1,
                },
                section_span,
            );
            self.r
                .report(Code::MissingSchool, first, "the policy does not say which school it belongs to")
                .label("expected a `school` line before this")
                .help("Start the file with the school's name, e.g. `school \"Crockerne Church of England Primary School\"`, followed by `approved` and `review by` dates.");
            return;
        };
        for extra in schools.iter().skip(1) {
            self.r
                .report(Code::DuplicateSection, extra.span, "a policy file describes one school, but this is a second `school` heading")
                .label("second `school`")
                .secondary(school.span, "the school is named here")
                .help("Keep one `school` heading per file; put another school's policy in its own file.");
        }
        self.require_label(&school.name, "school");

        let mut info = SchoolInfo {
            name: school.name.text.to_string(),
            template: None,
            approved: None,
            review_by: None,
            owner: None,
        };
        let mut approved_span = None;
        let mut review_span = None;
        for item in &school.items {
            let twice = |checker: &mut Self, what: &str| {
                checker
                    .r
                    .report(
                        Code::DuplicateDefinition,
                        item.span,
                        format!("the school's {what} is given twice"),
                    )
                    .label("given again here")
                    .help(format!("Keep one `{what}` line and delete the other."));
            };
            match &item.kind {
                SchoolItemKind::Template { name } => {
                    if info.template.is_some() {
                        twice(self, "template");
                    }
                    info.template = Some(name.text.to_string());
                }
                SchoolItemKind::Owner { name } => {
                    if info.owner.is_some() {
                        twice(self, "owner");
                    }
                    info.owner = Some(name.text.to_string());
                }
                SchoolItemKind::Approved { date } => {
                    if info.approved.is_some() {
                        twice(self, "approved");
                    }
                    info.approved = self.date(date);
                    approved_span = Some(date.span);
                }
                SchoolItemKind::ReviewBy { date } => {
                    if info.review_by.is_some() {
                        twice(self, "review by");
                    }
                    info.review_by = self.date(date);
                    review_span = Some(date.span);
                }
            }
        }

        if let (Some(approved), Some(review), Some(a_span), Some(r_span)) =
            (info.approved, info.review_by, approved_span, review_span)
        {
            if review.last_day() < approved.first_day() {
                self.r
                    .report(Code::ReviewBeforeApproval, r_span, format!("the review date ({review}) is before the approval date ({approved})"))
                    .label("before approval")
                    .secondary(a_span, "approved here")
                    .help("The next review comes after the policy is approved: check the year of both dates.");
            } else if let Some(limit) = crate::calendar::add_months(approved.first_day(), 12)
                && review.first_day() > limit
            {
                self.r
                        .report(Code::LongReviewInterval, r_span, format!("the next review ({review}) is more than twelve months after approval ({approved})"))
                        .label("more than a year away")
                        .secondary(a_span, "approved here")
                        .help("Online safety policies are reviewed at least annually: set the review date within twelve months of approval.");
            }
        }

        if let Some(today) = self.options.today {
            match (info.review_by, review_span) {
                (Some(review), Some(span)) if today > review.last_day() => {
                    self.r
                        .report(Code::ReviewOverdue, span, format!("the review date ({review}) has passed; today is {today}"))
                        .label("review overdue")
                        .help("Review the policy with the governing body, then update `approved` and `review by`. Policies must be reviewed every year.");
                }
                (None, _) if !self.partial => {
                    self.r
                        .report(Code::ReviewOverdue, school.span, "the policy gives no review date, so nobody can tell when it is due")
                        .label("no `review by` line")
                        .help("Add `review by <date>` under the school, e.g. `review by April 2022`. Policies must be reviewed every year.");
                }
                _ => {}
            }
        }
        self.school = Some(info);
    }

    pub(super) fn check_contacts_and_facts(&mut self, sections: &[Section]) {
        for section in sections {
            match section {
                Section::Contacts(contacts) => {
                    for c in &contacts.contacts {
                        self.require_label(&c.title, "contact");
                        if self.role(&c.id.text).is_some() {
                            let role_span = self.role_defs.span(&c.id.text);
                            let mut b = self
                                .r
                                .report(
                                    Code::DuplicateDefinition,
                                    c.id.span,
                                    format!("contact `{}` has the same name as a role", c.id.text),
                                )
                                .label("also a role");
                            if let Some(span) = role_span.filter(|s| s.line > 0) {
                                b = b.secondary(span, "the role");
                            }
                            b.help("Referrals name a role or a contact; give the contact a different id, e.g. `external-police`.");
                            continue;
                        }
                        let index = self.contacts.len();
                        if !Self::define(
                            self.r,
                            &mut self.contact_defs,
                            &c.id,
                            index,
                            "Give each contact its own id.",
                        ) {
                            continue;
                        }
                        let mut target = Target {
                            id: c.id.text.clone(),
                            title: c.title.text.clone(),
                            phone: None,
                            url: None,
                            email: None,
                        };
                        let mut in_school = false;
                        for reach in &c.reach {
                            match reach {
                                Reach::Phone { number } => target.phone = Some(number.text.clone()),
                                Reach::Url { url } => target.url = Some(url.text.clone()),
                                Reach::Email { address } => {
                                    target.email = Some(address.text.clone())
                                }
                                Reach::InSchool { .. } => in_school = true,
                            }
                        }
                        if c.reach.is_empty() {
                            self.r
                                .report(Code::UnreachableContact, c.span, format!("contact `{}` has no way to reach it", c.id.text))
                                .label("no phone, url, email or `in school`")
                                .help("Add how to reach it as the document publishes it, e.g. `phone \"101\"` or `url \"https://…\"`, or `in school` for someone on site.");
                        }
                        self.contacts.push(ContactInfo {
                            target,
                            in_school,
                            line: Self::line(c.span),
                        });
                    }
                }
                Section::Facts(facts) => {
                    for f in &facts.facts {
                        self.require_label(&f.label, "fact");
                        let index = self.facts.len();
                        if Self::define(
                            self.r,
                            &mut self.fact_defs,
                            &f.id,
                            index,
                            "Declare each fact once.",
                        ) {
                            self.facts.push(FactInfo {
                                id: f.id.text.clone(),
                                label: f.label.text.clone(),
                                built_in: BUILT_IN_FACTS.iter().any(|(id, _)| *id == &*f.id.text),
                            });
                        }
                    }
                }
                Section::Places(places) => {
                    for p in &places.places {
                        self.require_label(&p.label, "place");
                        if self.places.len() >= MAX_PLACES {
                            self.r
                                .report(Code::LimitExceeded, p.id.span, format!("a policy may declare at most {MAX_PLACES} places"))
                                .label("one too many")
                                .help("Name the places the document's rules tell apart; a rule for several places lists them, `in library, canteen`.");
                            break;
                        }
                        let index = u8::try_from(self.places.len()).unwrap_or(u8::MAX);
                        if Self::define(
                            self.r,
                            &mut self.place_defs,
                            &p.id,
                            index,
                            "Declare each place once.",
                        ) {
                            self.places.push(PlaceInfo {
                                id: p.id.text.clone(),
                                label: p.label.text.clone(),
                                line: Self::line(p.span),
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        // Built-in facts the policy did not declare itself.
        for (id, label) in BUILT_IN_FACTS {
            if self.fact_defs.get(id).is_none() {
                let index = self.facts.len();
                self.fact_defs.insert(id, index, Span::default());
                self.facts.push(FactInfo {
                    id: Arc::from(id),
                    label: Arc::from(label),
                    built_in: true,
                });
            }
        }
    }
}
