//! Secrets kept at rest (CRM tokens, webhook secrets): sealed with XChaCha20-Poly1305 under the
//! server's key, a fresh random nonce each time. The key comes from `SECRET_KEY` (base64 of 32
//! bytes) or a key file the server creates on first start; without the key a stolen database
//! gives away no credential.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// What sealed text starts with: the format, so a later key or cipher can be told apart.
const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(..)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    #[error("the stored secret cannot be opened with this server's key")]
    WrongKey,
    #[error("the stored secret is damaged")]
    Damaged,
}

impl Vault {
    pub fn new(key: [u8; 32]) -> Vault {
        Vault {
            cipher: XChaCha20Poly1305::new(&key.into()),
        }
    }

    /// A vault with a key of its own (tests, and a server that keeps no secrets across runs).
    pub fn random() -> Vault {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        Vault::new(key)
    }

    /// The key from `SECRET_KEY`, else from `key_file`, which is created with a new key when
    /// missing (readable by its owner only).
    pub fn load(env_key: Option<&str>, key_file: &std::path::Path) -> Result<Vault, String> {
        if let Some(text) = env_key.filter(|k| !k.trim().is_empty()) {
            return key_of(text.trim()).map(Vault::new);
        }
        match std::fs::read_to_string(key_file) {
            Ok(text) => key_of(text.trim())
                .map(Vault::new)
                .map_err(|e| format!("{}: {e}", key_file.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut key);
                write_key_file(key_file, &STANDARD.encode(key))
                    .map_err(|e| format!("cannot create {}: {e}", key_file.display()))?;
                Ok(Vault::new(key))
            }
            Err(err) => Err(format!("cannot read {}: {err}", key_file.display())),
        }
    }

    pub fn seal(&self, plain: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .expect("sealing a short secret cannot fail");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{PREFIX}{}", STANDARD.encode(bytes))
    }

    pub fn open(&self, sealed: &str) -> Result<String, VaultError> {
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| STANDARD.decode(b).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(VaultError::Damaged)?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| VaultError::WrongKey)?;
        String::from_utf8(plain).map_err(|_| VaultError::Damaged)
    }
}

fn key_of(text: &str) -> Result<[u8; 32], String> {
    STANDARD
        .decode(text)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| "the secret key is not 32 bytes in base64 (openssl rand -base64 32)".into())
}

fn write_key_file(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_with_its_key_only() {
        let vault = Vault::random();
        let sealed = vault.seal("pat-na1-secret");
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("pat-na1-secret"));
        assert_ne!(
            sealed,
            vault.seal("pat-na1-secret"),
            "a fresh nonce each time"
        );
        assert_eq!(vault.open(&sealed).unwrap(), "pat-na1-secret");
        assert_eq!(Vault::random().open(&sealed), Err(VaultError::WrongKey));
        assert_eq!(vault.open("v1:AAAA"), Err(VaultError::Damaged));
    }

    #[test]
    fn the_key_file_is_made_once_and_read_after() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys/secret.key");
        let first = Vault::load(None, &file).unwrap();
        let sealed = first.seal("token");
        let again = Vault::load(None, &file).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), "token");
        let from_env = Vault::load(Some(&STANDARD.encode([7u8; 32])), &file).unwrap();
        assert_eq!(from_env.open(&sealed), Err(VaultError::WrongKey));
        assert!(Vault::load(Some("short"), &file).is_err());
    }
}
