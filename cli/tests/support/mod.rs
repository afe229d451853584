//! Runs the `enkash` binary against a gateway on 127.0.0.1.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `enkash args` with the sandbox's URL and keys in the environment (never as flags),
/// `stdin` piped in; off the async runtime, which keeps serving the sandbox meanwhile.
pub async fn enkash(
    base_url: &str,
    access_key: &str,
    secret_key: &str,
    args: &[&str],
    stdin: &str,
) -> Output {
    let (base_url, access_key, secret_key) = (
        base_url.to_string(),
        access_key.to_string(),
        secret_key.to_string(),
    );
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let stdin = stdin.to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_enkash"))
            .args(&args)
            .env_clear()
            .env("ENKASH_BASE_URL", base_url)
            .env("ENKASH_ACCESS_KEY", access_key)
            .env("ENKASH_SECRET_KEY", secret_key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the enkash binary starts");
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(stdin.as_bytes())
            .expect("stdin is written");
        child.wait_with_output().expect("enkash runs to the end")
    })
    .await
    .expect("the blocking task ends")
}

/// stdout and stderr together, for looking for what must not be there.
pub fn all_output(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
