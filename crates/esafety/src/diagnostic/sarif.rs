//! SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format), the
//! format code-scanning dashboards read: one run, esafety as its tool, every
//! diagnostic code that appears as a rule, every diagnostic as a result.

use serde_json::{Value, json};

use super::render::FileReport;
use super::{Code, Diagnostic, Location, Severity};

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";

/// Renders a whole check run as one SARIF 2.1.0 log. Columns count Unicode
/// characters (`columnKind: unicodeCodePoints`), as everywhere in esafety;
/// a diagnostic's secondary labels are its `relatedLocations`.
///
/// ```
/// use esafety::diagnostic::render::{FileReport, sarif};
///
/// let checked = esafety::check("demo.policy", "shcool \"Demo\"\n", &Default::default());
/// let report = FileReport::new("demo.policy", &checked.diagnostics);
/// let log: serde_json::Value = serde_json::from_str(&sarif(&[report])).unwrap();
/// assert_eq!(log["version"], "2.1.0");
/// assert_eq!(log["runs"][0]["results"][0]["ruleId"], "E0102");
/// ```
pub fn sarif(files: &[FileReport<'_>]) -> String {
    let mut codes: Vec<Code> = files
        .iter()
        .flat_map(|f| f.diagnostics.iter().map(|d| d.code))
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes.iter().map(|&code| rule(code)).collect();
    let results: Vec<Value> = files
        .iter()
        .flat_map(|f| f.diagnostics.iter())
        .map(|d| result(d, codes.binary_search(&d.code).unwrap_or(0)))
        .collect();
    let artifacts: Vec<Value> = files
        .iter()
        .map(|f| json!({ "location": { "uri": uri(f.path) } }))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "esafety",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/esafety/docs/diagnostics.md",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_else(|_| String::from("{}"))
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.as_str(),
        "name": code.name(),
        "shortDescription": { "text": code.summary() },
        "helpUri": format!(
            "https://example.invalid/esafety/docs/diagnostics.md#{}",
            code.as_str().to_ascii_lowercase()
        ),
        "defaultConfiguration": { "level": level(code.severity()) },
    })
}

fn result(d: &Diagnostic, rule_index: usize) -> Value {
    let related: Vec<Value> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            json!({
                "id": i,
                "physicalLocation": physical(&d.path, &label.location),
                "message": { "text": label.message },
            })
        })
        .collect();
    let mut result = json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": format!("{} (help: {})", d.message, d.help) },
        "locations": [{ "physicalLocation": physical(&d.path, &d.location) }],
    });
    if !related.is_empty()
        && let Some(object) = result.as_object_mut()
    {
        object.insert("relatedLocations".to_owned(), Value::Array(related));
    }
    result
}

fn physical(path: &str, location: &Location) -> Value {
    json!({
        "artifactLocation": { "uri": uri(path) },
        "region": {
            "startLine": location.line.max(1),
            "startColumn": location.column.max(1),
            "endLine": location.end_line.max(location.line).max(1),
            "endColumn": location.end_column.max(1),
            "byteOffset": location.start,
            "byteLength": location.end.saturating_sub(location.start),
        }
    })
}

/// A path as a relative URI reference: `/` between folders, and every byte
/// other than an unreserved character or `/` percent-encoded (RFC 3986).
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len() + 7);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri("policies/crockerne.policy"),
            "policies/crockerne.policy"
        );
        assert_eq!(uri("my policies/a b.policy"), "my%20policies/a%20b.policy");
        assert_eq!(uri("a\nb:c"), "a%0Ab%3Ac");
        assert_eq!(uri("/tmp/x.policy"), "file:///tmp/x.policy");
    }
}
