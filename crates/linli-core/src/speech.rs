//! Reading the screen aloud through the operating system's speech service.
//!
//! The UI gathers the words on screen and the core hands them to a [`Speaker`]. On Linux the
//! speech service is Speech Dispatcher, spoken to over its own socket protocol (SSIP), the
//! way screen readers such as Orca reach it. No C library is linked, so the app still starts
//! on a machine without Speech Dispatcher; there the button tells the person that this device
//! cannot read aloud. Other systems have no implementation yet and answer the same way.
//! Tests that need to know what would have been said use [`RecordingSpeaker`].

use linli_api::ipc::Language;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// Why something could not be read aloud.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// No speech service answers on this device.
    #[error("no speech service on this device: {0}")]
    Unavailable(String),
    /// The service answered, but refused or broke off.
    #[error("the speech service refused: {0}")]
    Refused(String),
}

/// Something that can say words out loud.
pub trait Speaker: Send + Sync {
    /// Whether a speech service seems to be there. Cheap: it does not start one.
    fn available(&self) -> bool;
    /// Says `text` in `language`, replacing whatever is being said now. Returns once the
    /// service has taken the words, not when it has finished saying them.
    fn speak(&self, text: &str, language: Language) -> Result<(), SpeechError>;
    /// Stops speaking.
    fn stop(&self) -> Result<(), SpeechError>;
}

/// The speaker for this device: Speech Dispatcher on Linux, none elsewhere (yet).
pub fn default_speaker() -> Box<dyn Speaker> {
    #[cfg(target_os = "linux")]
    return Box::new(SpeechDispatcher::from_env());
    #[cfg(not(target_os = "linux"))]
    return Box::new(NoSpeaker);
}

/// A device without a speech service.
#[derive(Debug, Default)]
pub struct NoSpeaker;

impl Speaker for NoSpeaker {
    fn available(&self) -> bool {
        false
    }

    fn speak(&self, _: &str, _: Language) -> Result<(), SpeechError> {
        Err(SpeechError::Unavailable(
            "no speech service on this system".into(),
        ))
    }

    fn stop(&self) -> Result<(), SpeechError> {
        Ok(())
    }
}

/// A silent speaker that remembers what it was asked to say, for tests and the test host.
#[derive(Debug)]
pub struct RecordingSpeaker {
    available: bool,
    said: Mutex<Vec<(Language, String)>>,
}

impl RecordingSpeaker {
    /// A speaker that takes every request (`available`) or refuses them all as a device
    /// without speech would.
    pub fn new(available: bool) -> Self {
        Self {
            available,
            said: Mutex::new(Vec::new()),
        }
    }

