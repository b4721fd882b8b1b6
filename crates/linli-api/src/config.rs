//! Where the platform is. A real community sets its own address; only https is accepted,
//! except on loopback where the demo platform runs.

use crate::error::{FieldError, FieldErrorCode};
use std::net::IpAddr;
use url::{Host, Url};

/// The default address: the demo platform the run command starts on this machine.
pub const DEFAULT_PLATFORM_URL: &str = "http://127.0.0.1:8731";

/// Parses and checks a platform address. https anywhere; http only on loopback
/// (127.0.0.0/8, ::1, `localhost`), so tokens never travel in clear over a real network.
pub fn parse_platform_url(input: &str) -> Result<Url, FieldError> {
    let invalid = || FieldError::new("platform_url", FieldErrorCode::InvalidUrl);
    let url = Url::parse(input.trim()).map_err(|_| invalid())?;
    if url.cannot_be_a_base() || url.host().is_none() || !url.username().is_empty() {
        return Err(invalid());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid());
    }
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("https://linli.example.org")]
    #[case("https://linli.example.org/api/")]
    #[case("http://127.0.0.1:8731")]
    #[case("http://127.8.9.10")]
    #[case("http://[::1]:9000")]
    #[case("http://localhost:8080")]
    fn accepts_https_and_loopback_http(#[case] input: &str) {
        assert!(parse_platform_url(input).is_ok(), "{input}");
    }

    #[rstest]
    #[case("http://linli.example.org")]
    #[case("http://192.168.1.10:8731")]
    #[case("ftp://127.0.0.1")]
    #[case("linli.example.org")]
    #[case("")]
    #[case("https://user:pw@linli.example.org")]
    #[case("https://linli.example.org/?x=1")]
    fn refuses_everything_else(#[case] input: &str) {
        assert_eq!(
            parse_platform_url(input).unwrap_err().code,
            FieldErrorCode::InvalidUrl
        );
    }

    #[test]
    fn the_default_is_acceptable() {
        assert!(parse_platform_url(DEFAULT_PLATFORM_URL).is_ok());
    }
}
