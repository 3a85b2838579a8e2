//! Real Kannel (bearerbox + smsbox + fakesmsc) for tests: filled in by the Kannel harness work.
