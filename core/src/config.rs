//! Settings, layered: built-in defaults, then an optional TOML file, then environment variables
//! named `PEERLINE_SECTION__KEY`. Every struct denies unknown keys, so a typo is an error that
//! names the key instead of a setting silently ignored. Secrets are wrapped in [`Secret`], whose
//! `Debug` never shows the value.

use std::{
    fmt,
    net::{IpAddr, SocketAddr},
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
const NON_SETTING_ENV: &[&str] = &[
    "config",
    "log",
    "bot_api_spec",
    "twilio_spec",
    "twilio_signature_script",
    "kannel_bin",
];

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
            UInt(u64),
        }
        Ok(match Raw::deserialize(d)? {
            Raw::Text(s) => Secret(s),
            Raw::Int(n) => Secret(n.to_string()),
            Raw::UInt(n) => Secret(n.to_string()),
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
    pub risk: RiskSettings,
}

/// Risk triage: phrases a deployment adds to the built-in lists and rules (local slang,
/// a service's own words). Each is checked at start-up; an unknown category or language or
/// an empty phrase stops Peerline with an error naming the entry.
///
/// ```toml
/// [[risk.extra_phrases]]
/// category = "overdose"
/// phrase = "going to gouch out for good"
/// language = "en-GB"   # or "cy", "pl"; en-GB matches every form of each word
/// ```
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RiskSettings {
    pub extra_phrases: Vec<crate::risk::ExtraPhrase>,
}

impl RiskSettings {
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (i, e) in self.extra_phrases.iter().enumerate() {
            e.validate()
                .map_err(|why| invalid(&format!("risk.extra_phrases[{i}] ({:?})", e.phrase), why))?;
        }
        Ok(())
    }

    /// The built-in triage with these phrases added (they were validated at load).
    pub fn triage(&self) -> crate::risk::Triage {
        let (triage, bad) = crate::risk::Triage::embedded().with_extra_phrases(&self.extra_phrases);
        for why in bad {
            tracing::error!(%why, "risk.extra_phrases: phrase skipped");
        }
        triage
    }
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
    /// When a coordinator lists the inbox on Telegram, copy a mentee's Telegram voice note or
    /// photo to them (Telegram's copyMessage: nothing is downloaded or stored by Peerline).
    /// Off: they see its kind and length only.
    pub forward_media: bool,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            message_retention_days: 90,
            escalation_retention_days: 6 * 365,
            forward_media: false,
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
    /// How long a write waits for a lock another program holds (a `sqlite3` shell, a backup)
    /// before webhooks are answered 503 and retried by the provider.
    pub busy_timeout_ms: u64,
    /// Below this much free space where the database lives, Peerline warns, and
    /// `/healthz/storage` reports degraded, before writes start to fail. 0 turns it off.
    pub min_free_mib: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://peerline.db".into(),
            busy_timeout_ms: 5_000,
            min_free_mib: 512,
        }
    }
}

impl DatabaseSettings {
    pub fn store_options(&self) -> crate::store::StoreOptions {
        crate::store::StoreOptions {
            busy_timeout: std::time::Duration::from_millis(self.busy_timeout_ms.max(1)),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    pub listen: SocketAddr,
    /// Largest request body accepted by any webhook, in bytes.
    pub max_body_bytes: usize,
    /// A connection must send a request's headers within this many seconds (an idle
    /// keep-alive connection is closed after it too).
    pub header_timeout_secs: u64,
    /// A request's whole body must arrive within this many seconds of its headers.
    pub body_timeout_secs: u64,
    /// Connections served at once; more wait to be accepted until one closes.
    pub max_connections: usize,
    /// Serve `/metrics` on this address instead of `listen` (keep it off the public interface).
    pub metrics_listen: Option<SocketAddr>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 64 * 1024,
            header_timeout_secs: 10,
            body_timeout_secs: 10,
            max_connections: 256,
            metrics_listen: None,
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

/// Which SMS provider sends and receives texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmsProvider {
    /// SMS is off.
    #[default]
    None,
    Twilio,
    Kannel,
}

impl SmsProvider {
    pub fn name(self) -> &'static str {
        match self {
            SmsProvider::None => "none",
            SmsProvider::Twilio => "twilio",
            SmsProvider::Kannel => "kannel",
        }
    }
}

impl<'de> Deserialize<'de> for SmsProvider {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "none" => Ok(SmsProvider::None),
            "twilio" => Ok(SmsProvider::Twilio),
            "kannel" => Ok(SmsProvider::Kannel),
            _ => Err(serde::de::Error::custom(format!(
                "unknown SMS provider {s:?} (use \"none\", \"twilio\" or \"kannel\")"
            ))),
        }
    }
}

