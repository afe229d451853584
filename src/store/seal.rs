//! What a token store holds: a key name that names no credential, and a value nobody without
//! the secret key can read or forge. RustCrypto throughout: HKDF-SHA256 derives two keys from
//! the secret key, HMAC-SHA256 names the entry, AES-256-GCM seals it. The derived keys, the
//! cipher's key schedule and every plaintext buffer are wiped when dropped (`zeroize`).

use aes_gcm::aead::{AeadCore, AeadInPlace, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::SecretString;

/// The first byte of every sealed value, so a later format can be told apart.
const FORMAT: u8 = 1;
const NONCE_LEN: usize = 12;
/// HKDF salt: fixed and public, it separates these keys from any other use of the secret.
const SALT: &[u8] = b"enkash token store";

/// Seals and opens the shared entry of one set of credentials against one base URL. The
/// cipher wipes its key schedule when dropped (the `zeroize` features of `aes` and `polyval`).
pub(crate) struct Sealer {
    cipher: Aes256Gcm,
    key_name: String,
}

/// The sealed plaintext: the token and the lifetime it was granted, so every replica scales its
/// refresh points to the same lifetime.
#[derive(Serialize, Deserialize)]
pub(crate) struct Sealed {
    pub token: SecretString,
    #[serde(rename = "lifetimeMs")]
    pub lifetime_ms: u64,
}

impl Sealer {
    pub(crate) fn new(credentials: &Credentials, base_url: &str) -> Self {
        let secret = credentials.secret_key().expose_secret().as_bytes();
        let keys = Hkdf::<Sha256>::new(Some(SALT), secret);
        let mut name_key = Zeroizing::new([0u8; 32]);
        let mut seal_key = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's limit of 8160: `expand` cannot fail here.
        keys.expand(b"key name v1", name_key.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        keys.expand(b"aes-256-gcm v1", seal_key.as_mut())
            .expect("32 bytes is a valid HKDF-SHA256 output length");

        let mut name = <Hmac<Sha256> as Mac>::new_from_slice(name_key.as_ref())
            .expect("HMAC takes a key of any length");
        name.update(credentials.access_key().expose_secret().as_bytes());
        // A separator no access key contains, so ("ab", "c") and ("a", "bc") differ.
        name.update(&[0]);
        name.update(canonical_base_url(base_url).as_bytes());
        let key_name = name
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        Self {
            cipher: Aes256Gcm::new_from_slice(seal_key.as_ref())
                .expect("AES-256 takes a 32-byte key"),
            key_name,
        }
    }

    /// The entry's name in the store: 64 hex digits of HMAC, no credential.
    pub(crate) fn key_name(&self) -> &str {
        &self.key_name
    }

    /// `FORMAT || nonce || ciphertext+tag`, with a fresh random nonce, bound to the key name.
    ///
    /// The plaintext is written once, into a buffer sized for the worst case (so it never
    /// grows and leaves a copy behind), and encrypted where it lies.
    pub(crate) fn seal(&self, plain: &Sealed) -> Option<Vec<u8>> {
        const HEADER: usize = 1 + NONCE_LEN;
        const TAG_LEN: usize = 16;
        // JSON escapes a byte as at most 6 (`\u00XX`); the rest of the object is well under 64.
        let capacity = HEADER + plain.token.expose_secret().len() * 6 + 64 + TAG_LEN;
        let mut out = Zeroizing::new(Vec::with_capacity(capacity));
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        out.push(FORMAT);
        out.extend_from_slice(&nonce);
        serde_json::to_writer(&mut *out, plain).ok()?;
        let tag = self
            .cipher
            .encrypt_in_place_detached(&nonce, self.key_name.as_bytes(), &mut out[HEADER..])
            .ok()?;
        out.extend_from_slice(&tag);
        debug_assert_eq!(out.capacity(), capacity, "the plaintext buffer grew");
        // Ciphertext from here on: nothing left to wipe.
        Some(std::mem::take(&mut *out))
    }

    /// The plaintext, or `None` for anything this sealer did not seal: another format, another
    /// key, a tampered byte, a value moved from another entry.
    pub(crate) fn open(&self, value: &[u8]) -> Option<Sealed> {
        let (&format, rest) = value.split_first()?;
        if format != FORMAT || rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        // Decrypted in place, in a buffer wiped on drop; the token is copied out once, into
        // a `SecretString`.
        let mut json = Zeroizing::new(sealed.to_vec());
        self.cipher
            .decrypt_in_place(
                Nonce::from_slice(nonce),
                self.key_name.as_bytes(),
                &mut *json,
            )
            .ok()?;
        serde_json::from_slice(&json).ok()
    }
}

/// One spelling per base URL, so every replica of a fleet names the same entry however its
/// configuration writes the URL: the scheme and host lowercased, the scheme's default port
/// dropped (all three by `url`'s parser), no trailing slash. A URL that does not parse (the
/// client builder refuses those) is used as given.
fn canonical_base_url(base_url: &str) -> String {
    match url::Url::parse(base_url) {
        Ok(url) => url.as_str().trim_end_matches('/').to_string(),
        Err(_) => base_url.to_string(),
    }
}

/// A random id for a lease owner: 128 bits from the OS.
pub(crate) fn random_owner_id() -> String {
    use aes_gcm::aead::rand_core::RngCore;
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer(access: &str, secret: &str, url: &str) -> Sealer {
        Sealer::new(&Credentials::new(access, secret), url)
    }

    fn plain() -> Sealed {
        Sealed {
            token: "tok-123".into(),
            lifetime_ms: 3_600_000,
        }
    }

    #[test]
    fn a_sealed_value_opens_and_shows_nothing_in_clear() {
        let sealer = sealer("AK", "SK", "https://x");
        let sealed = sealer.seal(&plain()).unwrap();
        let opened = sealer.open(&sealed).unwrap();
        assert_eq!(opened.token.expose_secret(), "tok-123");
        assert_eq!(opened.lifetime_ms, 3_600_000);
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("tok-123"), "{text}");
        // A fresh nonce per seal: the same token never seals to the same bytes.
        assert_ne!(sealed, sealer.seal(&plain()).unwrap());
    }

    #[test]
    fn names_differ_per_credentials_and_url_and_name_no_credential() {
        let a = sealer("AK", "SK", "https://x");
        assert_eq!(a.key_name(), sealer("AK", "SK", "https://x").key_name());
        assert_eq!(a.key_name().len(), 64);
        assert!(!a.key_name().contains("AK"));
        for other in [
            sealer("AK2", "SK", "https://x"),
            sealer("AK", "SK2", "https://x"),
            sealer("AK", "SK", "https://y"),
        ] {
            assert_ne!(a.key_name(), other.key_name());
        }
    }

    #[test]
    fn the_plaintext_buffer_never_grows_even_when_every_byte_is_escaped() {
        // Each control character becomes six bytes of JSON: the worst case the buffer is sized
        // for (a debug assertion in `seal` checks it did not grow).
        let sealer = sealer("AK", "SK", "https://x");
        for token in ["", "a", &"\u{1}".repeat(1000), &"é\"".repeat(300)] {
            let plain = Sealed {
                token: token.into(),
                lifetime_ms: u64::MAX,
            };
            let sealed = sealer.seal(&plain).unwrap();
            assert_eq!(sealer.open(&sealed).unwrap().token.expose_secret(), token);
        }
    }

    /// Compiles only if `T` wipes itself on drop.
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}

    #[test]
    fn the_secret_string_and_the_ciphers_key_schedule_are_wiped_on_drop() {
        wiped_on_drop::<SecretString>();
        // aes-gcm does not forward its `zeroize` feature to `aes`: Cargo.toml turns it on.
        wiped_on_drop::<aes::Aes256>();
    }

    #[test]
    fn spellings_of_one_base_url_share_one_name() {
        let name = |url| sealer("AK", "SK", url).key_name().to_string();
        let canonical = name("https://olympus-pg.enkash.in");
        for same in [
            "https://OLYMPUS-PG.enkash.in",
            "https://olympus-pg.enkash.in/",
            "https://olympus-pg.enkash.in:443",
            "HTTPS://Olympus-PG.Enkash.IN:443/",
        ] {
            assert_eq!(name(same), canonical, "{same}");
        }
        assert_eq!(
            name("https://host.test/api"),
            name("https://HOST.test:443/api/")
        );
        for different in [
            "https://olympus-pg.enkash.in:8443",
            "http://olympus-pg.enkash.in",
            "https://olympus-pg-uat.enkash.in",
            "https://olympus-pg.enkash.in/v2",
        ] {
            assert_ne!(name(different), canonical, "{different}");
        }
    }

    #[test]
    fn tampered_foreign_and_moved_values_do_not_open() {
        let a = sealer("AK", "SK", "https://x");
        let sealed = a.seal(&plain()).unwrap();
        for i in 0..sealed.len() {
            let mut tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assert!(a.open(&tampered).is_none(), "byte {i}");
        }
        assert!(a.open(&sealed[..sealed.len() - 1]).is_none());
        assert!(a.open(b"").is_none());
        assert!(a.open(b"{\"token\":\"x\",\"lifetimeMs\":1}").is_none());
        // Another secret key cannot open it; the same secret under another URL cannot either.
        assert!(sealer("AK", "SK2", "https://x").open(&sealed).is_none());
        assert!(sealer("AK", "SK", "https://y").open(&sealed).is_none());
    }
}
