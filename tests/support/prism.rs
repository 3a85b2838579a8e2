//! Prism serving Twilio's OpenAPI spec for tests: filled in by the Twilio harness work.
