//! What the request log says about each request: never a secret. Open311 clients send their
//! session token as `api_key` in the query string, so the URI is logged with that value
//! replaced (tower-http's default span would log it whole).

use axum::http::{Request, Uri};
use tracing::Span;

/// Query parameters whose values are secrets.
const SECRET_PARAMS: [&str; 1] = ["api_key"];

/// `uri` as it may be logged: path and query, secret values replaced by `[redacted]`.
pub fn loggable_uri(uri: &Uri) -> String {
    let Some(query) = uri.query() else {
        return uri.path().to_owned();
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let decoded = url::form_urlencoded::parse(name.as_bytes())
                .next()
                .map(|(k, _)| k.into_owned())
                .unwrap_or_default();
            if SECRET_PARAMS
                .iter()
                .any(|s| decoded.eq_ignore_ascii_case(s))
            {
                format!("{name}=[redacted]")
            } else {
                pair.to_owned()
            }
        })
        .collect();
    format!("{}?{}", uri.path(), pairs.join("&"))
}

/// The span each request is handled in (the `TraceLayer`'s `make_span_with`).
pub fn request_span<B>(request: &Request<B>) -> Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        uri = %loggable_uri(request.uri()),
        version = ?request.version(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_are_left_out_of_logged_addresses() {
        let uri: Uri = "/open311/v2/requests.json?jurisdiction_id=estate-1&api_key=s3cret&x=1"
            .parse()
            .unwrap();
        assert_eq!(
            loggable_uri(&uri),
            "/open311/v2/requests.json?jurisdiction_id=estate-1&api_key=[redacted]&x=1"
        );
        // Spelled another way, the parameter is still the key the platform reads.
        let odd: Uri = "/open311/v2/requests.json?API_KEY=s3cret&api%5Fkey=s3cret"
            .parse()
            .unwrap();
        assert!(
            !loggable_uri(&odd).contains("s3cret"),
            "{}",
            loggable_uri(&odd)
        );
        let plain: Uri = "/v1/reports?scope=estate".parse().unwrap();
        assert_eq!(loggable_uri(&plain), "/v1/reports?scope=estate");
        assert_eq!(loggable_uri(&"/health".parse().unwrap()), "/health");
    }
}
