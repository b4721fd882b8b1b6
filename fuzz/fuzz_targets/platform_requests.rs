//! The platform's own API as it really runs: a request written as text (see the crate's
//! documentation) goes through the whole axum router (extractors, the Idempotency-Key layer,
//! bearer sessions, handlers, the SQLite store) of a seeded platform in-process. Never a 5xx,
//! never a panic, every error a problem document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_fuzz::Platform;

fuzz_target!(|data: &[u8]| {
    if let Some(exchange) = Platform::get().exchange(data) {
        exchange.check();
    }
});
