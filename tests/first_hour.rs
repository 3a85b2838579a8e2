//! The README's "Your first hour" section, followed literally: every `$ peerline ...` line in
//! its `console` blocks is run in order against one home, its output compared with the lines
//! printed under it (`...` stands for what differs on each machine: codes, dates), the
//! `peerline.toml` it shows is written as shown, `serve` runs against the fake Telegram, and
//! the `/start` message it tells you to send is sent, its answer compared with the quoted one.
//! If the README drifts from what Peerline does, this fails.

mod support;

use std::time::Duration;

use support::{App, Home, fake_telegram::FakeTelegram, telegram_env};

const WAIT: Duration = Duration::from_secs(20);
const MY_CHAT: i64 = 4242;

/// One step of the section, in order.
#[derive(Debug)]
enum Step {
    /// `$ peerline ...` with the lines printed under it.
    Run { command: String, expected: Vec<String> },
    /// A `toml` block: the configuration file.
    Config(String),
    /// "send `/start CODE`" in a paragraph, with the bot's answer quoted (`> `) after it.
    Send { text: String, answer: String },
}

fn section(readme: &str) -> &str {
    let start = readme
        .find("\n## Your first hour")
        .expect("README has a \"Your first hour\" section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

fn steps(section: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = section.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed == "```console" {
            for l in lines.by_ref() {
                let l = l.trim_end();
                if l.trim() == "```" {
                    break;
                }
                match l.trim_start().strip_prefix("$ ") {
                    Some(command) => steps.push(Step::Run {
                        command: command.to_owned(),
                        expected: Vec::new(),
                    }),
                    None => {
                        if let Some(Step::Run { expected, .. }) = steps.last_mut() {
                            expected.push(l.trim_start().to_owned());
                        }
                    }
                }
            }
        } else if trimmed == "```toml" {
            let mut toml = String::new();
            for l in lines.by_ref() {
                if l.trim() == "```" {
                    break;
                }
                toml.push_str(l.trim_start());
                toml.push('\n');
            }
            steps.push(Step::Config(toml));
        } else if let Some(at) = trimmed.find("send `/start") {
            let text = trimmed[at + "send `".len()..]
                .split('`')
                .next()
                .unwrap_or_default()
                .to_owned();
            // The answer: the next blockquote.
            let mut answer = String::new();
            while let Some(l) = lines.peek() {
                let l = l.trim();
                if let Some(q) = l.strip_prefix("> ") {
                    answer = q.to_owned();
                    lines.next();
                    break;
                }
                lines.next();
            }
            steps.push(Step::Send { text, answer });
        }
    }
    steps
}

/// Split a command line as a POSIX shell would for the quoting the README uses.
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in command.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// Does `actual` match `pattern`, where `...` matches any text? Runs of white space (the CLI's
/// tab-separated columns, the README's spaces) count as one space.
fn matches(pattern: &str, actual: &str) -> bool {
    let pattern = pattern.split_whitespace().collect::<Vec<_>>().join(" ");
    let actual = actual.split_whitespace().collect::<Vec<_>>().join(" ");
    let parts: Vec<&str> = pattern.split("...").collect();
    let mut rest = actual.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else { return false };
            rest = &rest[at + part.len()..];
        }
    }
    rest.is_empty()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_following_the_first_hour_section_gets_what_it_says() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
    let steps = steps(section(&readme));
    assert!(
        steps.iter().any(|s| matches!(s, Step::Send { .. })) && steps.iter().any(|s| matches!(s, Step::Config(_))),
        "the section has a config, a /start and commands: {steps:#?}"
    );
    let home = Home::new();
    let fake = FakeTelegram::start().await;
    let mut code = None::<String>;
    let mut app = None::<App>;
    for step in &steps {
        match step {
            Step::Config(toml) => std::fs::write(home.path().join("peerline.toml"), toml).expect("write config"),
            Step::Run { command, expected } => {
                let command = match &code {
                    Some(c) => command.replace("CODE", c),
                    None => command.clone(),
                };
                let argv = words(&command);
                assert_eq!(argv.first().map(String::as_str), Some("peerline"), "{command}");
                if argv[1] == "serve" {
                    // The token in the README is a placeholder: the fake Telegram stands in for
                    // api.telegram.org, with its own token, by environment (which overrides the file).
                    let a = App::spawn(&home, &telegram_env(&fake));
                    for line in expected {
                        let needle = line.trim_start_matches("... ").trim_end_matches(" ...");
                        a.wait_for_log(needle, WAIT).await;
                    }
                    app = Some(a);
                    continue;
                }
                let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
                let out = home.cli_ok(&args);
                let actual: Vec<&str> = out.lines().map(str::trim_start).collect();
                assert_eq!(
                    actual.len(),
                    expected.len(),
                    "`{command}` printed:\n{out}\nthe README says:\n{expected:#?}"
                );
                for (want, got) in expected.iter().zip(&actual) {
                    assert!(
                        matches(want, got),
                        "`{command}`: README says {want:?}, Peerline printed {got:?}"
                    );
                }
                if let Some(line) = actual.iter().find(|l| l.starts_with("code:")) {
                    code = Some(line.trim_start_matches("code:").trim().to_owned());
                }
            }
            Step::Send { text, answer } => {
                assert!(app.is_some(), "the section starts serve before /start");
                let c = code.as_deref().expect("an invite printed a code before /start");
                fake.send_text(MY_CHAT, &text.replace("CODE", c));
                fake.wait_for_sent(WAIT, "the bot's answer to /start", |calls| {
                    calls.iter().any(|call| call.chat_id() == Some(MY_CHAT))
                })
                .await;
                let got = fake.sent_to(MY_CHAT)[0].text().to_owned();
                assert!(
                    matches(answer, &got),
                    "README says the bot answers {answer:?}; it answered {got:?}"
                );
            }
        }
    }
    assert!(fake.violations().is_empty(), "{:#?}", fake.violations());
}

#[test]
fn the_readme_matcher_and_splitter_do_what_the_test_needs() {
    assert_eq!(
        words(r#"peerline invite --service "Camden peer mentoring" --name Alex"#),
        [
            "peerline",
            "invite",
            "--service",
            "Camden peer mentoring",
            "--name",
            "Alex"
        ]
    );
    assert!(matches("code: ...", "code: 2ULN83TV"));
    assert!(matches("expires: ... GMT", "expires: Sat 5 Dec 2026 12:42 GMT"));
    assert!(!matches("expires: ... GMT", "expires: Sat 5 Dec 2026 12:42 BST"));
    assert!(matches("Welcome, Alex. ...", "Welcome, Alex. You are now connected."));
    assert!(!matches("Added service", "Added service \"x\""));
    assert!(matches("Mon 09:00   Alex   digest", "Mon 09:00\tAlex\tdigest"));
}
