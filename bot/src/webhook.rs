//! Checks every inbound webhook shares, before any parsing: the declared content type, and
//! strict form decoding. A provider never sends a body of the wrong type or bytes that are not
//! UTF-8, so such a request is a forgery or a broken proxy, and gets a 4xx rather than a guess.
//! And the one answer for a webhook whose content could not be stored.

use axum::{
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use peerline_core::store::{Store, StoreError};

/// Seconds a provider is asked to wait before retrying while the database takes no writes.
pub const RETRY_AFTER_SECS: &str = "5";

/// The answer when what a webhook carried could not be stored: never 2xx, so the provider
/// retries. A failure of the storage (full disk, a lock held elsewhere) is `503` with
/// `Retry-After`, and is logged once per outage by the store rather than once per request;
/// anything else is a `500`, logged here with `what`.
pub fn not_stored(store: &Store, e: &StoreError, what: &'static str) -> Response {
    store.note_write_error(e);
    match e.unavailable() {
        Some(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, RETRY_AFTER_SECS)],
            "not stored; retry",
        )
            .into_response(),
        None => {
            tracing::error!(error = %e, "{what}");
            (StatusCode::INTERNAL_SERVER_ERROR, "not stored; retry").into_response()
        }
    }
}

/// Whether the request declares `expected` as its media type (parameters such as `charset`
/// ignored, case-insensitive). A missing header does not match.
pub fn content_type_is(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(expected))
}

/// The refusal for a body of the wrong type.
pub const UNSUPPORTED: (StatusCode, &str) = (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported content type");

/// The `key=value` pairs of a query string or `application/x-www-form-urlencoded` body, `+` and
/// percent escapes decoded, as bytes: what they mean as text is the caller's decision.
pub fn form_pairs(form: &[u8]) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
    let decode = |s: &[u8]| -> Vec<u8> {
        let spaced: Vec<u8> = s.iter().map(|b| if *b == b'+' { b' ' } else { *b }).collect();
        percent_encoding::percent_decode(&spaced).collect()
    };
    form.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(move |pair| {
            let mut kv = pair.splitn(2, |b| *b == b'=');
            (
                decode(kv.next().unwrap_or_default()),
                decode(kv.next().unwrap_or_default()),
            )
        })
}

/// Decode an `application/x-www-form-urlencoded` body, refusing any key or value whose bytes
/// (after percent-decoding) are not UTF-8, instead of replacing them as lenient decoders do.
pub fn strict_form(body: &[u8]) -> Option<Vec<(String, String)>> {
    form_pairs(body)
        .map(|(k, v)| Some((String::from_utf8(k).ok()?, String::from_utf8(v).ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_match_on_the_media_type_alone() {
        let mut h = HeaderMap::new();
        assert!(!content_type_is(&h, "application/json"));
        h.insert(header::CONTENT_TYPE, "Application/JSON; charset=utf-8".parse().unwrap());
        assert!(content_type_is(&h, "application/json"));
        assert!(!content_type_is(&h, "application/x-www-form-urlencoded"));
    }

    #[test]
    fn forms_decode_strictly() {
        assert_eq!(
            strict_form(b"Body=hi+there%21&From=%2B447700900303&Empty=&Bare").unwrap(),
            vec![
                ("Body".to_owned(), "hi there!".to_owned()),
                ("From".to_owned(), "+447700900303".to_owned()),
                ("Empty".to_owned(), String::new()),
                ("Bare".to_owned(), String::new()),
            ]
        );
        assert_eq!(strict_form(b"Body=caf%C3%A9").unwrap()[0].1, "café");
        assert!(strict_form(b"Body=%FF%FE").is_none());
        assert!(strict_form(b"Bo%C3dy=x").is_none());
        assert!(strict_form(&[b'a', b'=', 0xff]).is_none());
        assert_eq!(strict_form(b"").unwrap(), vec![]);
    }
}