/// SMS: which provider, limits that apply whatever the provider, and each provider's section.
///
/// A section is read as written, every key optional, so that a section of comments (as in the
/// README) or the section of a provider not in use is not an error; typos in it still are.
/// Only the chosen provider's section must be complete: [`SmsSettings::twilio`] and
/// [`SmsSettings::kannel`] give its checked settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSettings {
    /// `twilio`, `kannel`, or `none` (SMS off).
    pub provider: SmsProvider,
    /// Longest scheduled message (reminder, check-in), in SMS segments, Peerline will send
    /// (cost control). Replies, callback and safeguarding messages are sent whole.
    pub max_segments: u32,
    /// Messages per second to the provider.
    pub rate_per_second: u32,
    /// `auto` (fold Polish and Welsh letters and curly punctuation GSM-7 lacks when that
    /// lowers the segment count), `always` or `never`.
    pub fold_diacritics: crate::sms::Folding,
    /// `[sms.twilio]`
    pub twilio: Option<TwilioSection>,
    /// `[sms.kannel]`
    pub kannel: Option<KannelSection>,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            provider: SmsProvider::None,
            max_segments: 3,
            rate_per_second: 10,
            fold_diacritics: crate::sms::Folding::Auto,
            twilio: None,
            kannel: None,
        }
    }
}

impl SmsSettings {
    /// Check every section present (values set in an unused one are still checked) and that
    /// the chosen provider's is complete.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(t) = &self.twilio {
            t.check()?;
        }
        if let Some(k) = &self.kannel {
            k.check()?;
        }
        match self.provider {
            SmsProvider::None => Ok(()),
            SmsProvider::Twilio => self.twilio().map(drop),
            SmsProvider::Kannel => self.kannel().map(drop),
        }
    }

    /// The complete, checked `[sms.twilio]` settings.
    pub fn twilio(&self) -> Result<TwilioSettings, ConfigError> {
        self.twilio.clone().unwrap_or_default().complete()
    }

    /// The complete, checked `[sms.kannel]` settings.
    pub fn kannel(&self) -> Result<KannelSettings, ConfigError> {
        self.kannel.clone().unwrap_or_default().complete()
    }

    /// Sections present for a provider other than the chosen one.
    fn unused_sections(&self) -> Vec<&'static str> {
        [
            (SmsProvider::Twilio, self.twilio.is_some()),
            (SmsProvider::Kannel, self.kannel.is_some()),
        ]
        .into_iter()
        .filter(|(p, present)| *present && *p != self.provider)
        .map(|(p, _)| p.name())
        .collect()
    }
}

/// `sms.<provider>.<key>, … must be set when sms.provider = "<provider>"`, naming every key
/// that is `(key, missing)`.
fn missing(provider: SmsProvider, keys: &[(&str, bool)]) -> ConfigError {
    let keys: Vec<String> = keys
        .iter()
        .filter(|(_, missing)| *missing)
        .map(|(key, _)| format!("sms.{}.{key}", provider.name()))
        .collect();
    ConfigError::Invalid(format!(
        "{} must be set when sms.provider = {:?}",
        keys.join(", "),
        provider.name()
    ))
}

