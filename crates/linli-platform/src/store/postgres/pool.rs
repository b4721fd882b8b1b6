//! A small pool of synchronous PostgreSQL connections: at most `max` open, handed out one
//! caller at a time, returned when the caller is done, dropped when broken.
//!
//! A `postgres::Client` drives its socket with a runtime of its own, and closing one blocks
//! on that runtime, which tokio forbids inside async code. The platform's last handle on the
//! store may well be dropped in async code (a task aborted by `kill`), so connections are
//! closed on a thread of their own.

use crate::store::{StoreError, StoreResult};
use postgres::{Client, NoTls};
use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long a caller waits for a free connection before the request fails.
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) struct Pool {
    config: postgres::Config,
    max: usize,
    state: Mutex<State>,
    returned: Condvar,
}

struct State {
    idle: Vec<Client>,
    /// Connections open, idle or handed out.
    open: usize,
}

impl Pool {
    pub(super) fn new(config: postgres::Config, max: usize) -> Self {
        Self {
            config,
            max,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a list and a count, consistent after every statement: a panic
        // elsewhere while the lock was held leaves nothing half done.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A connection outside the pool, kept by the caller for as long as it likes.
    pub(super) fn connect_held(&self) -> Result<Held, postgres::Error> {
        Ok(Held(Some(self.config.connect(NoTls)?)))
    }

    /// A connection: an idle one, a new one while fewer than `max` are open, or the next one
    /// returned.
    pub(super) fn get(&self) -> StoreResult<Conn<'_>> {
        let deadline = std::time::Instant::now() + CHECKOUT_TIMEOUT;
        let mut state = self.state();
        loop {
            while let Some(client) = state.idle.pop() {
                if client.is_closed() {
                    // The server went away or restarted meanwhile.
                    state.open -= 1;
                    close_elsewhere(vec![client]);
                    continue;
                }
                return Ok(Conn {
                    pool: self,
                    client: Some(client),
                });
            }
            if state.open < self.max {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Conn {
                        pool: self,
                        client: Some(client),
                    }),
                    Err(e) => {
                        self.state().open -= 1;
                        self.returned.notify_one();
                        Err(e.into())
                    }
                };
            }
            let now = std::time::Instant::now();
            if now >= deadline {
                return Err(StoreError::Unavailable(format!(
                    "all {} connections stayed busy for {}s",
                    self.max,
                    CHECKOUT_TIMEOUT.as_secs()
                )));
            }
            state = self
                .returned
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn put_back(&self, client: Client) {
        let mut state = self.state();
        if client.is_closed() {
            state.open -= 1;
            drop(state);
            close_elsewhere(vec![client]);
        } else {
            state.idle.push(client);
        }
        self.returned.notify_one();
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        close_elsewhere(std::mem::take(&mut self.state().idle));
    }
}

/// Closes connections on a thread of their own (see the module's note).
fn close_elsewhere(clients: Vec<Client>) {
    if clients.is_empty() {
        return;
    }
    if tokio::runtime::Handle::try_current().is_err() {
        drop(clients);
        return;
    }
    std::thread::spawn(move || drop(clients));
}

/// A pooled connection; goes back to the pool when dropped.
pub(super) struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.client.as_ref().expect("present until dropped")
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            self.pool.put_back(client);
        }
    }
}

/// A connection of its own, closed (on a thread of its own) when dropped.
pub(super) struct Held(Option<Client>);

impl Deref for Held {
    type Target = Client;
    fn deref(&self) -> &Client {
        self.0.as_ref().expect("present until dropped")
    }
}

impl DerefMut for Held {
    fn deref_mut(&mut self) -> &mut Client {
        self.0.as_mut().expect("present until dropped")
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        close_elsewhere(self.0.take().into_iter().collect());
    }
}
