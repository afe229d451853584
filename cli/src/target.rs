//! Which gateway a command talks to, and with what: UAT unless `--env production`, a base URL
//! override for sandboxes, and credentials only from the environment (never from flags, which
//! shell history and `ps` would show).

use clap::ArgMatches;
use enkash::Environment;

/// Where the calls go.
#[derive(Debug, Clone)]
pub struct Target {
    /// The environment asked for; production turns the confirmations on.
    pub environment: Environment,
    /// `--base-url` / `ENKASH_BASE_URL`, else the environment's URL.
    pub base_url: String,
}

impl Target {
    /// From the global flags.
    pub fn from_matches(matches: &ArgMatches) -> Self {
        let environment = match matches.get_one::<String>("env").map(String::as_str) {
            Some("production") => Environment::Production,
            _ => Environment::Uat,
        };
        let base_url = matches
            .get_one::<String>("base-url")
            .cloned()
            .unwrap_or_else(|| environment.base_url().to_string());
        Self {
            environment,
            base_url,
        }
    }

    /// Production by flag, or by a base URL on production's host.
    pub fn is_production(&self) -> bool {
        let production = Environment::Production.base_url();
        self.environment == Environment::Production
            || self.base_url.trim_end_matches('/') == production
    }
}

/// The access key and secret key, from `ENKASH_ACCESS_KEY` and `ENKASH_SECRET_KEY`.
pub struct Keys {
    /// `ENKASH_ACCESS_KEY`.
    pub access_key: enkash::SecretString,
    /// `ENKASH_SECRET_KEY`.
    pub secret_key: enkash::SecretString,
}

impl Keys {
    /// Both keys, or a message naming what is missing (never a value).
    pub fn from_env() -> Result<Self, String> {
        let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        match (read("ENKASH_ACCESS_KEY"), read("ENKASH_SECRET_KEY")) {
            (Some(access), Some(secret)) => Ok(Self {
                access_key: access.into(),
                secret_key: secret.into(),
            }),
            _ => Err(
                "set both ENKASH_ACCESS_KEY and ENKASH_SECRET_KEY in the environment \
                      (credentials are never taken from flags)"
                    .to_string(),
            ),
        }
    }
}

/// The `enkash` client for `target`.
pub fn client(target: &Target, keys: Keys) -> Result<enkash::Client, String> {
    enkash::Client::builder()
        .base_url(target.base_url.clone())
        .credentials(keys.access_key, keys.secret_key)
        .build()
        .map_err(|e| e.to_string())
}
