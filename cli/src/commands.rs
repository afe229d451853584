//! The command tree: the generated commands, named from their operationIds in kebab case, under
//! the global flags, beside `check` and `completions`.

use clap::{Arg, ArgAction, Command};

use crate::emit::Output;
use crate::generated::{Cli, CliCommand};

/// `--version`: the crate's version and the spec's `info.version` it was generated from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (openapi/enkash.yaml info.version ",
    env!("ENKASH_SPEC_VERSION"),
    ")"
);

/// `get_order_status` -> `get-order-status`.
pub fn command_name(operation_id: &str) -> String {
    operation_id.replace('_', "-")
}

/// The generated command for a subcommand name.
pub fn generated(name: &str) -> Option<CliCommand> {
    CliCommand::iter().find(|c| command_name(c.operation_id()) == name)
}

/// The whole tree.
pub fn root() -> Command {
    let mut root = Command::new("enkash")
        .version(VERSION)
        .about(
            "Every EnKash Payment Gateway operation from the command line, generated from \
             openapi/enkash.yaml. Credentials come from ENKASH_ACCESS_KEY and \
             ENKASH_SECRET_KEY; calls go to UAT unless --env production.",
        )
        .after_help(
            "Exit codes: 0 done, 1 other failure, 2 bad input or not confirmed (nothing sent), \
             3 refused by EnKash, 4 outcome unknown (look before sending again), 5 `check` \
             found the gateway differing from the spec.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("env")
                .long("env")
                .global(true)
                .value_parser(["uat", "production"])
                .default_value("uat")
                .help("The EnKash environment"),
        )
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .env("ENKASH_BASE_URL")
                .global(true)
                .help("Another base URL (a sandbox); plain http only to loopback"),
        )
        .arg(
            Arg::new("yes")
                .long("yes")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("On production, send operations that change state without asking"),
        )
        .arg(
            Arg::new("verbose")
                .short('v')
                .long("verbose")
                .global(true)
                .action(ArgAction::Count)
                .help("The client's tracing on stderr (-vv for more); never a secret"),
        );
    for command in CliCommand::iter() {
        let name = command_name(command.operation_id());
        root = root.subcommand(Cli::<Output>::get_command(command).name(name));
    }
    root.subcommand(crate::check::command()).subcommand(
        Command::new("completions")
            .about("Prints a shell completion script (bash, zsh, fish, elvish, powershell)")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(clap::value_parser!(clap_complete::Shell)),
            ),
    )
}