fn invalid(key: &str, why: impl fmt::Display) -> ConfigError {
    ConfigError::Invalid(format!("{key} {why}"))
}

fn check_http_url(key: &str, url: &str) -> Result<(), ConfigError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or_default();
    if rest.is_empty() || rest.starts_with('/') {
        return Err(invalid(key, "must be an http:// or https:// URL"));
    }
    Ok(())
}

/// `[sms.twilio]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwilioSection {
    /// `AC…`, from the Twilio console.
    pub account_sid: Option<String>,
    /// The account's Auth Token: it signs every webhook, so it is the webhooks' only guard.
    pub auth_token: Option<Secret>,
    /// The sending number (E.164) or a Messaging Service SID (`MG…`).
    #[serde(deserialize_with = "opt_text")]
    pub from: Option<String>,
    pub api_base: String,
    /// Peerline's public base URL exactly as configured in Twilio, e.g.
    /// `https://peerline.example.org`. Signatures cover it.
    pub public_url: Option<String>,
    pub timeout_secs: u64,
}

impl Default for TwilioSection {
    fn default() -> Self {
        Self {
            account_sid: None,
            auth_token: None,
            from: None,
            api_base: "https://api.twilio.com".into(),
            public_url: None,
            timeout_secs: 15,
        }
    }
}

/// Complete `[sms.twilio]` settings, checked.
#[derive(Debug, Clone)]
pub struct TwilioSettings {
    pub account_sid: String,
    pub auth_token: Secret,
    pub from: String,
    pub api_base: String,
    pub public_url: String,
    pub timeout_secs: u64,
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl TwilioSection {
    /// The values that are set.
    fn check(&self) -> Result<(), ConfigError> {
        if let Some(sid) = &self.account_sid
            && !sid.strip_prefix("AC").is_some_and(|rest| is_hex(rest, 32))
        {
            return Err(invalid(
                "sms.twilio.account_sid",
                "must be AC followed by 32 hexadecimal characters (the Account SID in the Twilio console)",
            ));
        }
        if let Some(token) = &self.auth_token
            && !is_hex(token.expose(), 32)
        {
            return Err(invalid(
                "sms.twilio.auth_token",
                format!(
                    "must be the account's Auth Token: 32 hexadecimal characters (this one has {} characters{})",
                    token.expose().chars().count(),
                    if token.expose().chars().all(|c| c.is_ascii_hexdigit()) {
                        ""
                    } else {
                        ", not all hexadecimal"
                    }
                ),
            ));
        }
        if self.from.as_deref().is_some_and(|f| f.trim().is_empty()) {
            return Err(invalid("sms.twilio.from", "must not be empty"));
        }
        check_http_url("sms.twilio.api_base", &self.api_base)?;
        if let Some(url) = &self.public_url {
            check_http_url("sms.twilio.public_url", url)?;
        }
        Ok(())
    }

    fn complete(self) -> Result<TwilioSettings, ConfigError> {
        self.check()?;
        match (self.account_sid, self.auth_token, self.from, self.public_url) {
            (Some(account_sid), Some(auth_token), Some(from), Some(public_url)) => Ok(TwilioSettings {
                account_sid,
                auth_token,
                from,
                api_base: self.api_base,
                public_url,
                timeout_secs: self.timeout_secs,
            }),
            (sid, token, from, url) => Err(missing(
                SmsProvider::Twilio,
                &[
                    ("account_sid", sid.is_none()),
                    ("auth_token", token.is_none()),
                    ("from", from.is_none()),
                    ("public_url", url.is_none()),
                ],
            )),
        }
    }
}

/// `[sms.kannel]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KannelSection {
    /// smsbox's sendsms endpoint, e.g. `http://127.0.0.1:13013/cgi-bin/sendsms`.
    pub sendsms_url: Option<String>,
    #[serde(deserialize_with = "opt_text")]
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// Sender number or short code (`from=`); Kannel's default when unset.
    #[serde(deserialize_with = "opt_text")]
    pub from: Option<String>,
    /// Route through this SMSC (`smsc=`); Kannel's routing when unset.
    #[serde(deserialize_with = "opt_text")]
    pub smsc: Option<String>,
    /// Token the get-url and dlr-url must carry as `?token=`.
    pub inbound_token: Option<Secret>,
    /// Peerline's base URL as Kannel reaches it, for DLR callbacks.
    pub public_url: Option<String>,
    /// Addresses allowed to call the Kannel webhooks; empty means loopback only.
    pub allowed_ips: Vec<IpAddr>,
    pub timeout_secs: u64,
}

