//! Where the session token lives: the OS keychain when there is one, otherwise process memory.
//! Never the SQLite file, never a log line.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// The keychain service name Linli's secrets are filed under.
pub const KEYCHAIN_SERVICE: &str = "org.linli.app";

/// The account name of the session token.
pub const SESSION_ACCOUNT: &str = "session";

/// A secret store failed. The message never contains the secret.
#[derive(Debug, thiserror::Error)]
#[error("secret store: {0}")]
pub struct SecretError(pub String);

/// Somewhere to keep small secrets (the session token) outside the database.
pub trait SecretStore: Send + Sync {
    /// The secret filed under `account`, if any.
    fn get(&self, account: &str) -> Result<Option<String>, SecretError>;
    /// Files `secret` under `account`, replacing what was there.
    fn set(&self, account: &str, secret: &str) -> Result<(), SecretError>;
    /// Forgets `account`; forgetting something absent is not an error.
    fn delete(&self, account: &str) -> Result<(), SecretError>;
    /// A short name for logs ("keychain", "memory").
    fn kind(&self) -> &'static str;
}

/// Secrets in process memory only: gone when the app exits, so a restart asks for sign-in
/// again. Used where no keychain exists, and in tests (share one `Arc` between two cores to
/// play a keychain that survives a restart).
#[derive(Default)]
pub struct MemorySecretStore {
    secrets: Mutex<HashMap<String, String>>,
}

impl MemorySecretStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl fmt::Debug for MemorySecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let accounts: Vec<String> = self
            .secrets
            .lock()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        f.debug_struct("MemorySecretStore")
            .field("accounts", &accounts)
            .finish_non_exhaustive()
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, account: &str) -> Result<Option<String>, SecretError> {
        Ok(self.lock()?.get(account).cloned())
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), SecretError> {
        self.lock()?.insert(account.to_string(), secret.to_string());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        self.lock()?.remove(account);
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}

impl MemorySecretStore {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, String>>, SecretError> {
        self.secrets
            .lock()
            .map_err(|_| SecretError("memory store poisoned".into()))
    }
}

/// The OS keychain through `keyring`: Keychain on macOS, Credential Manager on Windows, the
/// Secret Service (over D-Bus) on Linux.
#[derive(Debug)]
pub struct KeyringSecretStore {
    service: String,
}

/// Describes a keyring error without its payload: some variants carry the secret's bytes.
fn describe(e: &keyring::Error) -> String {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            format!("platform failure: {inner}")
        }
        keyring::Error::NoEntry => "no entry".into(),
        keyring::Error::BadEncoding(_) => "stored secret is not UTF-8".into(),
        keyring::Error::NoDefaultStore => "no credential store available".into(),
        keyring::Error::BadDataFormat(..) => "stored secret has a bad format".into(),
        keyring::Error::Ambiguous(_) => "more than one matching entry".into(),
        keyring::Error::TooLong(attr, limit) => format!("{attr} longer than {limit}"),
        keyring::Error::Invalid(attr, why) => format!("invalid {attr}: {why}"),
        keyring::Error::NotSupportedByStore(what) => format!("not supported: {what}"),
        keyring::Error::BadStoreFormat(what) => format!("bad store format: {what}"),
        _ => "unknown keyring error".into(),
    }
}

impl KeyringSecretStore {
    /// Connects to the OS keychain and checks it answers (a read of our own entry). Fails when
    /// there is none, e.g. on a Linux machine without a running Secret Service.
    pub fn new() -> Result<Self, SecretError> {
        Self::with_service(KEYCHAIN_SERVICE)
    }

    /// Like [`KeyringSecretStore::new`], filing entries under another service name.
    pub fn with_service(service: &str) -> Result<Self, SecretError> {
        if let Err(e) = keyring::Entry::store_status() {
            return Err(SecretError(describe(e)));
        }
        let store = Self {
            service: service.to_string(),
        };
        // The store may exist while nothing answers on the other side; a read proves it works.
        store.get(SESSION_ACCOUNT)?;
        Ok(store)
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, SecretError> {
        keyring::Entry::new(&self.service, account).map_err(|e| SecretError(describe(&e)))
    }
}

impl SecretStore for KeyringSecretStore {
    fn get(&self, account: &str) -> Result<Option<String>, SecretError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(SecretError(describe(&e))),
        }
    }

    fn set(&self, account: &str, secret: &str) -> Result<(), SecretError> {
        self.entry(account)?
            .set_password(secret)
            .map_err(|e| SecretError(describe(&e)))
    }

    fn delete(&self, account: &str) -> Result<(), SecretError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(SecretError(describe(&e))),
        }
    }

    fn kind(&self) -> &'static str {
        "keychain"
    }
}

/// The store to use on this machine: the OS keychain if it answers, otherwise memory (and the
/// person signs in again after each start).
pub fn default_secret_store() -> Arc<dyn SecretStore> {
    match KeyringSecretStore::new() {
        Ok(store) => {
            tracing::info!("session token kept in the OS keychain");
            Arc::new(store)
        }
        Err(e) => {
            tracing::warn!(error = %e, "no OS keychain; the session is kept in memory only");
            Arc::new(MemorySecretStore::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_round_trips_and_forgets() {
        let s = MemorySecretStore::new();
        assert_eq!(s.get("session").unwrap(), None);
        s.set("session", "tok-1").unwrap();
        s.set("session", "tok-2").unwrap();
        assert_eq!(s.get("session").unwrap().as_deref(), Some("tok-2"));
        s.delete("session").unwrap();
        s.delete("session").unwrap();
        assert_eq!(s.get("session").unwrap(), None);
    }

    #[test]
    fn memory_store_debug_does_not_show_secrets() {
        let s = MemorySecretStore::new();
        s.set("session", "very-secret-token").unwrap();
        let shown = format!("{s:?}");
        assert!(shown.contains("session"));
        assert!(!shown.contains("very-secret-token"));
    }

    #[test]
    fn the_default_store_always_works() {
        // With a keychain this exercises it; without one (CI) it must fall back to memory.
        let store = default_secret_store();
        let account = format!("test-{}", uuid::Uuid::now_v7());
        store.set(&account, "x").unwrap();
        assert_eq!(store.get(&account).unwrap().as_deref(), Some("x"));
        store.delete(&account).unwrap();
        assert_eq!(store.get(&account).unwrap(), None);
    }
}
