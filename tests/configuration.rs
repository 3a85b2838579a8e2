//! Configuration through the real binary, as an operator meets it: the README's own example
//! loads; `config check` shows every setting and none of the secrets; every weak or missing
//! secret is refused with its key named; webhook mode does not start without its webhook.

mod support;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use support::{BIN, Home, fake_telegram::FakeTelegram, telegram_env};

/// The first ```toml block under `## Configuration` in README.md, exactly as printed.
fn readme_config_block() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
    let section = readme
        .split_once("\n## Configuration\n")
        .map(|(_, rest)| rest)
        .expect("README has a Configuration section");
    let block = section
        .split_once("```toml\n")
        .map(|(_, rest)| rest)
        .expect("the Configuration section has a TOML block");
    block
        .split_once("\n```")
        .map(|(toml, _)| format!("{toml}\n"))
        .expect("the TOML block ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_readme_configuration_example_loads_as_printed() {
    let home = Home::new();
    let block = readme_config_block();
    assert!(block.contains("[sms.kannel]") && block.contains("[http]"), "{block}");
    std::fs::write(home.path().join("peerline.toml"), &block).unwrap();
    let out = home.cli(&["--config", "peerline.toml", "config", "check"], &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "the README example must load:\n{stderr}");
    assert!(stdout.starts_with("Configuration is valid."), "{stdout}");
    // Its provider sections are all comments and SMS is off: said, not refused.
    assert!(stderr.contains("warning: [sms.twilio] is not used"), "{stderr}");
    assert!(stderr.contains("warning: [sms.kannel] is not used"), "{stderr}");
}

/// Every key Peerline reads, set. Three secrets come from the file and two from the
/// environment, which must be redacted just the same.
const FULL: &str = r#"default_timezone = "Europe/Warsaw"

[database]
url = "sqlite://full-example.db"

[http]
listen = "127.0.0.1:8181"
max_body_bytes = 32768
header_timeout_secs = 7
body_timeout_secs = 9
max_connections = 77
metrics_listen = "127.0.0.1:9191"

[locales]
dir = "/etc/peerline/locales"

[invites]
ttl_hours = 48

[telegram]
mode = "webhook"
api_url = "https://tg.example.org"
webhook_url = "https://peerline.example.org/webhooks/telegram"
secret_token = "Webhook_Secret-From-The-File-0123"
poll_timeout_secs = 20
global_per_second = 25
per_chat_interval_ms = 1100

[delivery]
max_attempts = 6
lease_secs = 45
backoff_base_ms = 1500
backoff_max_ms = 600000
idle_poll_ms = 300

[sms]
provider = "twilio"
max_segments = 2
rate_per_second = 5

