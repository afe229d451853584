//! `enkash check`.
use crate::target::Target;
use clap::{ArgMatches, Command};

pub fn command() -> Command {
    Command::new("check")
}

pub async fn run(_target: &Target, _matches: &ArgMatches) -> u8 {
    0
}
