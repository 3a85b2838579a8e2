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
    providers::{Env, Format, Toml},
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmsProviderKind {
    /// SMS is off.
    #[default]
    None,
    Twilio,
    Kannel,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSettings {
    pub provider: SmsProviderKind,
    /// Longest message, in SMS segments, Peerline will send (cost control).
    pub max_segments: u32,
    /// Messages per second to the provider.
    pub rate_per_second: u32,
    pub twilio: TwilioSettings,
    pub kannel: KannelSettings,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            provider: SmsProviderKind::None,
            max_segments: 3,
            rate_per_second: 10,
            twilio: TwilioSettings::default(),
            kannel: KannelSettings::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwilioSettings {
    pub account_sid: Option<String>,
    pub auth_token: Option<Secret>,
    /// Sender number or messaging service.
    pub from: Option<String>,
    pub api_base: String,
    /// The public URL Twilio posts to, exactly as configured in Twilio (signatures cover it).
    pub public_url: Option<String>,
}

impl Default for TwilioSettings {
    fn default() -> Self {
        Self {
            account_sid: None,
            auth_token: None,
            from: None,
            api_base: "https://api.twilio.com".into(),
            public_url: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct KannelSettings {
    /// smsbox sendsms endpoint, e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`.
    pub sendsms_url: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Sender id / short code Kannel sends from.
    pub from: Option<String>,
    /// Shared token Kannel's get-url must carry (`?token=`).
    pub inbound_token: Option<Secret>,
    /// Peerline's public base URL as Kannel reaches it, for DLR callbacks.
    pub public_url: Option<String>,
    /// Source addresses allowed to call the Kannel webhooks; empty means loopback only.
    pub allowed_ips: Vec<std::net::IpAddr>,
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
        figment = figment.merge(
            Env::prefixed("PEERLINE_")
                .filter(|k| !NON_SETTING_ENV.iter().any(|n| k.as_str().eq_ignore_ascii_case(n)))
                .split("__"),
        );
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
        let t = &self.sms.twilio;
        if self.sms.provider == SmsProviderKind::Twilio {
            let why = "when sms.provider = \"twilio\"";
            if t.account_sid.is_none() {
                return missing("sms.twilio.account_sid", why);
            }
            if t.auth_token.is_none() {
                return missing("sms.twilio.auth_token", why);
            }
            if t.from.is_none() {
                return missing("sms.twilio.from", why);
            }
            if t.public_url.is_none() {
                return missing("sms.twilio.public_url", why);
            }
        }
        let k = &self.sms.kannel;
        if self.sms.provider == SmsProviderKind::Kannel {
            let why = "when sms.provider = \"kannel\"";
            if k.sendsms_url.is_none() {
                return missing("sms.kannel.sendsms_url", why);
            }
            if k.username.is_none() || k.password.is_none() {
                return missing("sms.kannel.username and sms.kannel.password", why);
            }
            if k.inbound_token.is_none() {
                return missing("sms.kannel.inbound_token", why);
            }
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
            assert_eq!(s.sms.provider, SmsProviderKind::None);
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
            let err = load_in(jail, None).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.contains("sms.twilio.account_sid"), "{err}");
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