[sms.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
from = "+447700900000"
api_base = "https://twilio.example.org"
public_url = "https://peerline.example.org"
timeout_secs = 12

[sms.kannel]
sendsms_url = "http://127.0.0.1:13013/cgi-bin/sendsms"
username = "peerline"
password = "Kannel-Password-From-The-File"
from = "60001"
smsc = "link-a"
inbound_token = "Kannel-Inbound-Token-From-The-File"
public_url = "http://peerline.internal:8080"
allowed_ips = ["10.0.0.5"]
timeout_secs = 11

[scheduler]
tick_secs = 20
grace_hours = 4

[escalation]
reprompt_minutes = 5
deputy_after_minutes = 20

[privacy]
message_retention_days = 60
escalation_retention_days = 2500
"#;

const ENV_SECRETS: &[(&str, &str)] = &[
    ("PEERLINE_TELEGRAM__TOKEN", "123456789:Bot-Token-From-The-Environment"),
    ("PEERLINE_SMS__TWILIO__AUTH_TOKEN", "feedc0dedeadbeefcafef00d12345678"),
];

const FILE_SECRETS: &[&str] = &[
    "Webhook_Secret-From-The-File-0123",
    "Kannel-Password-From-The-File",
    "Kannel-Inbound-Token-From-The-File",
];

#[test]
fn config_check_shows_every_setting_of_a_full_example_and_no_secret() {
    let home = Home::new();
    std::fs::write(home.path().join("full.toml"), FULL).unwrap();
    let out = home.cli(&["--config", "full.toml", "config", "check"], ENV_SECRETS);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    println!("{stdout}");

    for secret in FILE_SECRETS.iter().chain(ENV_SECRETS.iter().map(|(_, v)| v)) {
        // Any recognisable part of it, not only the whole.
        for part in [&secret[..12], &secret[secret.len() - 12..]] {
            assert!(
                !stdout.contains(part) && !stderr.contains(part),
                "{part:?} (from a secret) is shown:\n{stdout}\n{stderr}"
            );
        }
    }
    assert_eq!(stdout.matches("[redacted]").count(), 5, "{stdout}");
    // Every optional setting is set, so nothing shows as None: the example is complete.
    assert!(!stdout.contains("None"), "an unset key in the full example:\n{stdout}");

    // Every other value in the file is shown as loaded, under its key.
    let shown_lines: Vec<&str> = stdout.lines().map(str::trim_start).collect();
    for line in FULL.lines() {
        let Some((key, value)) = line.split_once(" = ") else {
            continue;
        };
        if FILE_SECRETS.iter().any(|s| value.contains(s)) {
            continue;
        }
        let shown = match value.trim_matches(['[', ']', '"']) {
            "webhook" => "Webhook",
            "twilio" => "Twilio",
            v => v,
        };
        let entry = format!("{key}: ");
        let found = (0..shown_lines.len()).any(|i| {
            shown_lines[i].starts_with(&entry)
                && shown_lines[i..(i + 3).min(shown_lines.len())]
                    .iter()
                    .any(|l| l.contains(shown))
        });
        assert!(found, "{key} = {value} is not shown as {shown:?}:\n{stdout}");
    }
    // The Kannel section is complete but not chosen: it is checked, and said to be unused.
    assert!(
        stderr.contains("warning: [sms.kannel] is not used: sms.provider = \"twilio\""),
        "{stderr}"
    );
}

/// Environment variables for one case.
type Env = Vec<(&'static str, &'static str)>;

/// `config check` and `serve` refuse each of these, naming the key, never showing the value.
#[test]
fn weak_empty_or_missing_secrets_are_refused_naming_the_key() {
    let home = Home::new();
    let twilio = |token: &'static str| {
        vec![
            ("PEERLINE_SMS__PROVIDER", "twilio"),
            (
                "PEERLINE_SMS__TWILIO__ACCOUNT_SID",
                "AC0123456789abcdef0123456789abcdef",
            ),
            ("PEERLINE_SMS__TWILIO__AUTH_TOKEN", token),
            ("PEERLINE_SMS__TWILIO__FROM", "+447700900000"),
            ("PEERLINE_SMS__TWILIO__PUBLIC_URL", "https://peerline.example.org"),
        ]
    };
    let kannel = |password: &'static str, token: &'static str| {
        vec![
            ("PEERLINE_SMS__PROVIDER", "kannel"),
            (
                "PEERLINE_SMS__KANNEL__SENDSMS_URL",
                "http://127.0.0.1:13013/cgi-bin/sendsms",
            ),
            ("PEERLINE_SMS__KANNEL__USERNAME", "peerline"),
            ("PEERLINE_SMS__KANNEL__PASSWORD", password),
            ("PEERLINE_SMS__KANNEL__INBOUND_TOKEN", token),
            ("PEERLINE_SMS__KANNEL__PUBLIC_URL", "http://127.0.0.1:8080"),
        ]
    };
    let webhook = |secret: Option<&'static str>| {
        let mut env = vec![
            ("PEERLINE_TELEGRAM__TOKEN", "123456:ABC-def_ghi"),
            ("PEERLINE_TELEGRAM__MODE", "webhook"),
            (
                "PEERLINE_TELEGRAM__WEBHOOK_URL",
                "https://peerline.example.org/webhooks/telegram",
            ),
        ];
        env.extend(secret.map(|s| ("PEERLINE_TELEGRAM__SECRET_TOKEN", s)));
        env
    };
    let cases: Vec<(&str, Env, &str)> = vec![
        (
            "empty webhook secret",
            webhook(Some("")),
            "telegram.secret_token must be 16 to 256 characters of A-Z, a-z, 0-9, _ or -",
        ),
        (
            "short webhook secret",
            webhook(Some("hunter2-hunter2")),
            "telegram.secret_token must be 16 to 256",
        ),
        (
            "webhook secret outside Telegram's characters",
            webhook(Some("correct horse battery staple")),
            "some of them not allowed",
        ),
        (
            "no webhook secret in webhook mode",
            webhook(None),
            "telegram.secret_token must be set when telegram.mode = \"webhook\"",
        ),
        (
            "a secret set while polling is checked too",
            vec![("PEERLINE_TELEGRAM__SECRET_TOKEN", "x")],
            "telegram.secret_token must be 16 to 256",
        ),
        (
            "bot token without its id",
            vec![("PEERLINE_TELEGRAM__TOKEN", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")],
            "telegram.token does not look like a bot token from @BotFather",
        ),
        (
            "empty Twilio auth token",
            twilio(""),
            "sms.twilio.auth_token must be the account's Auth Token: 32 hexadecimal characters",
        ),
        (
            "Twilio auth token that is not hexadecimal",
            twilio("not-the-auth-token-but-32-chars!"),
            "sms.twilio.auth_token must be the account's Auth Token: 32 hexadecimal characters (this one has 32 characters, not all hexadecimal)",
        ),
        (
            "empty Kannel password",
            kannel("", "kannel-inbound-token-0123"),
            "sms.kannel.password must not be empty",
        ),
        (
            "short Kannel inbound token",
            kannel("sendsms-password", "short-token"),
            "sms.kannel.inbound_token must be at least 16 characters",
        ),
        (
            "Twilio chosen, its secret missing",
            vec![
                ("PEERLINE_SMS__PROVIDER", "twilio"),
                (
                    "PEERLINE_SMS__TWILIO__ACCOUNT_SID",
                    "AC0123456789abcdef0123456789abcdef",
                ),
            ],
            "sms.twilio.auth_token, sms.twilio.from, sms.twilio.public_url must be set when sms.provider = \"twilio\"",
        ),
    ];
    for (what, env, needle) in &cases {
        for command in [&["config", "check"][..], &["serve"][..]] {
            let out = home.cli(command, env);
            let stderr = text(&out.stderr);
            assert!(!out.status.success(), "{what}: {command:?} accepted it");
            assert!(stderr.contains(needle), "{what}: expected {needle:?} in\n{stderr}");
            assert_eq!(stderr.trim().lines().count(), 1, "{what}: one clear line:\n{stderr}");
            for (_, value) in env {
                if value.len() > 8 && !value.starts_with("http") && !value.starts_with("AC") {
                    assert!(!stderr.contains(value), "{what}: the value is shown:\n{stderr}");
                }
            }
        }
    }
}

#[tokio::test]
async fn webhook_mode_refuses_to_start_when_telegram_refuses_the_webhook() {
    let home = Home::new();
    let fake = FakeTelegram::start().await;
    // Telegram calls webhooks on ports 443, 80, 88 and 8443 only.
    let url = "https://peerline.example.org:8080/webhooks/telegram";
    let mut cmd = Command::new(BIN);
    cmd.arg("serve")
        .current_dir(home.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PEERLINE_HTTP__LISTEN", "127.0.0.1:0")
        .env("PEERLINE_TELEGRAM__MODE", "webhook")
        .env("PEERLINE_TELEGRAM__WEBHOOK_URL", url)
        .env("PEERLINE_TELEGRAM__SECRET_TOKEN", "a-long-webhook-secret-0123456789")
        .envs(telegram_env(&fake))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn serve");
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("serve kept running although Telegram refused its webhook");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let output = child.wait_with_output().expect("output");
    let stderr = text(&output.stderr);
    assert!(!status.success(), "{stderr}");
    let last = stderr.trim().lines().last().unwrap_or_default();
    assert!(
        last.starts_with(&format!("error: cannot register the Telegram webhook {url}:"))
            && last.contains("Webhook can be set up only on ports 80, 88, 443 or 8443"),
        "one clear line last:\n{stderr}"
    );
    assert!(!stderr.contains("Peerline is listening"), "{stderr}");
    assert!(!stderr.contains(support::fake_telegram::TOKEN), "{stderr}");
    // Telegram's refusal is final: asked once, not retried.
    assert_eq!(fake.calls().iter().filter(|c| c.method == "setwebhook").count(), 1);
}
