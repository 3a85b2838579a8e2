//! `X-Twilio-Signature`: base64 of HMAC-SHA1, keyed with the account's auth token, over the
//! full public URL Twilio requested followed by every POST parameter's name and value, sorted
//! by name (and by value for a repeated name).
//!
//! Twilio does not always sign the URL in the form it was configured: behind a load balancer
//! the port may be added or dropped. Its own validator (twilio-python's `RequestValidator`)
//! accepts the URL as given, with the scheme's default port added when it has none, and with
//! its port removed when it has one; [`url_variants`] gives the same set.

use base64::{Engine as _, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// The signature Twilio would send for this request.
pub fn compute(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    // HMAC accepts keys of any length, so this cannot fail; fall back to an empty MAC anyway.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
        return String::new();
    };
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Does `given` match, compared in constant time?
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], given: &str) -> bool {
    let expected = compute(auth_token, url, params);
    bool::from(expected.as_bytes().ct_eq(given.trim().as_bytes()))
}

/// The base URLs a signature may have been computed over: `public_url` as configured (without
/// a trailing `/`), then with the scheme's default port (443 for https, 80 for http) when it has
/// no port, or without its port when it has one.
pub fn url_variants(public_url: &str) -> Vec<String> {
    let base = public_url.trim_end_matches('/');
    let mut variants = vec![base.to_owned()];
    let Some((scheme, rest)) = base.split_once("://") else {
        return variants;
    };
    let default_port = match scheme.to_ascii_lowercase().as_str() {
        "https" => "443",
        "http" => "80",
        _ => return variants,
    };
    let (authority, path) = rest.find(['/', '?']).map_or((rest, ""), |i| rest.split_at(i));
    let (userinfo, host_port) = match authority.rsplit_once('@') {
        Some((user, host)) => (&authority[..=user.len()], host),
        None => ("", authority),
    };
    // A port follows the last `:` after an IPv6 literal's closing bracket, if any.
    let host_end = host_port.rfind(']').map_or(0, |i| i + 1);
    let host = match host_port[host_end..].rfind(':') {
        Some(i) => &host_port[..host_end + i],
        None => host_port,
    };
    let with_port = |port: &str| format!("{scheme}://{userinfo}{host}{port}{path}");
    if host.len() == host_port.len() {
        variants.push(with_port(&format!(":{default_port}")));
    } else {
        variants.push(with_port(""));
    }
    variants
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn twilio_documented_test_vector() {
        let params = p(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]);
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(compute("12345", url, &params), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
        assert!(verify("12345", url, &params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        assert!(!verify("12345", url, &params, "0/KCTR6DLpKmkAf8muzZqo1nDgR="));
        assert!(!verify("54321", url, &params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
        assert!(!verify(
            "12345",
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!verify("12345", url, &params, ""));
    }

    #[test]
    fn parameter_order_does_not_matter_but_values_do() {
        let a = p(&[("Body", "hi"), ("From", "+447700900123")]);
        let b = p(&[("From", "+447700900123"), ("Body", "hi")]);
        let c = p(&[("From", "+447700900123"), ("Body", "hi!")]);
        assert_eq!(compute("t", "https://x/y", &a), compute("t", "https://x/y", &b));
        assert_ne!(compute("t", "https://x/y", &a), compute("t", "https://x/y", &c));
    }

    #[test]
    fn url_variants_add_the_default_port_or_remove_the_given_one() {
        assert_eq!(
            url_variants("https://peerline.example.org/"),
            ["https://peerline.example.org", "https://peerline.example.org:443"]
        );
        assert_eq!(
            url_variants("http://peerline.internal/sms"),
            ["http://peerline.internal/sms", "http://peerline.internal:80/sms"]
        );
        assert_eq!(
            url_variants("https://peerline.example.org:8443/base"),
            [
                "https://peerline.example.org:8443/base",
                "https://peerline.example.org/base"
            ]
        );
        assert_eq!(
            url_variants("https://user:pw@[2001:db8::1]:443"),
            ["https://user:pw@[2001:db8::1]:443", "https://user:pw@[2001:db8::1]"]
        );
        assert_eq!(
            url_variants("https://[2001:db8::1]"),
            ["https://[2001:db8::1]", "https://[2001:db8::1]:443"]
        );
        assert_eq!(url_variants("peerline.example.org"), ["peerline.example.org"]);
    }
}
