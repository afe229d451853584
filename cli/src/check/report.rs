//! The report: JSON for machines, Markdown for people. Neither holds a value of a secret; the
//! exchanges themselves are only written by `--record`, masked.

use std::fmt::Write as _;

use serde::Serialize;

use super::judge::{OperationReport, Verdict};
use super::probes::{Finding, Probe};

/// Everything `check` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The gateway checked.
    pub gateway: String,
    /// The spec's `info.version`.
    pub spec_version: &'static str,
    /// One entry per walked exchange.
    pub operations: Vec<OperationReport>,
    /// The inferences probed.
    pub probes: Vec<Probe>,
}

impl Report {
    /// Whether every walked operation agrees.
    pub fn agrees(&self) -> bool {
        self.operations.iter().all(|o| o.verdict == Verdict::Agrees)
    }

    /// The report in Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let agree = self
            .operations
            .iter()
            .filter(|o| o.verdict == Verdict::Agrees)
            .count();
        let _ = writeln!(out, "# enkash check: {}\n", self.gateway);
        let _ = writeln!(
            out,
            "Spec `openapi/enkash.yaml` {}; {} exchanges with {} operations: {agree} agree, {} differ.\n",
            self.spec_version,
            self.operations.len(),
            {
                let mut ids: Vec<&str> = self.operations.iter().map(|o| o.operation.as_str()).collect();
                ids.sort();
                ids.dedup();
                ids.len()
            },
            self.operations.len() - agree
        );
        let _ = writeln!(
            out,
            "| Operation | Request | HTTP | response_code | Verdict | Note |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for o in &self.operations {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} | {} |",
                o.operation,
                o.request,
                o.status.map_or("-".into(), |s| s.to_string()),
                o.response_code.map_or("-".into(), |c| c.to_string()),
                match o.verdict {
                    Verdict::Agrees => "agrees",
                    Verdict::Differs => "**differs**",
                    Verdict::NoAnswer => "**no answer**",
                },
                o.note.as_deref().unwrap_or("")
            );
        }
        let differing: Vec<&OperationReport> = self
            .operations
            .iter()
            .filter(|o| !o.differences.is_empty())
            .collect();
        if !differing.is_empty() {
            let _ = writeln!(out, "\n## Differences\n");
            for o in differing {
                let _ = writeln!(out, "### `{}` ({})\n", o.operation, o.request);
                for d in &o.differences {
                    let _ = writeln!(
                        out,
                        "- `{}`: expected {}; came {}",
                        d.field, d.expected, d.came
                    );
                }
                out.push('\n');
            }
        }
        let _ = writeln!(out, "\n## Inferences\n");
        let _ = writeln!(out, "| Inference | Finding | Evidence |");
        let _ = writeln!(out, "|---|---|---|");
        for p in &self.probes {
            let finding = match p.finding {
                Finding::Confirmed => "confirmed",
                Finding::Refuted => "**refuted**",
                Finding::NotProbed => "not probed",
            };
            let _ = writeln!(out, "| {} | {finding} | {} |", p.inference, p.evidence);
        }
        out
    }
}
