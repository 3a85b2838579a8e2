//! Settings, layered: built-in defaults, then an optional TOML file, then environment variables
//! named `PEERLINE_SECTION__KEY`. Every struct denies unknown keys, so a typo is an error that
//! names the key instead of a setting silently ignored. Secrets are wrapped in [`Secret`], whose
//! `Debug` never shows the value.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use chrono_tz::Tz;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
    value::Value,
};
use serde::{Deserialize, Deserializer};

/// Environment variables with the `PEERLINE_` prefix that are not settings.
const NON_SETTING_ENV: &[&str] = &["config", "log", "bot_api_spec", "twilio_spec", "kannel_bin"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("configuration error: {0}")]
    Invalid(String),
}

impl From<figment::Error> for ConfigError {
    fn from(e: figment::Error) -> Self {
        // figment's message names the key and where the value came from (file or env var).
        ConfigError::Invalid(e.to_string().replace('\n', "; "))
    }
}

/// A secret string (bot token, auth token). Prints as `[redacted]` in `Debug` and never
/// implements `Display`; read it with [`Secret::expose`] at the point of use only.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Environment values that look like numbers arrive as numbers; a token is still text.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Text(s) => Secret(s),
            Raw::Int(n) => Secret(n.to_string()),
        })
    }
}

/// Deserialize text that environment variables may have turned into a number (a short code
/// `60001`, a numeric username): for settings that are always text.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Int(i64),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::Text(s) => s,
        Raw::Int(n) => n.to_string(),
    })
}

/// [`text`] for optional settings.
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    text(d).map(Some)
}

/// An IANA time zone name, checked at load time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(pub Tz);

impl<'de> Deserialize<'de> for TimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<Tz>().map(TimeZone).map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown time zone {s:?} (use an IANA name such as Europe/London)"
            ))
        })
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone(chrono_tz::Europe::London)
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub database: DatabaseSettings,
    pub http: HttpSettings,
    /// Time zone for new services unless `service add --timezone` says otherwise.
    pub default_timezone: TimeZone,
    pub locales: LocaleSettings,
    pub invites: InviteSettings,
    pub telegram: TelegramSettings,
    pub sms: SmsSettings,
    pub delivery: DeliverySettings,
    pub scheduler: SchedulerSettings,
    pub escalation: EscalationSettings,
    pub privacy: PrivacySettings,
    pub strangers: StrangerSettings,
}

/// Limits on what addresses that are not enrolled can make Peerline send. Every SMS reply costs
/// money, and a flood of strangers must not hold up anyone else's messages.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StrangerSettings {
    /// Replies of every kind (welcome, crisis numbers, code refusals, STOP confirmations) to
    /// unknown addresses, per channel per UTC day. Past it strangers are answered no more that
    /// day, and the log says so once.
    pub daily_reply_budget: u32,
    /// Wrong invite codes from one address within an hour before it is locked out.
    pub max_wrong_codes: u32,
    /// How long a locked-out address is answered no more (the codes it sends are not tried).
    pub lockout_minutes: u32,
}