impl Default for KannelSection {
    fn default() -> Self {
        Self {
            sendsms_url: None,
            username: None,
            password: None,
            from: None,
            smsc: None,
            inbound_token: None,
            public_url: None,
            allowed_ips: Vec::new(),
            timeout_secs: 15,
        }
    }
}

/// Complete `[sms.kannel]` settings, checked.
#[derive(Debug, Clone)]
pub struct KannelSettings {
    pub sendsms_url: String,
    pub username: String,
    pub password: Secret,
    pub from: Option<String>,
    pub smsc: Option<String>,
    pub inbound_token: Secret,
    pub public_url: String,
    pub allowed_ips: Vec<IpAddr>,
    pub timeout_secs: u64,
}

/// The shortest `sms.kannel.inbound_token` accepted.
pub const MIN_INBOUND_TOKEN: usize = 16;

impl KannelSection {
    fn check(&self) -> Result<(), ConfigError> {
        for (key, url) in [
            ("sms.kannel.sendsms_url", &self.sendsms_url),
            ("sms.kannel.public_url", &self.public_url),
        ] {
            if let Some(url) = url {
                check_http_url(key, url)?;
            }
        }
        if self.username.as_deref().is_some_and(|u| u.trim().is_empty()) {
            return Err(invalid("sms.kannel.username", "must not be empty"));
        }
        if self.password.as_ref().is_some_and(|p| p.expose().is_empty()) {
            return Err(invalid(
                "sms.kannel.password",
                "must not be empty (it is smsbox's sendsms-user password)",
            ));
        }
        if let Some(token) = &self.inbound_token {
            let t = token.expose();
            // It travels in URLs (get-url, dlr-url), so only characters that need no escaping.
            let url_safe = t.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if t.len() < MIN_INBOUND_TOKEN || !url_safe {
                return Err(invalid(
                    "sms.kannel.inbound_token",
                    format!(
                        "must be at least {MIN_INBOUND_TOKEN} characters of A-Z, a-z, 0-9, -, ., _ or ~ (this one has {} characters{})",
                        t.chars().count(),
                        if url_safe { "" } else { ", some of them not allowed" }
                    ),
                ));
            }
        }
        Ok(())
    }

    fn complete(self) -> Result<KannelSettings, ConfigError> {
        self.check()?;
        match (
            self.sendsms_url,
            self.username,
            self.password,
            self.inbound_token,
            self.public_url,
        ) {
            (Some(sendsms_url), Some(username), Some(password), Some(inbound_token), Some(public_url)) => {
                Ok(KannelSettings {
                    sendsms_url,
                    username,
                    password,
                    from: self.from,
                    smsc: self.smsc,
                    inbound_token,
                    public_url,
                    allowed_ips: self.allowed_ips,
                    timeout_secs: self.timeout_secs,
                })
            }
            (sendsms_url, username, password, token, url) => Err(missing(
                SmsProvider::Kannel,
                &[
                    ("sendsms_url", sendsms_url.is_none()),
                    ("username", username.is_none()),
                    ("password", password.is_none()),
                    ("inbound_token", token.is_none()),
                    ("public_url", url.is_none()),
                ],
            )),
        }
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

    /// Checks serde cannot express: secrets strong enough to guard what they guard, and
    /// settings that depend on each other. Each refusal names its key and never the value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.telegram.validate()?;
        self.http.validate()?;
        self.risk.validate()?;
        if self.sms.rate_per_second == 0 {
            return Err(invalid("sms.rate_per_second", "must be at least 1"));
        }
        if self.sms.max_segments == 0 {
            return Err(invalid("sms.max_segments", "must be at least 1"));
        }
        self.sms.validate()?;
        if self.delivery.max_attempts == 0 {
            return Err(invalid("delivery.max_attempts", "must be at least 1"));
        }
        Ok(())
    }

