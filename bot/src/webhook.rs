//! Checks every inbound webhook shares, before any parsing: the declared content type, and
//! strict form decoding. A provider never sends a body of the wrong type or bytes that are not
//! UTF-8, so such a request is a forgery or a broken proxy, and gets a 4xx rather than a guess.

use axum::http::{HeaderMap, StatusCode, header};

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
