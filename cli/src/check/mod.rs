//! `enkash check`: a conformance run of the spec against a gateway (UAT by default; never
//! production). It walks the operations that are harmless on UAT, holds every answer to the
//! spec, probes the spec's inferences, and reports in Markdown or JSON.

mod gateway;
mod judge;
mod probes;
mod record;
mod report;
mod spec;
mod unknown;
mod walk;

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::exit;
use crate::target::{Keys, Target};

/// The `check` command.
pub fn command() -> Command {
    Command::new("check")
        .about(
            "Checks the spec against a gateway (UAT unless --base-url; refuses production): \
             walks the operations that are harmless on UAT, holds each answer to the spec, and \
             probes the spec's inferences. Exit 0 if all agree, 5 if something differs.",
        )
        .arg(
            Arg::new("json")
                .long("json")
                .action(ArgAction::SetTrue)
                .help("Print the report as JSON instead of Markdown"),
        )
        .arg(
            Arg::new("out")
                .long("out")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Also write check.md and check.json into DIR"),
        )
        .arg(
            Arg::new("record")
                .long("record")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help(
                    "Write every exchange into DIR, with tokens, keys, card fields, VPAs and \
                     account numbers masked",
                ),
        )
}

/// Runs the check; the exit code.
pub async fn run(target: &Target, matches: &ArgMatches) -> u8 {
    if target.is_production() {
        eprintln!("enkash: check never runs against production; nothing was sent");
        return exit::USAGE;
    }
    let keys = match Keys::from_env() {
        Ok(keys) => keys,
        Err(message) => {
            eprintln!("enkash: {message}");
            return exit::USAGE;
        }
    };
    let mut gateway = match gateway::Gateway::new(&target.base_url, keys.access_key.expose_secret())
    {
        Ok(gateway) => gateway,
        Err(message) => {
            eprintln!("enkash: {message}");
            return exit::OTHER;
        }
    };
    let exchanges = walk::walk(&mut gateway, &keys).await;
    let report = report::Report {
        gateway: target.base_url.clone(),
        spec_version: env!("ENKASH_SPEC_VERSION"),
        operations: exchanges.iter().map(judge::judge).collect(),
        probes: probes::probes(&exchanges),
    };
    let json = serde_json::to_string_pretty(&report).unwrap_or_default();
    let markdown = report.markdown();
    if let Some(dir) = matches.get_one::<PathBuf>("record") {
        if let Err(message) = record::record(dir, &exchanges, &keys) {
            eprintln!("enkash: {message}");
            return exit::OTHER;
        }
    }
    if let Some(dir) = matches.get_one::<PathBuf>("out") {
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(dir.join("check.md"), &markdown))
            .and_then(|()| std::fs::write(dir.join("check.json"), &json));
        if let Err(error) = written {
            eprintln!(
                "enkash: cannot write the report into {}: {error}",
                dir.display()
            );
            return exit::OTHER;
        }
    }
    match matches.get_flag("json") {
        true => println!("{json}"),
        false => print!("{markdown}"),
    }
    match report.agrees() {
        true => exit::OK,
        false => exit::DIFFERS,
    }
}