    /// Settings that are valid but probably not what the operator meant, one line each.
    pub fn warnings(&self) -> Vec<String> {
        self.sms
            .unused_sections()
            .into_iter()
            .map(|name| {
                format!(
                    "[sms.{name}] is not used: sms.provider = {:?}, so its settings are checked but not required",
                    self.sms.provider.name()
                )
            })
            .collect()
    }
}

/// Telegram's rule for `secret_token` is 1-256 characters of this set; Peerline asks for 16 or
/// more, since it is all that stands between the webhook and a forged update.
pub const MIN_SECRET_TOKEN: usize = 16;
pub const MAX_SECRET_TOKEN: usize = 256;

/// `123456789:AA…`: the bot's id, a colon, then the secret part.
fn looks_like_bot_token(token: &str) -> bool {
    let Some((id, rest)) = token.split_once(':') else {
        return false;
    };
    !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl TelegramSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(token) = &self.token
            && !looks_like_bot_token(token.expose())
        {
            return Err(invalid(
                "telegram.token",
                "does not look like a bot token from @BotFather (digits, a colon, then letters, digits, _ or -)",
            ));
        }
        if let Some(secret) = &self.secret_token {
            let s = secret.expose();
            let allowed = s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            let len = s.chars().count();
            if !allowed || !(MIN_SECRET_TOKEN..=MAX_SECRET_TOKEN).contains(&len) {
                return Err(invalid(
                    "telegram.secret_token",
                    format!(
                        "must be {MIN_SECRET_TOKEN} to {MAX_SECRET_TOKEN} characters of A-Z, a-z, 0-9, _ or - (this one has {len} characters{})",
                        if allowed { "" } else { ", some of them not allowed" }
                    ),
                ));
            }
        }
        if self.token.is_some() && self.mode == TelegramMode::Webhook {
            let needed = "must be set when telegram.mode = \"webhook\"";
            match &self.webhook_url {
                None => return Err(invalid("telegram.webhook_url", needed)),
                Some(url) => check_http_url("telegram.webhook_url", url)?,
            }
            if self.secret_token.is_none() {
                return Err(invalid("telegram.secret_token", needed));
            }
        }
        if self.global_per_second == 0 {
            return Err(invalid("telegram.global_per_second", "must be at least 1"));
        }
        Ok(())
    }
}

