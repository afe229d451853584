//! The soak's gateway: the sandbox in a child process of its own, so that the soak's memory
//! figures are the client's alone (the sandbox's books grow with every order), taking fault
//! commands a line at a time on standard input.

use std::time::Duration;

use enkash_sandbox::{CallFault, Sandbox, TokenFault};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A fault the soak asks for, as one line on the child's standard input.
#[derive(Debug, Clone, Copy)]
pub enum Command {
    /// The next call of this operation meets this fault, unless one is already waiting there.
    Call(&'static str, CallFault),
    /// Every token issued so far stops working.
    Revoke,
    /// The next token response is not JSON.
    MalformedToken,
}

impl Command {
    pub fn line(self) -> String {
        match self {
            Command::Call(operation, fault) => format!("call {operation} {}\n", fault_name(fault)),
            Command::Revoke => "revoke\n".to_string(),
            Command::MalformedToken => "malformed-token\n".to_string(),
        }
    }
}

const FAULTS: [(&str, CallFault); 8] = [
    ("500", CallFault::Status(500)),
    ("503", CallFault::Status(503)),
    ("429", CallFault::RetryAfter(429, Duration::from_secs(1))),
    ("reset-before", CallFault::ResetBeforeProcessing),
    ("reset-after", CallFault::ResetAfterProcessing),
    (
        "slower-than-timeout",
        CallFault::Delay(Duration::from_millis(1500)),
    ),
    ("slow", CallFault::Delay(Duration::from_millis(50))),
    ("garbled", CallFault::Garbled),
];

/// A random call fault, as the soak's weather draws them.
pub fn random_fault() -> CallFault {
    FAULTS[fastrand::usize(..FAULTS.len())].1
}

fn fault_name(fault: CallFault) -> &'static str {
    FAULTS
        .iter()
        .find(|(_, known)| *known == fault)
        .map_or("500", |(name, _)| name)
}

/// The child's life: start the sandbox, say where it is, apply commands until standard input
/// closes, then report the token requests it served.
pub async fn serve(token_lifetime: Duration) -> std::io::Result<()> {
    let sandbox = Sandbox::builder()
        .token_lifetime(token_lifetime)
        .start()
        .await?;
    let mut out = tokio::io::stdout();
    let hello = format!(
        "url {}\naccess {}\nsecret {}\n",
        sandbox.base_url(),
        sandbox.access_key(),
        sandbox.secret_key()
    );
    out.write_all(hello.as_bytes()).await?;
    out.flush().await?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["call", operation, fault] => {
                let fault = FAULTS
                    .iter()
                    .find(|(name, _)| name == fault)
                    .map(|(_, f)| *f);
                if let (Some(fault), 0) = (fault, sandbox.pending_call_faults(operation)) {
                    sandbox.fail_next_calls(operation, [fault]);
                }
            }
            ["revoke"] => sandbox.revoke_all_tokens(),
            ["malformed-token"] => sandbox.fail_next_token_requests([TokenFault::Malformed]),
            _ => eprintln!("soak gateway: unknown command {line:?}"),
        }
    }
    out.write_all(format!("token-requests {}\n", sandbox.token_requests()).as_bytes())
        .await?;
    out.flush().await
}
