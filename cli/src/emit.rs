//! What a generated command prints: the payload as JSON on stdout (pretty on a terminal,
//! compact when piped), or the failure as one `CallError`, which `main` prints with its advice.

use std::io::{IsTerminal, Write};

use enkash::{Payload, TextPayload};
use serde::Serialize;

/// Turns a generated call's result into output. `build/shape.rs` makes it a supertrait of the
/// generated `CliConfig` and routes every command's result here.
pub trait Emit {
    /// An enveloped answer: its payload, or the call's `CallError` (in the `anyhow::Error`).
    fn payload<R>(&self, result: R) -> anyhow::Result<()>
    where
        R: Payload,
        R::Output: Serialize;

    /// A `text/plain` answer (Resend OTP), printed as a JSON string.
    fn text<R: TextPayload + Send>(
        &self,
        result: R,
    ) -> impl std::future::Future<Output = anyhow::Result<()>> + Send;
}

/// Where and how answers are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pretty: bool,
}

impl Output {
    /// Pretty JSON when stdout is a terminal, one compact line when it is piped.
    pub fn detect() -> Self {
        Self {
            pretty: std::io::stdout().is_terminal(),
        }
    }

    /// Prints `value` as JSON on stdout.
    pub fn print(&self, value: &impl Serialize) -> anyhow::Result<()> {
        let text = match self.pretty {
            true => serde_json::to_string_pretty(value)?,
            false => serde_json::to_string(value)?,
        };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}")?;
        Ok(())
    }
}

impl Emit for Output {
    fn payload<R>(&self, result: R) -> anyhow::Result<()>
    where
        R: Payload,
        R::Output: Serialize,
    {
        self.print(&result.payload()?)
    }

    async fn text<R: TextPayload + Send>(&self, result: R) -> anyhow::Result<()> {
        self.print(&result.text_payload().await?)
    }
}

// Every per-command hook keeps progenitor's default (it changes nothing in the request).
impl crate::generated::CliConfig for Output {}
