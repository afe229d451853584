//! `openapi/portal.yaml` lists every entry of EnKash's developer-portal navigation and what in
//! the spec covers it. These tests hold it, the spec and the coverage table of the guide chapter
//! `enkash::guide::spec_and_other_languages` (`src/guide/spec_and_other_languages.md`) to each
//! other, so an entry is never silently dropped, never covered by an operation that does not
//! exist, and never left unexplained.

use crate::common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{json, Value};

const EVIDENCE: [&str; 5] = ["documented", "inferred", "third-party", "name only", "none"];
const COVERS: [&str; 4] = ["operation", "callback", "webhook", "unknown"];

/// The guide chapter that holds the coverage table, between its `portal-coverage` markers.
const COVERAGE_CHAPTER: &str = "src/guide/spec_and_other_languages.md";

fn read(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

fn portal() -> Value {
    serde_norway::from_str(&read("openapi/portal.yaml")).expect("portal.yaml is valid YAML")
}

/// Every operationId of the spec; every callback as `<operationId>/<name>`; every webhook.
fn spec_covers(spec: &Value) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
    let (mut operations, mut callbacks) = (BTreeSet::new(), BTreeSet::new());
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, i)| i)
    {
        for operation in item.as_object().into_iter().flatten().map(|(_, o)| o) {
            let Some(id) = operation["operationId"].as_str() else {
                continue;
            };
            operations.insert(id.to_string());
            for name in operation["callbacks"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(n, _)| n)
            {
                callbacks.insert(format!("{id}/{name}"));
            }
        }
    }
    let webhooks = spec["x-webhooks"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, _)| name.clone())
        .collect();
    (operations, callbacks, webhooks)
}

/// What is wrong with `portal` against `spec`: one line per problem.
fn problems(portal: &Value, spec: &Value) -> Vec<String> {
    let (operations, callbacks, webhooks) = spec_covers(spec);
    let mut named = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    let Some(entries) = portal["entries"].as_array() else {
        return vec!["portal.yaml has no `entries` list".to_string()];
    };
    for entry in entries {
        let name = entry["entry"].as_str().unwrap_or_default();
        if name.is_empty() || entry["group"].as_str().unwrap_or_default().is_empty() {
            problems.push(format!("an entry without a group or name: {entry}"));
        }
        if !seen.insert(name.to_string()) {
            problems.push(format!("{name}: listed twice"));
        }
        if !EVIDENCE.contains(&entry["evidence"].as_str().unwrap_or_default()) {
            problems.push(format!("{name}: evidence must be one of {EVIDENCE:?}"));
        }
        let given: Vec<&str> = COVERS
            .into_iter()
            .filter(|key| entry.get(*key).is_some())
            .collect();
        let [cover] = given.as_slice() else {
            problems.push(format!(
                "{name}: neither covered nor explained: give exactly one of {COVERS:?}, not {given:?}"
            ));
            continue;
        };
        let value = entry[*cover].as_str().unwrap_or_default().trim();
        let known = match *cover {
            "operation" => operations.contains(value),
            "callback" => callbacks.contains(value),
            "webhook" => webhooks.contains(value),
            // Say what is missing, in words.
            _ => value.len() >= 10,
        };
        if !known {
            problems.push(format!(
                "{name}: {cover} {value:?} is not in the spec (or says too little)"
            ));
        }
        named.insert(format!("{cover}:{value}"));
    }
    for (kind, all) in [
        ("operation", &operations),
        ("callback", &callbacks),
        ("webhook", &webhooks),
    ] {
        for id in all {
            if !named.contains(&format!("{kind}:{id}")) {
                problems.push(format!(
                    "the spec's {kind} {id} is not named by any portal entry"
                ));
            }
        }
    }
    problems
}

#[test]
fn every_portal_entry_is_covered_by_the_spec_or_says_what_is_missing() {
    let problems = problems(&portal(), &common::spec());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_check_fails_on_an_unexplained_entry_a_missing_operation_and_an_unlisted_one() {
    let spec = common::spec();
    let mut portal = portal();
    let entries = portal["entries"].as_array_mut().unwrap();
    entries.push(
        json!({"group": "Order", "entry": "Get Order By Something", "evidence": "name only"}),
    );
    entries.push(json!({"group": "Order", "entry": "Guessed", "operation": "get_order_by_guess", "evidence": "inferred"}));
    entries
        .push(json!({"group": "Order", "entry": "Vague", "unknown": "?", "evidence": "name only"}));
    entries.retain(|e| e["operation"] != "resend_otp");
    let problems = problems(&portal, &spec);
    let expected = [
        "Get Order By Something: neither covered nor explained",
        "Guessed: operation \"get_order_by_guess\" is not in the spec",
        "Vague: unknown \"?\" is not in the spec (or says too little)",
        "the spec's operation resend_otp is not named by any portal entry",
    ];
    for expected in expected {
        assert!(
            problems.iter().any(|p| p.starts_with(expected)),
            "{expected}: {problems:#?}"
        );
    }
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
}

/// What the coverage table's "Here" column says for an entry.
fn here(entry: &Value) -> String {
    if let Some(operation) = entry["operation"].as_str() {
        return format!("`{operation}`");
    }
    if let Some((operation, name)) = entry["callback"].as_str().and_then(|c| c.split_once('/')) {
        return format!("`{operation}` callback `{name}`");
    }
    if let Some(webhook) = entry["webhook"].as_str() {
        return format!("`x-webhooks.{webhook}`");
    }
    "unknown".to_string()
}

#[test]
fn the_guide_coverage_table_has_one_matching_row_per_portal_entry() {
    let chapter = read(COVERAGE_CHAPTER);
    let table = chapter
        .split("<!-- portal-coverage:start -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- portal-coverage:end -->").next())
        .expect("the chapter has the portal-coverage markers");
    let rows: Vec<Vec<String>> = table
        .lines()
        .filter(|line| line.starts_with("| ") && !line.starts_with("| ---"))
        .skip(1)
        .map(|line| {
            line.trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().to_string())
                .collect()
        })
        .collect();
    let portal = portal();
    let entries = portal["entries"].as_array().unwrap();
    assert_eq!(rows.len(), entries.len(), "one table row per portal entry");
    for (row, entry) in rows.iter().zip(entries) {
        let expected = [
            entry["group"].as_str().unwrap().to_string(),
            entry["entry"].as_str().unwrap().to_string(),
            here(entry),
            entry["evidence"].as_str().unwrap().to_string(),
        ];
        assert_eq!(&row[..4], &expected[..], "table row {row:?}");
        if let Some(missing) = entry["unknown"].as_str() {
            assert!(
                row[4].contains(missing),
                "the table says what is missing: {row:?}"
            );
        }
    }
}