impl Default for StrangerSettings {
    fn default() -> Self {
        Self {
            daily_reply_budget: 500,
            max_wrong_codes: 5,
            lockout_minutes: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacySettings {
    /// Message bodies (inbox and outbox) older than this are purged; metadata stays.
    pub message_retention_days: u32,
    /// The verbatim words in safeguarding escalations are kept this long.
    pub escalation_retention_days: u32,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            message_retention_days: 90,
            escalation_retention_days: 6 * 365,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationSettings {
    /// An unacknowledged alert is sent again this often.
    pub reprompt_minutes: u32,
    /// After this long unacknowledged, deputies / safeguarding leads are alerted too.
    pub deputy_after_minutes: u32,
    /// An escalation none of whose alerts a provider has accepted after this long is reported
    /// to every member of staff on every channel, and `/healthz/safeguarding` degrades.
    pub undelivered_after_minutes: u32,
}

impl Default for EscalationSettings {
    fn default() -> Self {
        Self {
            reprompt_minutes: 10,
            deputy_after_minutes: 30,
            undelivered_after_minutes: 3,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerSettings {
    /// How often the scheduler looks for due work.
    pub tick_secs: u64,
    /// Occurrences missed (while Peerline was down) by more than this are skipped, not sent late.
    pub grace_hours: u32,
}

impl Default for SchedulerSettings {
    fn default() -> Self {
        Self {
            tick_secs: 30,
            grace_hours: 6,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path` (created if missing) or `sqlite::memory:`.
    pub url: String,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://peerline.db".into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    pub listen: SocketAddr,
    /// Largest request body accepted by any webhook, in bytes.
    pub max_body_bytes: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 64 * 1024,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct LocaleSettings {
    /// Optional directory with `<lang>/*.ftl` files whose messages override the built-in ones.
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InviteSettings {
    /// How long a new invite code stays valid.
    pub ttl_hours: u32,
}

impl Default for InviteSettings {
    fn default() -> Self {
        Self { ttl_hours: 72 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TelegramMode {
    #[default]
    Polling,
    Webhook,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelegramSettings {
    /// Bot token from @BotFather. Without it the Telegram channel is off.
    pub token: Option<Secret>,
    pub mode: TelegramMode,
    /// Bot API base URL; point it at a local Bot API server or a test fake.
    pub api_url: String,
    /// Public HTTPS URL Telegram should post updates to (webhook mode).
    pub webhook_url: Option<String>,
    /// Secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token` (webhook mode).
    pub secret_token: Option<Secret>,
    /// Long-poll timeout for `getUpdates`, in seconds.
    pub poll_timeout_secs: u32,
    /// Messages per second across the whole bot (Telegram allows about 30).
    pub global_per_second: u32,
    /// Minimum milliseconds between two messages to one chat (Telegram allows about 1/s).
    pub per_chat_interval_ms: u64,
}

impl Default for TelegramSettings {
    fn default() -> Self {
        Self {
            token: None,
            mode: TelegramMode::Polling,
            api_url: "https://api.telegram.org".into(),
            webhook_url: None,
            secret_token: None,
            poll_timeout_secs: 25,
            global_per_second: 30,
            per_chat_interval_ms: 1000,
        }
    }
}

/// SMS: which provider, and limits that apply whatever the provider.
///
/// Each provider's own settings live in its section (`[sms.twilio]`, `[sms.kannel]`) and are
/// checked by that provider's module in `peerline-bot`, so adding a provider does not touch
/// this crate. (That is also why this struct cannot deny unknown keys itself: the provider
/// registry reports a section no provider claims.)
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct SmsSettings {
    /// `twilio`, `kannel`, or `none` (SMS off).
    pub provider: String,
    /// Longest scheduled message (reminder, check-in), in SMS segments, Peerline will send
    /// (cost control). Replies, callback and safeguarding messages are sent whole.
    pub max_segments: u32,
    /// Messages per second to the provider.
    pub rate_per_second: u32,
    /// Provider sections, by provider name.
    #[serde(flatten)]
    pub providers: std::collections::BTreeMap<String, serde_json::Value>,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            provider: "none".into(),
            max_segments: 3,
            rate_per_second: 10,
            providers: std::collections::BTreeMap::new(),
        }
    }
}

impl SmsSettings {
    /// The chosen provider's name, or `None` when SMS is off.
    pub fn active(&self) -> Option<&str> {
        let p = self.provider.trim();
        (!p.is_empty() && !p.eq_ignore_ascii_case("none")).then_some(p)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliverySettings {
    /// Attempts before a message is marked dead.
    pub max_attempts: u32,
    /// How long a claimed message is leased to a sender before another may retry it.
    pub lease_secs: u32,
    /// First retry delay; doubles each attempt, with jitter.
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// How often an idle worker looks for due messages.
    pub idle_poll_ms: u64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            lease_secs: 60,
            backoff_base_ms: 2_000,
            backoff_max_ms: 15 * 60 * 1000,
            idle_poll_ms: 250,
        }
    }
}

/// Read an environment value as TOML-ish data (numbers, booleans, arrays), except that text
/// that would lose something by it stays text: `+447700900000` is a phone number, not the
/// integer 447700900000, and `0044…` or `007` keep their leading zeros.
fn env_value(raw: &str) -> Value {
    let t = raw.trim();
    let keeps_text = t.starts_with('+') || (t.len() > 1 && t.starts_with('0') && !t.starts_with("0."));
    if keeps_text {
        return Value::from(raw.to_owned());
    }
    raw.parse().unwrap_or_else(|_| Value::from(raw.to_owned()))
}

impl Settings {
    /// Load settings: defaults, then `path` (must exist if given) or `./peerline.toml` if
    /// present, then `PEERLINE_*` environment variables.
    pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::new();
        match path {
            Some(p) if !p.exists() => return Err(ConfigError::MissingFile(p.to_owned())),
            Some(p) => figment = figment.merge(Toml::file_exact(p)),
            None => {
                let default = Path::new("peerline.toml");
                if default.exists() {
                    figment = figment.merge(Toml::file_exact(default));
                }
            }
        }
        let env = Env::prefixed("PEERLINE_")
            .filter(|k| !NON_SETTING_ENV.iter().any(|n| k.as_str().eq_ignore_ascii_case(n)))
            .split("__");
        for (key, raw) in env.iter() {
            figment = figment.merge(Serialized::global(key.as_str(), env_value(&raw)));
        }
        let settings: Settings = figment.extract()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Cross-field checks serde cannot express.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let missing = |key: &str, why: &str| Err(ConfigError::Invalid(format!("{key} must be set {why}")));
        if self.telegram.token.is_some() && self.telegram.mode == TelegramMode::Webhook {
            if self.telegram.webhook_url.is_none() {
                return missing("telegram.webhook_url", "when telegram.mode = \"webhook\"");
            }
            if self.telegram.secret_token.is_none() {
                return missing("telegram.secret_token", "when telegram.mode = \"webhook\"");
            }
        }
        if self.telegram.global_per_second == 0 {
            return Err(ConfigError::Invalid(
                "telegram.global_per_second must be at least 1".into(),
            ));
        }
        if self.sms.rate_per_second == 0 {
            return Err(ConfigError::Invalid("sms.rate_per_second must be at least 1".into()));
        }
        if self.sms.max_segments == 0 {
            return Err(ConfigError::Invalid("sms.max_segments must be at least 1".into()));
        }
        if self.delivery.max_attempts == 0 {
            return Err(ConfigError::Invalid("delivery.max_attempts must be at least 1".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
// figment's Jail closures return figment::Error, which is large; that is its API, not ours.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn load_in(jail: &Jail, file: Option<&str>) -> Result<Settings, ConfigError> {
        let path = file.map(|f| jail.directory().join(f));
        Settings::load(path.as_deref())
    }

    #[test]
    fn defaults_need_no_configuration() {
        Jail::expect_with(|jail| {
            let s = load_in(jail, None).map_err(|e| e.to_string())?;
            assert_eq!(s.database.url, "sqlite://peerline.db");
            assert_eq!(s.http.listen.to_string(), "127.0.0.1:8080");
            assert_eq!(s.default_timezone.0, chrono_tz::Europe::London);
            assert!(s.telegram.token.is_none());
            assert_eq!(s.sms.active(), None);
            Ok(())
        });
    }

    #[test]
    fn file_overrides_defaults_and_env_overrides_file() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "custom.toml",
                "default_timezone = \"Europe/Warsaw\"\n[database]\nurl = \"sqlite://file.db\"\n[http]\nlisten = \"127.0.0.1:9000\"\n",
            )?;
            jail.set_env("PEERLINE_DATABASE__URL", "sqlite://env.db");
            jail.set_env("PEERLINE_TELEGRAM__TOKEN", "123456");
            let s = load_in(jail, Some("custom.toml")).map_err(|e| e.to_string())?;
            assert_eq!(s.database.url, "sqlite://env.db");
            assert_eq!(s.http.listen.port(), 9000);
            assert_eq!(s.default_timezone.0, chrono_tz::Europe::Warsaw);
            assert_eq!(s.telegram.token.as_ref().map(Secret::expose), Some("123456"));
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        Jail::expect_with(|jail| {
            jail.create_file("typo.toml", "[databse]\nurl = \"x\"\n")?;
            let err = load_in(jail, Some("typo.toml"))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("databse"), "{err}");

            jail.create_file("tz.toml", "default_timezone = \"Mars/Olympus\"\n")?;
            let err = load_in(jail, Some("tz.toml"))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                err.contains("Mars/Olympus") && err.contains("default_timezone"),
                "{err}"
            );

            jail.create_file("port.toml", "[http]\nlisten = \"nowhere\"\n")?;
            let err = load_in(jail, Some("port.toml"))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("listen"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("PEERLINE_TELEGRAM__TOKNE", "x");
            let err = load_in(jail, None).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("tokne"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn missing_explicit_file_and_incomplete_provider_are_errors() {
        Jail::expect_with(|jail| {
            assert!(matches!(
                load_in(jail, Some("nope.toml")),
                Err(ConfigError::MissingFile(_))
            ));
            jail.set_env("PEERLINE_SMS__PROVIDER", "twilio");
            jail.set_env("PEERLINE_SMS__TWILIO__AUTH_TOKEN", "12345");
            let s = load_in(jail, None).map_err(|e| e.to_string())?;
            assert_eq!(s.sms.active(), Some("twilio"));
            // Provider sections are kept for the provider module to check.
            assert_eq!(s.sms.providers["twilio"]["auth_token"], serde_json::json!(12345));
            Ok(())
        });
    }

    #[test]
    fn phone_numbers_in_the_environment_stay_text() {
        Jail::expect_with(|jail| {
            jail.set_env("PEERLINE_SMS__TWILIO__FROM", "+447700900000");
            jail.set_env("PEERLINE_SMS__KANNEL__FROM", "07700900000");
            jail.set_env("PEERLINE_SMS__RATE_PER_SECOND", "25");
            let s = load_in(jail, None).map_err(|e| e.to_string())?;
            assert_eq!(s.sms.providers["twilio"]["from"], serde_json::json!("+447700900000"));
            assert_eq!(s.sms.providers["kannel"]["from"], serde_json::json!("07700900000"));
            assert_eq!(s.sms.rate_per_second, 25);
            Ok(())
        });
    }

    #[test]
    fn secrets_never_show_in_debug() {
        Jail::expect_with(|jail| {
            jail.set_env("PEERLINE_TELEGRAM__TOKEN", "999:very-secret-token");
            let s = load_in(jail, None).map_err(|e| e.to_string())?;
            let dump = format!("{s:?}");
            assert!(!dump.contains("very-secret-token"), "{dump}");
            assert!(dump.contains("[redacted]"));
            Ok(())
        });
    }
}