impl HttpSettings {
    fn validate(&self) -> Result<(), ConfigError> {
        for (key, value) in [
            ("http.header_timeout_secs", self.header_timeout_secs),
            ("http.body_timeout_secs", self.body_timeout_secs),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        if self.max_connections == 0 {
            return Err(invalid("http.max_connections", "must be at least 1"));
        }
        if self.metrics_listen.is_some_and(|m| m == self.listen && m.port() != 0) {
            return Err(invalid(
                "http.metrics_listen",
                "must differ from http.listen (leave it unset to serve /metrics on http.listen)",
            ));
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
            assert_eq!(s.sms.provider, SmsProvider::None);
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
            jail.set_env("PEERLINE_TELEGRAM__TOKEN", "123456:abc");
            let s = load_in(jail, Some("custom.toml")).map_err(|e| e.to_string())?;
            assert_eq!(s.database.url, "sqlite://env.db");
            assert_eq!(s.http.listen.port(), 9000);
            assert_eq!(s.default_timezone.0, chrono_tz::Europe::Warsaw);
            assert_eq!(s.telegram.token.as_ref().map(Secret::expose), Some("123456:abc"));
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

    fn error_of(jail: &Jail, file: Option<&str>) -> String {
        load_in(jail, file).err().map(|e| e.to_string()).unwrap_or_default()
    }

    const HEX32: &str = "0123456789abcdef0123456789ABCDEF";

    #[test]
    fn missing_explicit_file_and_incomplete_provider_are_errors() {
        Jail::expect_with(|jail| {
            assert!(matches!(
                load_in(jail, Some("nope.toml")),
                Err(ConfigError::MissingFile(_))
            ));
            jail.set_env("PEERLINE_SMS__PROVIDER", "twilio");
            jail.set_env("PEERLINE_SMS__TWILIO__AUTH_TOKEN", HEX32);
            let err = error_of(jail, None);
            assert!(
                err.contains(
                    "sms.twilio.account_sid, sms.twilio.from, sms.twilio.public_url must be set when sms.provider = \"twilio\""
                ),
                "{err}"
            );
            jail.set_env("PEERLINE_SMS__TWILIO__ACCOUNT_SID", format!("AC{HEX32}"));
            jail.set_env("PEERLINE_SMS__TWILIO__FROM", "+447700900000");
            jail.set_env("PEERLINE_SMS__TWILIO__PUBLIC_URL", "https://peerline.example.org");
            let s = load_in(jail, None).map_err(|e| e.to_string())?;
            assert_eq!(s.sms.provider, SmsProvider::Twilio);
            let twilio = s.sms.twilio().map_err(|e| e.to_string())?;
            assert_eq!(twilio.auth_token.expose(), HEX32);
            assert_eq!(twilio.api_base, "https://api.twilio.com");

            jail.set_env("PEERLINE_SMS__PROVIDER", "kannel");
            let err = error_of(jail, None);
            assert!(
                err.contains("sms.kannel.sendsms_url, sms.kannel.username, sms.kannel.password, sms.kannel.inbound_token, sms.kannel.public_url must be set when sms.provider = \"kannel\""),
                "{err}"
            );
            jail.set_env("PEERLINE_SMS__PROVIDER", "nexmo");
            let err = error_of(jail, None);
            assert!(err.contains("nexmo") && err.contains("provider"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn sections_of_providers_not_in_use_need_not_be_complete_but_may_not_hold_typos() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "commented.toml",
                "[sms]\nprovider = \"none\"\n[sms.twilio]\n# auth_token = \"...\"\n[sms.kannel]\nusername = \"peerline\"\n",
            )?;
            let s = load_in(jail, Some("commented.toml")).map_err(|e| e.to_string())?;
            let warnings = s.warnings();
            assert_eq!(warnings.len(), 2, "{warnings:?}");
            assert!(warnings[0].contains("[sms.twilio] is not used"), "{warnings:?}");
            assert!(warnings[1].contains("[sms.kannel] is not used"), "{warnings:?}");
            assert!(Settings::default().warnings().is_empty());

            jail.create_file("typo.toml", "[sms.kannel]\nsendsms_ur = \"http://x\"\n")?;
            let err = error_of(jail, Some("typo.toml"));
            assert!(err.contains("sendsms_ur"), "{err}");
            jail.create_file("stray.toml", "[sms.twillio]\naccount_sid = \"x\"\n")?;
            let err = error_of(jail, Some("stray.toml"));
            assert!(err.contains("twillio"), "{err}");
            // A value that is set is checked even where it is not used.
            jail.create_file("weak.toml", "[sms.twilio]\nauth_token = \"\"\n")?;
            let err = error_of(jail, Some("weak.toml"));
            assert!(err.contains("sms.twilio.auth_token"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn weak_or_malformed_secrets_are_refused_naming_the_key_never_the_value() {
        let cases: &[(&str, &str, &str)] = &[
            ("PEERLINE_TELEGRAM__TOKEN", "", "telegram.token"),
            ("PEERLINE_TELEGRAM__TOKEN", "not-a-token", "telegram.token"),
            ("PEERLINE_TELEGRAM__TOKEN", "123456", "telegram.token"),
            ("PEERLINE_TELEGRAM__TOKEN", "12a:abc", "telegram.token"),
            ("PEERLINE_TELEGRAM__TOKEN", "123:ab/c", "telegram.token"),
            ("PEERLINE_TELEGRAM__SECRET_TOKEN", "", "telegram.secret_token"),
            (
                "PEERLINE_TELEGRAM__SECRET_TOKEN",
                "short-secret-15",
                "telegram.secret_token",
            ),
            (
                "PEERLINE_TELEGRAM__SECRET_TOKEN",
                "sixteen chars ok",
                "telegram.secret_token",
            ),
            (
                "PEERLINE_TELEGRAM__SECRET_TOKEN",
                "sixteen+chars/ok",
                "telegram.secret_token",
            ),
            ("PEERLINE_SMS__TWILIO__AUTH_TOKEN", "", "sms.twilio.auth_token"),
            (
                "PEERLINE_SMS__TWILIO__AUTH_TOKEN",
                "0123456789abcdef0123456789abcde",
                "sms.twilio.auth_token",
            ),
            (
                "PEERLINE_SMS__TWILIO__AUTH_TOKEN",
                "0123456789abcdef0123456789abcdefa",
                "sms.twilio.auth_token",
            ),
            (
                "PEERLINE_SMS__TWILIO__AUTH_TOKEN",
                "0123456789abcdef0123456789abcdeg",
                "sms.twilio.auth_token",
            ),
            ("PEERLINE_SMS__TWILIO__ACCOUNT_SID", "AC123", "sms.twilio.account_sid"),
            ("PEERLINE_SMS__KANNEL__PASSWORD", "", "sms.kannel.password"),
            ("PEERLINE_SMS__KANNEL__INBOUND_TOKEN", "", "sms.kannel.inbound_token"),
            (
                "PEERLINE_SMS__KANNEL__INBOUND_TOKEN",
                "fifteen-chars-x",
                "sms.kannel.inbound_token",
            ),
            (
                "PEERLINE_SMS__KANNEL__INBOUND_TOKEN",
                "sixteen&chars=ok",
                "sms.kannel.inbound_token",
            ),
        ];
        for (var, value, key) in cases {
            Jail::expect_with(|jail| {
                jail.set_env(var, value);
                let err = error_of(jail, None);
                assert!(err.contains(key), "{var}={value:?}: {err}");
                if value.len() > 3 {
                    assert!(!err.contains(value), "the value is never shown: {err}");
                }
                Ok(())
            });
        }
        // The strongest allowed forms load.
        Jail::expect_with(|jail| {
            jail.set_env(
                "PEERLINE_TELEGRAM__TOKEN",
                "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            );
            jail.set_env("PEERLINE_TELEGRAM__SECRET_TOKEN", "A-Za-z0-9_-".repeat(23));
            jail.set_env("PEERLINE_SMS__TWILIO__AUTH_TOKEN", HEX32);
            jail.set_env("PEERLINE_SMS__KANNEL__INBOUND_TOKEN", "sixteen-chars.ok");
            load_in(jail, None).map_err(|e| e.to_string())?;
            jail.set_env("PEERLINE_TELEGRAM__SECRET_TOKEN", "x".repeat(257));
            assert!(error_of(jail, None).contains("telegram.secret_token"));
            Ok(())
        });
    }

    #[test]
    fn webhook_mode_needs_its_url_and_secret() {
        Jail::expect_with(|jail| {
            jail.set_env("PEERLINE_TELEGRAM__TOKEN", "123:abc");
            jail.set_env("PEERLINE_TELEGRAM__MODE", "webhook");
            assert!(error_of(jail, None).contains("telegram.webhook_url must be set"));
            jail.set_env(
                "PEERLINE_TELEGRAM__WEBHOOK_URL",
                "peerline.example.org/webhooks/telegram",
            );
            assert!(error_of(jail, None).contains("telegram.webhook_url must be an http"));
            jail.set_env(
                "PEERLINE_TELEGRAM__WEBHOOK_URL",
                "https://peerline.example.org/webhooks/telegram",
            );
            assert!(error_of(jail, None).contains("telegram.secret_token must be set"));
            jail.set_env("PEERLINE_TELEGRAM__SECRET_TOKEN", "0123456789abcdef");
            load_in(jail, None).map_err(|e| e.to_string())?;
            Ok(())
        });
    }

    #[test]
    fn http_limits_must_be_usable() {
        for (var, value, key) in [
            ("PEERLINE_HTTP__HEADER_TIMEOUT_SECS", "0", "http.header_timeout_secs"),
            ("PEERLINE_HTTP__BODY_TIMEOUT_SECS", "0", "http.body_timeout_secs"),
            ("PEERLINE_HTTP__MAX_CONNECTIONS", "0", "http.max_connections"),
            ("PEERLINE_HTTP__METRICS_LISTEN", "127.0.0.1:8080", "http.metrics_listen"),
        ] {
            Jail::expect_with(|jail| {
                jail.set_env(var, value);
                let err = error_of(jail, None);
                assert!(err.contains(key), "{var}={value}: {err}");
                Ok(())
            });
        }
    }

    #[test]
    fn phone_numbers_in_the_environment_stay_text() {
        Jail::expect_with(|jail| {
            jail.set_env("PEERLINE_SMS__TWILIO__FROM", "+447700900000");
            jail.set_env("PEERLINE_SMS__KANNEL__FROM", "07700900000");
            jail.set_env("PEERLINE_SMS__KANNEL__USERNAME", "60001");
            jail.set_env("PEERLINE_SMS__RATE_PER_SECOND", "25");
            let s = load_in(jail, None).map_err(|e| e.to_string())?;
            let (twilio, kannel) = (s.sms.twilio.unwrap_or_default(), s.sms.kannel.unwrap_or_default());
            assert_eq!(twilio.from.as_deref(), Some("+447700900000"));
            assert_eq!(kannel.from.as_deref(), Some("07700900000"));
            assert_eq!(kannel.username.as_deref(), Some("60001"));
            assert_eq!(s.sms.rate_per_second, 25);
            Ok(())
        });
    }

    #[test]
    fn secrets_never_show_in_debug() {
        Jail::expect_with(|jail| {
            jail.set_env("PEERLINE_TELEGRAM__TOKEN", "999:very-secret-token");
            jail.set_env("PEERLINE_TELEGRAM__SECRET_TOKEN", "webhook-secret-value");
            jail.set_env("PEERLINE_SMS__TWILIO__AUTH_TOKEN", "feedfacefeedfacefeedfacefeedface");
            jail.set_env("PEERLINE_SMS__KANNEL__PASSWORD", "kannel-password-value");
            jail.set_env("PEERLINE_SMS__KANNEL__INBOUND_TOKEN", "kannel-inbound-token-value");
            let s = load_in(jail, None).map_err(|e| e.to_string())?;
            let dump = format!("{s:?}");
            for secret in [
                "very-secret-token",
                "webhook-secret-value",
                "feedface",
                "kannel-password-value",
                "kannel-inbound-token-value",
            ] {
                assert!(!dump.contains(secret), "{secret} in {dump}");
            }
            assert_eq!(dump.matches("[redacted]").count(), 5, "{dump}");
            Ok(())
        });
    }
}