    /// Everything said so far, oldest first.
    pub fn said(&self) -> Vec<(Language, String)> {
        self.said.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Speaker for RecordingSpeaker {
    fn available(&self) -> bool {
        self.available
    }

    fn speak(&self, text: &str, language: Language) -> Result<(), SpeechError> {
        if !self.available {
            return Err(SpeechError::Unavailable("recording speaker is off".into()));
        }
        self.said
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((language, text.to_string()));
        Ok(())
    }

    fn stop(&self) -> Result<(), SpeechError> {
        Ok(())
    }
}

/// Speech Dispatcher, reached over its Unix socket with SSIP.
///
/// One connection is kept while it works (so "stop" reaches the speech this client started)
/// and opened again when it breaks (the daemon exits when idle). When the session's socket is
/// missing the daemon is started the way its own client library does
/// (`speech-dispatcher --spawn`), which respects a person's choice to disable autospawn.
#[cfg(unix)]
#[derive(Debug)]
pub struct SpeechDispatcher {
    socket: PathBuf,
    /// The program that starts the daemon on `socket`; `None` when it cannot be started
    /// there (`--spawn` serves only the session's default socket).
    spawn: Option<PathBuf>,
    connection: Mutex<Option<Connection>>,
}

/// How long the service may take to answer one command or to come up after a spawn.
#[cfg(unix)]
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

#[cfg(unix)]
impl SpeechDispatcher {
    /// The session's Speech Dispatcher: `SPEECHD_ADDRESS` when it names a Unix socket, else
    /// the per-user default socket, started on demand.
    pub fn from_env() -> Self {
        let configured = std::env::var("SPEECHD_ADDRESS").is_ok();
        let socket = socket_from_env(|name| std::env::var(name).ok());
        let speaker = Self::new(socket);
        if configured {
            speaker
        } else {
            speaker.with_spawn("speech-dispatcher")
        }
    }

    /// A Speech Dispatcher already listening (or not) on `socket`.
    pub fn new(socket: impl Into<PathBuf>) -> Self {
        Self {
            socket: socket.into(),
            spawn: None,
            connection: Mutex::new(None),
        }
    }

    /// Starts the daemon with `program --spawn` when the socket is missing.
    pub fn with_spawn(mut self, program: impl Into<PathBuf>) -> Self {
        self.spawn = Some(program.into());
        self
    }

    /// The socket this speaker talks to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    fn with_connection<T>(
        &self,
        act: impl Fn(&mut Connection) -> Result<T, SpeechError>,
    ) -> Result<T, SpeechError> {
        let mut slot = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(connection) = slot.as_mut() {
            match act(connection) {
                Ok(value) => return Ok(value),
                // A refusal is an answer; anything else means the connection broke (the
                // daemon exits when idle): open a fresh one and try once more.
                Err(e @ SpeechError::Refused(_)) => return Err(e),
                Err(SpeechError::Unavailable(_)) => *slot = None,
            }
        }
        let mut connection = self.connect()?;
        let value = act(&mut connection)?;
        *slot = Some(connection);
        Ok(value)
    }

    fn connect(&self) -> Result<Connection, SpeechError> {
        match Connection::open(&self.socket) {
            Ok(c) => Ok(c),
            Err(first) => {
                self.spawn().map_err(|why| {
                    SpeechError::Unavailable(format!("{first}; starting it: {why}"))
                })?;
                let deadline = std::time::Instant::now() + ANSWER_TIMEOUT;
                loop {
                    match Connection::open(&self.socket) {
                        Ok(c) => return Ok(c),
                        Err(e) if std::time::Instant::now() >= deadline => return Err(e),
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
            }
        }
    }

    fn spawn(&self) -> Result<(), String> {
        let program = self.spawn.as_ref().ok_or("it is not ours to start")?;
        let status = std::process::Command::new(program)
            .arg("--spawn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        // `--spawn` forks the daemon and exits; non-zero means autospawn is off or it failed.
        if status.success() {
            Ok(())
        } else {
            Err(format!("{} exited with {status}", program.display()))
        }
    }
}

#[cfg(unix)]
impl Speaker for SpeechDispatcher {
    fn available(&self) -> bool {
        self.socket.exists() || self.spawn.as_deref().is_some_and(program_on_path)
    }

    fn speak(&self, text: &str, language: Language) -> Result<(), SpeechError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(());
        }
        let tag = ssip_language(language);
        self.with_connection(|c| {
            // Cancel first: a second press reads the screen again rather than queueing it.
            c.command("CANCEL SELF")?;
            c.command(&format!("SET SELF LANGUAGE {tag}"))?;
            c.speak(text)
        })
    }

    fn stop(&self) -> Result<(), SpeechError> {
        let mut slot = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        // Nothing was started by this client if it holds no connection.
        match slot.as_mut() {
            Some(c) => c.command("CANCEL SELF").map(|_| ()),
            None => Ok(()),
        }
    }
}

/// The socket `SPEECHD_ADDRESS` names (`unix_socket:/path`), or the per-user default.
pub fn socket_from_env(get: impl Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(address) = get("SPEECHD_ADDRESS")
        && let Some(path) = address.strip_prefix("unix_socket:")
        && !path.is_empty()
    {
        return PathBuf::from(path);
    }
    let base = get("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| get("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("speech-dispatcher").join("speechd.sock")
}

/// The language tag Speech Dispatcher matches voices by. Both Chinese scripts are read in
/// Mandarin, which eSpeak NG and most voices know as `zh`; other languages by their tag.
pub fn ssip_language(language: Language) -> &'static str {
    let tag = language.tag();
    if tag.starts_with("zh") { "zh" } else { tag }
}

#[cfg(unix)]
fn program_on_path(program: &Path) -> bool {
    if program.components().count() > 1 {
        return program.is_file();
    }
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

/// The text of one SSIP message: lines end in CRLF, a line that starts with a dot gets a
/// second dot, and a lone dot ends the message.
pub fn ssip_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.lines() {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
    out
}

/// One SSIP session.
#[cfg(unix)]
#[derive(Debug)]
struct Connection {
    reader: BufReader<std::os::unix::net::UnixStream>,
}

#[cfg(unix)]
impl Connection {
    fn open(socket: &Path) -> Result<Self, SpeechError> {
        let stream = std::os::unix::net::UnixStream::connect(socket)
            .map_err(|e| SpeechError::Unavailable(format!("{}: {e}", socket.display())))?;
        stream
            .set_read_timeout(Some(ANSWER_TIMEOUT))
            .and_then(|_| stream.set_write_timeout(Some(ANSWER_TIMEOUT)))
            .map_err(|e| SpeechError::Unavailable(e.to_string()))?;
        let mut connection = Self {
            reader: BufReader::new(stream),
        };
        connection.command("SET SELF CLIENT_NAME user:linli:main")?;
        Ok(connection)
    }

    /// Sends one command line and reads its answer; an answer outside 2xx is a refusal.
    fn command(&mut self, line: &str) -> Result<String, SpeechError> {
        self.send(&format!("{line}\r\n"))?;
        self.answer()
    }

    fn speak(&mut self, text: &str) -> Result<(), SpeechError> {
        self.command("SPEAK")?;
        self.send(&ssip_message(text))?;
        self.answer().map(|_| ())
    }

    fn send(&mut self, data: &str) -> Result<(), SpeechError> {
        let stream = self.reader.get_mut();
        stream
            .write_all(data.as_bytes())
            .and_then(|_| stream.flush())
            .map_err(|e| SpeechError::Unavailable(e.to_string()))
    }

    /// Reads lines up to the last one (`NNN text`; earlier ones are `NNN-data`).
    fn answer(&mut self) -> Result<String, SpeechError> {
        loop {
            let mut line = String::new();
            let read = self
                .reader
                .read_line(&mut line)
                .map_err(|e| SpeechError::Unavailable(e.to_string()))?;
            if read == 0 {
                return Err(SpeechError::Unavailable("the service hung up".into()));
            }
            let line = line.trim_end_matches(['\r', '\n']);
            match parse_answer_line(line) {
                AnswerLine::More => continue,
                AnswerLine::Last { ok: true } => return Ok(line.to_string()),
                AnswerLine::Last { ok: false } => return Err(SpeechError::Refused(line.into())),
                AnswerLine::Garbled => {
                    return Err(SpeechError::Unavailable(format!("not SSIP: {line:?}")));
                }
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum AnswerLine {
    More,
    Last { ok: bool },
    Garbled,
}

fn parse_answer_line(line: &str) -> AnswerLine {
    let bytes = line.as_bytes();
    if bytes.len() < 4 || !bytes[..3].iter().all(u8::is_ascii_digit) {
        return AnswerLine::Garbled;
    }
    match bytes[3] {
        b'-' => AnswerLine::More,
        b' ' => AnswerLine::Last {
            ok: bytes[0] == b'2',
        },
        _ => AnswerLine::Garbled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_escapes_leading_dots_and_ends_with_a_lone_dot() {
        assert_eq!(
            ssip_message("报修\n.5 号楼\n..\nend"),
            "报修\r\n..5 号楼\r\n...\r\nend\r\n.\r\n"
        );
        assert_eq!(ssip_message("one line"), "one line\r\n.\r\n");
    }

    #[test]
    fn answers_are_read_up_to_the_last_line() {
        assert_eq!(parse_answer_line("225-17"), AnswerLine::More);
        assert_eq!(
            parse_answer_line("225 OK MESSAGE QUEUED"),
            AnswerLine::Last { ok: true }
        );
        assert_eq!(
            parse_answer_line("410 ERR LANGUAGE NOT FOUND"),
            AnswerLine::Last { ok: false }
        );
        assert_eq!(parse_answer_line("hello"), AnswerLine::Garbled);
        assert_eq!(parse_answer_line("22"), AnswerLine::Garbled);
    }

    #[test]
    fn the_socket_follows_speechd_address_then_the_runtime_dir() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            socket_from_env(env(&[
                ("SPEECHD_ADDRESS", "unix_socket:/run/s.sock"),
                ("XDG_RUNTIME_DIR", "/run/user/1000"),
            ])),
            PathBuf::from("/run/s.sock")
        );
        assert_eq!(
            socket_from_env(env(&[
                ("SPEECHD_ADDRESS", "inet_socket:127.0.0.1:6560"),
                ("XDG_RUNTIME_DIR", "/run/user/1000"),
            ])),
            PathBuf::from("/run/user/1000/speech-dispatcher/speechd.sock")
        );
        assert_eq!(
            socket_from_env(env(&[("HOME", "/home/wang")])),
            PathBuf::from("/home/wang/.cache/speech-dispatcher/speechd.sock")
        );
    }

    #[test]
    fn both_chinese_scripts_are_read_in_mandarin() {
        assert_eq!(ssip_language(Language::ZhCn), "zh");
        assert_eq!(ssip_language(Language::ZhTw), "zh");
        assert_eq!(ssip_language(Language::En), "en");
    }

    #[cfg(unix)]
    #[test]
    fn a_missing_service_that_cannot_be_started_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        let speaker = SpeechDispatcher::new(dir.path().join("none.sock"))
            .with_spawn(dir.path().join("no-such-program"));
        assert!(!speaker.available());
        assert!(matches!(
            speaker.speak("你好", Language::ZhCn),
            Err(SpeechError::Unavailable(_))
        ));
        assert!(speaker.stop().is_ok());
    }

    #[test]
    fn the_recording_speaker_remembers_in_order_and_can_refuse() {
        let on = RecordingSpeaker::new(true);
        on.speak("一", Language::ZhCn).unwrap();
        on.speak("two", Language::En).unwrap();
        assert_eq!(
            on.said(),
            vec![(Language::ZhCn, "一".into()), (Language::En, "two".into())]
        );
        let off = RecordingSpeaker::new(false);
        assert!(!off.available());
        assert!(off.speak("x", Language::En).is_err());
        assert!(off.said().is_empty());
    }
}
