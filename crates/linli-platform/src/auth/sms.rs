//! How one-time codes reach a phone. A real community plugs in its SMS provider behind
//! [`SmsGateway`]; this machine has none, so [`DemoSmsGateway`] writes each code to the log and
//! to `<data-dir>/codes`, where a tester (or a test) reads it with [`latest_code`].

use futures_util::future::BoxFuture;
use std::fmt::Debug;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Name of the file in the data dir the demo gateway appends codes to.
pub const CODES_FILE: &str = "codes";

/// A code on its way to a phone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeMessage {
    /// Normalised mainland mobile number.
    pub phone: String,
    /// The six digits.
    pub code: String,
    /// When it was issued.
    pub sent_at: OffsetDateTime,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// Sending failed; the code is withdrawn and the person may ask again.
#[derive(Debug, thiserror::Error)]
#[error("the code could not be sent: {0}")]
pub struct SmsError(pub String);

/// Delivers one-time codes.
pub trait SmsGateway: Debug + Send + Sync + 'static {
    /// Sends `message` to its phone.
    fn send_code<'a>(&'a self, message: &'a CodeMessage) -> BoxFuture<'a, Result<(), SmsError>>;
}

/// The gateway for a machine without an SMS provider: the code goes to the log (info level)
/// and to one line `<phone> <code> <rfc3339 time>` appended to `<data-dir>/codes`.
#[derive(Debug)]
pub struct DemoSmsGateway {
    codes_file: PathBuf,
    // Lines from concurrent sends must not interleave.
    append: Mutex<()>,
}

impl DemoSmsGateway {
    /// A gateway writing to `<data_dir>/codes`.
    pub fn new(data_dir: &Path) -> Self {
        Self {
            codes_file: data_dir.join(CODES_FILE),
            append: Mutex::new(()),
        }
    }

    fn append_line(&self, line: &str) -> std::io::Result<()> {
        let _guard = self.append.lock().unwrap_or_else(|e| e.into_inner());
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.codes_file)?;
        file.write_all(line.as_bytes())?;
        file.flush()
    }
}

impl SmsGateway for DemoSmsGateway {
    fn send_code<'a>(&'a self, message: &'a CodeMessage) -> BoxFuture<'a, Result<(), SmsError>> {
        Box::pin(async move {
            let at = message
                .sent_at
                .format(&Rfc3339)
                .map_err(|e| SmsError(e.to_string()))?;
            // The one deliberate place a code is logged: this gateway stands in for the SMS.
            tracing::info!(phone = %message.phone, code = %message.code, "demo SMS: phone code");
            let line = format!("{} {} {}\n", message.phone, message.code, at);
            self.append_line(&line)
                .map_err(|e| SmsError(format!("{}: {e}", self.codes_file.display())))
        })
    }
}

/// The most recent code the demo gateway wrote for `phone` (normalised, e.g. `13800000001`),
/// read from `<data_dir>/codes`; `None` when there is none.
pub fn latest_code(data_dir: &Path, phone: &str) -> Option<String> {
    let text = std::fs::read_to_string(data_dir.join(CODES_FILE)).ok()?;
    text.lines().rev().find_map(|line| {
        let mut parts = line.split_whitespace();
        (parts.next()? == phone).then(|| parts.next().map(str::to_owned))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_gateway_writes_lines_latest_code_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let sms = DemoSmsGateway::new(dir.path());
        let now = OffsetDateTime::now_utc();
        for (phone, code) in [
            ("13800000001", "111111"),
            ("13800000002", "222222"),
            ("13800000001", "333333"),
        ] {
            let message = CodeMessage {
                phone: phone.into(),
                code: code.into(),
                sent_at: now,
                expires_at: now,
            };
            sms.send_code(&message).await.unwrap();
        }
        assert_eq!(
            latest_code(dir.path(), "13800000001").as_deref(),
            Some("333333")
        );
        assert_eq!(
            latest_code(dir.path(), "13800000002").as_deref(),
            Some("222222")
        );
        assert_eq!(latest_code(dir.path(), "13800000009"), None);
        let text = std::fs::read_to_string(dir.path().join(CODES_FILE)).unwrap();
        let first = text.lines().next().unwrap();
        let time = first.split(' ').nth(2).unwrap();
        assert!(OffsetDateTime::parse(time, &Rfc3339).is_ok(), "{first}");
    }

    #[test]
    fn no_file_means_no_code() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(latest_code(dir.path(), "13800000001"), None);
    }
}
