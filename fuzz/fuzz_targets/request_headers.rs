//! The header decoders, directly: `Idempotency-Key` (`parse_key`), `Authorization: Bearer`
//! (`bearer_in`), the media type of a `Content-Type` and the language of an
//! `Accept-Language` tag. The input is one header value, given to each.
#![no_main]

use axum::http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;
use linli_api::ErrorCode;
use linli_api::ipc::Language;
use linli_platform::http::extract::bearer_in;
use linli_platform::http::idempotency::parse_key;
use linli_platform::photo::media_type;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };

    match parse_key(&value) {
        Ok(key) => {
            let text = value.to_str().expect("a key was read from text");
            assert_eq!(key, text.trim(), "the key is the value, trimmed");
            assert!((1..=255).contains(&key.len()), "{key:?}");
            assert!(key.bytes().all(|b| b.is_ascii_graphic()), "{key:?}");
        }
        Err(e) => assert_eq!(e.code, ErrorCode::IdempotencyKeyInvalid),
    }

    let mut headers = HeaderMap::new();
    headers.insert(header::AUTHORIZATION, value.clone());
    if let Some(token) = bearer_in(&headers) {
        let text = value.to_str().expect("a token was read from text");
        let (scheme, rest) = text.split_once(' ').expect("a scheme and a token");
        assert!(scheme.eq_ignore_ascii_case("bearer"), "{text:?}");
        assert_eq!(token, rest.trim());
        assert!(!token.is_empty());
    }

    if let Ok(text) = value.to_str() {
        let media = media_type(text);
        assert!(!media.contains(';'), "{media:?}");
        assert_eq!(media, media.trim());
        assert_eq!(media, media.to_ascii_lowercase());
        // An Accept-Language entry, as the Open311 face reads it.
        for tag in text.split(',') {
            let tag = tag.split(';').next().unwrap_or_default().trim();
            if let Some(language) = Language::from_tag(tag) {
                assert_eq!(Language::from_tag(language.tag()), Some(language));
            }
        }
    }
});
