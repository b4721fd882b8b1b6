//! The Open311 GeoReport v2 face: requests (query strings, form bodies, api_key, formats)
//! kept under `/open311` and sent through the platform's whole router. Never a 5xx, never a
//! panic, every answer well-formed JSON or XML as its content type says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_fuzz::{Platform, request};

fuzz_target!(|data: &[u8]| {
    let data = request::under_prefix(data, linli_platform::open311::PREFIX.as_bytes());
    if let Some(exchange) = Platform::get().exchange(&data) {
        exchange.check();
    }
});
