//! `enkash`: every EnKash operation from the command line, and `enkash check`.
//!
//! The commands are generated from `openapi/enkash.yaml` by `build.rs` (progenitor's CLI
//! generator) and run through the `enkash` client: its token cache, retries, and the
//! `CallError` that says what to do after a failure. Exit codes are in `exit.rs`.

#![forbid(unsafe_code)]

mod check;
mod commands;
mod confirm;
mod emit;
mod exit;
mod generated;
mod input;
mod target;

use std::process::ExitCode;

use clap::ArgMatches;

use crate::emit::Output;
use crate::target::{Keys, Target};

fn main() -> ExitCode {
    let matches = match commands::root().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => {
            // Help and --version print to stdout and exit 0; usage errors exit 2.
            let _ = error.print();
            return ExitCode::from(error.exit_code() as u8);
        }
    };
    tracing(matches.get_count("verbose"));
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            let message = format!("cannot start the runtime: {error}");
            return ExitCode::from(fail(exit::OTHER, &message));
        }
    };
    ExitCode::from(runtime.block_on(run(&matches)))
}

async fn run(matches: &ArgMatches) -> u8 {
    let Some((name, sub)) = matches.subcommand() else {
        return fail(exit::USAGE, "no command given; see enkash --help");
    };
    let target = Target::from_matches(matches);
    match name {
        "completions" => {
            let shell = *sub
                .get_one::<clap_complete::Shell>("shell")
                .expect("clap requires it");
            clap_complete::generate(
                shell,
                &mut commands::root(),
                "enkash",
                &mut std::io::stdout(),
            );
            exit::OK
        }
        "check" => check::run(&target, sub).await,
        _ => call(name, &target, matches.get_flag("yes"), sub).await,
    }
}

/// Runs one generated command.
async fn call(name: &str, target: &Target, yes: bool, sub: &ArgMatches) -> u8 {
    let Some(command) = commands::generated(name) else {
        return fail(exit::USAGE, &format!("no command {name}"));
    };
    let operation = command.operation_id();
    if target.is_production() && confirm::changes_state(operation) && !yes {
        if let Err(refusal) = confirm::ask(operation) {
            return fail(exit::USAGE, &refusal);
        }
    }
    let keys = match Keys::from_env() {
        Ok(keys) => keys,
        Err(message) => return fail(exit::USAGE, &message),
    };
    let client = match target::client(target, keys) {
        Ok(client) => client,
        Err(message) => return fail(exit::USAGE, &message),
    };
    let cli = generated::Cli::new(client, Output::detect());
    match cli.execute(command, sub).await {
        Ok(()) => exit::OK,
        Err(error) => match error.downcast_ref::<enkash::CallError>() {
            // Its `Display` ends with what to do next.
            Some(call_error) => fail(exit::of_call_error(call_error), &call_error.to_string()),
            // Reading or parsing `--json-body`: nothing was sent.
            None => fail(exit::USAGE, &format!("{error:#}")),
        },
    }
}

fn fail(code: u8, message: &str) -> u8 {
    eprintln!("enkash: {message}");
    code
}

/// `-v`: the `enkash` client's tracing (and the CLI's) on stderr; other crates stay quiet.
fn tracing(verbosity: u8) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let level = match verbosity {
        0 => return,
        1 => tracing_subscriber::filter::LevelFilter::DEBUG,
        _ => tracing_subscriber::filter::LevelFilter::TRACE,
    };
    let targets = tracing_subscriber::filter::Targets::new()
        .with_target("enkash", level)
        .with_target("enkash_cli", level);
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(targets)
        .try_init();
}
