//! The two things a newcomer does first: run Peerline with no configuration, and use its CLI.

mod support;

use std::time::Duration;

use support::{App, Home};

#[tokio::test]
async fn serve_with_no_configuration_starts_answers_health_and_stops_cleanly() {
    let home = Home::new();
    let mut app = App::spawn(&home, &[]);
    assert!(
        home.db_path().exists(),
        "peerline.db is created in the working directory"
    );

    let health = reqwest::get(app.url("/healthz")).await.expect("healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap().trim(), "ok");

    let metrics = reqwest::get(app.url("/metrics")).await.expect("metrics");
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );

    // The log says which channels are off and the exact setting that turns each on.
    app.wait_for_log("PEERLINE_TELEGRAM__TOKEN", Duration::from_secs(5))
        .await;
    app.wait_for_log("PEERLINE_SMS__PROVIDER", Duration::from_secs(5)).await;

    assert!(
        app.terminate(),
        "SIGTERM ends serve with success; logs: {:#?}",
        app.logs()
    );
    assert!(app.logs().iter().any(|l| l.contains("stopped cleanly")));
}

#[test]
fn help_exists_for_every_command() {
    let home = Home::new();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["config", "check", "--help"],
        vec!["service", "add", "--help"],
        vec!["invite", "--help"],
        vec!["people", "list", "--help"],
        vec!["import", "--help"],
    ] {
        let out = home.cli(&args, &[]);
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"), "{args:?}");
    }
}

#[test]
fn migrate_creates_the_database() {
    let home = Home::new();
    let out = home.cli_ok(&["migrate"]);
    assert!(out.contains("up to date"));
    assert!(home.db_path().exists());
}

#[test]
fn an_invite_prints_a_code_and_its_expiry_and_people_list_shows_the_person() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden peer mentoring"]);
    let out = home.cli_ok(&[
        "invite",
        "--service",
        "camden peer mentoring",
        "--role",
        "mentor",
        "--name",
        "Sam",
        "--placement-start",
        "2026-11-02",
    ]);
    let code = support::code_from(&out);
    assert_eq!(code.len(), 8);
    assert!(out.contains("expires:"), "{out}");
    let people = home.cli_ok(&["people", "list", "--service", "Camden peer mentoring"]);
    assert!(
        people.contains("Sam") && people.contains("mentor") && people.contains("invited"),
        "{people}"
    );
}

fn fails_with(home: &Home, args: &[&str], env: &[(&str, &str)], needle: &str) {
    let out = home.cli(args, env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(stderr.contains(needle), "{args:?}: expected {needle:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
}

#[test]
fn bad_input_exits_non_zero_with_one_clear_line() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    fails_with(&home, &["service", "add", "--name", "camden"], &[], "already exists");
    fails_with(
        &home,
        &["service", "add", "--name", "X", "--timezone", "Mars/Olympus"],
        &[],
        "unknown time zone",
    );
    fails_with(
        &home,
        &["invite", "--service", "Nowhere", "--role", "mentor", "--name", "A"],
        &[],
        "no service named",
    );
    fails_with(
        &home,
        &["invite", "--service", "Camden", "--role", "boss", "--name", "A"],
        &[],
        "unknown role",
    );
    fails_with(
        &home,
        &[
            "invite",
            "--service",
            "Camden",
            "--role",
            "mentor",
            "--name",
            "A",
            "--language",
            "fr",
        ],
        &[],
        "unsupported language",
    );
    fails_with(&home, &["migrate"], &[("PEERLINE_DATABSE__URL", "x")], "databse");
    fails_with(&home, &["--config", "missing.toml", "migrate"], &[], "missing.toml");
    std::fs::write(home.path().join("bad.toml"), "[http]\nlisten = \"not an address\"\n").unwrap();
    fails_with(&home, &["--config", "bad.toml", "migrate"], &[], "listen");
}

#[test]
fn a_coordinator_sets_a_mentors_callback_times_in_the_words_mentors_use() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    home.invite("Camden", "mentor", "Sam", &[]);
    let set = |days: &str, hours: &str| {
        home.cli_ok(&[
            "availability",
            "--service",
            "Camden",
            "--mentor",
            "sam",
            "--days",
            days,
            "--hours",
            hours,
        ])
    };
    assert_eq!(set("weekdays", "6-9pm"), "Sam takes callbacks Mon-Fri 18:00-21:00.\n");
    assert_eq!(
        set("Sat,Sun", "22:00-02:00"),
        "Sam takes callbacks Mon 00:00-02:00, Sat 22:00-24:00, Sun 00:00-02:00 22:00-24:00.\n"
    );
    let off = home.cli_ok(&["availability", "--service", "Camden", "--mentor", "Sam", "--off"]);
    assert_eq!(off, "Sam is not offered callbacks now.\n");
    let refused = |days: &str, hours: &str, why: &str| {
        let args = [
            "availability",
            "--service",
            "Camden",
            "--mentor",
            "Sam",
            "--days",
            days,
            "--hours",
            hours,
        ];
        fails_with(&home, &args, &[], why);
    };
    refused("Mun", "9-5", "\"MUN\" is not a day");
    refused("Mon", "9", "\"9\" is not a time range");
}

#[test]
fn config_check_redacts_secrets() {
    let home = Home::new();
    let out = home.cli(
        &["config", "check"],
        &[("PEERLINE_TELEGRAM__TOKEN", "123:super-secret-value")],
    );
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("[redacted]"));
    assert!(!stdout.contains("super-secret-value"));
}

#[test]
fn import_with_a_bad_row_imports_nothing_and_names_every_bad_line() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let csv = "name,role,phone,telegram_username,language,placement_start\n\
               Alex,mentor,07700 900001,@alex,cy,2026-10-01\n\
               Jo,mentee,not a phone,,pl,\n\
               Kim,mentor,07700900002,,,\n\
               Lee,wizard,,,,\n";
    std::fs::write(home.path().join("people.csv"), csv).unwrap();
    let out = home.cli(&["import", "--service", "Camden", "people.csv"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    for line in ["line 3", "line 4", "line 5"] {
        assert!(stderr.contains(line), "{line} in {stderr}");
    }
    assert!(!stderr.contains("line 2"), "{stderr}");
    let people = home.cli_ok(&["people", "list", "--service", "Camden"]);
    assert!(!people.contains("Alex"), "nothing imported: {people}");

    let good = "name,role,phone,language,placement_start\nAlex,mentor,07700 900001,cy,2026-10-01\nJo,mentee,+44 7700 900002,pl,\n";
    std::fs::write(home.path().join("good.csv"), good).unwrap();
    let out = home.cli_ok(&["import", "--service", "Camden", "good.csv"]);
    assert!(out.contains("Imported 2 people"), "{out}");
    let people = home.cli_ok(&["people", "list", "--service", "Camden"]);
    assert!(
        people.contains("Alex") && people.contains("cy") && people.contains("sms"),
        "{people}"
    );
    assert!(!people.contains("900001"), "numbers are never listed: {people}");
}

#[test]
fn a_coordinator_configures_schedules_books_supervision_and_previews_what_will_be_sent() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let out = home.cli_ok(&[
        "service",
        "set",
        "--name",
        "Camden",
        "--checkin-schedule",
        "0 0 18 * * Wed",
        "--quiet-hours",
        "22:00-07:30",
    ]);
    assert!(
        out.contains("0 0 18 * * Wed") && out.contains("quiet 22:00-07:30"),
        "{out}"
    );
    fails_with(
        &home,
        &[
            "service",
            "set",
            "--name",
            "Camden",
            "--checkin-schedule",
            "every wednesday",
        ],
        &[],
        "--checkin-schedule",
    );
    fails_with(
        &home,
        &["service", "set", "--name", "Camden", "--working-hours", "9-5"],
        &[],
        "--working-hours",
    );
    // Numbered days mean Sunday-first to the cron library: refused, saying what to write.
    fails_with(
        &home,
        &[
            "service",
            "set",
            "--name",
            "Camden",
            "--checkin-schedule",
            "0 0 10 * * 1-5",
        ],
        &[],
        "write days of the week as names (Mon, Mon-Fri",
    );
    fails_with(
        &home,
        &[
            "service",
            "set",
            "--name",
            "Camden",
            "--checkin-schedule",
            "0 10 * * Mon",
        ],
        &[],
        "seconds first",
    );
    // Values that would not read back are refused before they are stored.
    fails_with(
        &home,
        &["service", "set", "--name", "Camden", "--working-hours", "17:00-09:00"],
        &[],
        "later than working_start",
    );
    fails_with(
        &home,
        &["service", "set", "--name", "Camden", "--working-days", "Mondays"],
        &[],
        "--working-days \"Mondays\"",
    );
    home.cli_ok(&["service", "list"]);

    std::fs::write(
        home.path().join("sam.csv"),
        "name,role,phone,placement_start\nSam,mentor,07700 900101,2030-03-04\n",
    )
    .unwrap();
    home.cli_ok(&["import", "--service", "Camden", "sam.csv"]);
    let out = home.cli_ok(&[
        "supervision",
        "add",
        "--service",
        "Camden",
        "--mentor",
        "Sam",
        "--at",
        "2030-03-20 15:30",
        "--place",
        "Room 2",
    ]);
    assert!(
        out.contains("Booked one-to-one supervision") && out.contains("Wed 20 Mar 2030 15:30 GMT"),
        "{out}"
    );
    fails_with(
        &home,
        &[
            "supervision",
            "add",
            "--service",
            "Camden",
            "--mentor",
            "Nobody",
            "--at",
            "2030-03-20 15:30",
        ],
        &[],
        "no mentor named",
    );
    fails_with(
        &home,
        &[
            "supervision",
            "add",
            "--service",
            "Camden",
            "--mentor",
            "Sam",
            "--at",
            "2001-01-01 10:00",
        ],
        &[],
        "in the past",
    );
    let preview = home.cli_ok(&[
        "schedule",
        "preview",
        "--service",
        "Camden",
        "--from",
        "2030-03-01",
        "--to",
        "2030-03-31",
    ]);
    for line in [
        "Wed 2030-03-06 18:00 GMT\tSam\twellbeing check-in\ten-GB",
        "Mon 2030-03-18 15:30 GMT\tSam\tone-to-one supervision reminder (48 h before)",
        "Wed 2030-03-20 13:30 GMT\tSam\tone-to-one supervision reminder (2 h before)",
        // The next policy 1:1 after the booked one: 1 April 14:00 BST, reminded 48 h before.
        "Sat 2030-03-30 13:00 GMT\tSam\tone-to-one supervision reminder (48 h before)",
        "Tue 2030-03-05 18:00 GMT\tSam\tgroup supervision reminder (48 h before)",
        "Wed 2030-03-27 18:00 GMT\tSam\twellbeing check-in",
    ] {
        assert!(preview.contains(line), "{line:?} in\n{preview}");
    }
    // Never a phone number.
    assert!(!preview.contains("900101"));
    // A check-in due in quiet hours is previewed when it will go, saying why.
    home.cli_ok(&[
        "service",
        "set",
        "--name",
        "Camden",
        "--checkin-schedule",
        "0 30 1 * * Wed",
    ]);
    let preview = home.cli_ok(&[
        "schedule",
        "preview",
        "--service",
        "Camden",
        "--from",
        "2030-03-01",
        "--to",
        "2030-03-08",
    ]);
    let line = "Wed 2030-03-06 07:30 GMT\tSam\twellbeing check-in (due Wed 01:30, held for quiet hours)";
    assert!(preview.contains(line), "{line:?} in\n{preview}");
    assert!(!preview.contains("01:30 GMT"), "{preview}");
    fails_with(
        &home,
        &[
            "schedule",
            "preview",
            "--service",
            "Camden",
            "--from",
            "2030-03-31",
            "--to",
            "2030-03-01",
        ],
        &[],
        "before",
    );
}

/// Names and places are typed by people; the CLI's tab-separated output is pasted into
/// spreadsheets and read on terminals. A right-to-left override cannot reorder a line, a tab
/// cannot forge a column, and a leading `=` cannot become a formula.
#[test]
fn names_and_places_in_tab_separated_output_cannot_reorder_text_or_run_as_formulas() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let rlo = "Sam\u{202e}lmth.exe";
    let formula = "=HYPERLINK(\"http://evil.example\",\"Jo\")";
    let csv = format!(
        "name,role,phone,placement_start\n\"{rlo}\",mentor,07700 900201,2030-03-04\n\"{}\",mentor,07700 900202,2030-03-04\n",
        formula.replace('"', "\"\"")
    );
    std::fs::write(home.path().join("people.csv"), csv).unwrap();
    let imported = home.cli_ok(&["import", "--service", "Camden", "people.csv"]);
    let people = home.cli_ok(&["people", "list", "--service", "Camden"]);
    // `supervision list` shows the next three months.
    let session_day = chrono::Utc::now().date_naive() + chrono::Days::new(20);
    let at = format!("{session_day} 15:30");
    let (from, day) = (
        (session_day - chrono::Days::new(3)).to_string(),
        session_day.to_string(),
    );
    home.cli_ok(&[
        "supervision",
        "add",
        "--service",
        "Camden",
        "--mentor",
        rlo,
        "--at",
        &at,
        "--place",
        "@SUM(1+1)*cmd|' /C calc'!A0",
    ]);
    let sessions = home.cli_ok(&["supervision", "list", "--service", "Camden"]);
    let preview = home.cli_ok(&[
        "schedule",
        "preview",
        "--service",
        "Camden",
        "--from",
        &from,
        "--to",
        &day,
    ]);
    for (what, out) in [
        ("import", &imported),
        ("people list", &people),
        ("supervision list", &sessions),
        ("schedule preview", &preview),
    ] {
        assert!(!out.contains('\u{202e}'), "{what} passes U+202E through:\n{out}");
        assert!(out.contains("Samlmth.exe\t"), "{what}:\n{out}");
        for line in out.lines() {
            for cell in line.split('\t') {
                assert!(
                    !cell.trim_start().starts_with(['=', '+', '@']),
                    "{what}: a cell a spreadsheet would run: {cell:?}\n{out}"
                );
            }
        }
    }
    assert!(people.contains(&format!("\t'{formula}\t")), "{people}");
    assert!(sessions.contains("\t'@SUM(1+1)*cmd|' /C calc'!A0\t"), "{sessions}");
}

#[test]
fn a_second_serve_on_the_same_database_refuses_to_start_naming_the_first() {
    let home = Home::new();
    let mut first = App::spawn(&home, &[]);
    let out = home.cli(&["serve"], &[("PEERLINE_HTTP__LISTEN", "127.0.0.1:0")]);
    assert!(!out.status.success(), "a second serve must not start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: another peerline serve (pid ")
            && last.contains(&format!("listening on 127.0.0.1:{}", first.port))
            && last.contains(&home.db_path().display().to_string()),
        "names the running one and the database: {stderr}"
    );
    // CLI commands still work beside the running one.
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    assert!(first.terminate(), "the first stops cleanly");
    // Once it has stopped, a new one starts.
    let _second = App::spawn(&home, &[]);
}

#[test]
fn import_refuses_numbers_that_are_not_numbers_with_a_hint_and_reads_excel_files() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    // A Polish mobile without +48, a mobile a digit short, an unallocated range.
    let csv = "name,role,phone\nAnia,mentee,512 345 678\nBo,mentee,0791 112345\nCy,mentee,04000 000000\n";
    std::fs::write(home.path().join("people.csv"), csv).unwrap();
    let out = home.cli(&["import", "--service", "Camden", "people.csv"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("line 2") && stderr.contains("+48 for Poland"),
        "{stderr}"
    );
    assert!(stderr.contains("line 3") && stderr.contains("line 4"), "{stderr}");
    // Saved by Excel as "CSV UTF-8": a byte-order mark, and a number pasted with a no-break space.
    let excel = "\u{feff}name,role,phone\nAnia,mentee,+48\u{a0}512 345 678\n";
    std::fs::write(home.path().join("excel.csv"), excel).unwrap();
    let out = home.cli_ok(&["import", "--service", "Camden", "excel.csv"]);
    assert!(out.contains("Imported 1 people"), "{out}");
    // Saved as the old "CSV" (Windows-1252): one clear line saying what to do.
    std::fs::write(home.path().join("latin1.csv"), b"name,role\nZo\xeb,mentee\n").unwrap();
    let out = home.cli(&["import", "--service", "Camden", "latin1.csv"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("save it as \"CSV UTF-8\""), "{stderr}");
}

#[test]
fn booking_with_a_place_too_long_for_an_sms_reminder_says_how_it_will_be_sent() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    std::fs::write(
        home.path().join("sam.csv"),
        "name,role,phone,placement_start\nSam,mentor,07700 900101,2030-03-04\n",
    )
    .unwrap();
    home.cli_ok(&["import", "--service", "Camden", "sam.csv"]);
    let link = format!("https://teams.microsoft.com/l/meetup-join/{}", "x".repeat(500));
    let out = home.cli_ok(&[
        "supervision",
        "add",
        "--service",
        "Camden",
        "--mentor",
        "Sam",
        "--at",
        "2030-03-20 15:30",
        "--place",
        &link,
    ]);
    assert!(out.contains("too long to fit in an SMS reminder"), "{out}");
    let out = home.cli_ok(&[
        "supervision",
        "add",
        "--service",
        "Camden",
        "--mentor",
        "Sam",
        "--at",
        "2030-03-27 15:30",
        "--place",
        "Room 2",
    ]);
    assert!(!out.contains("too long"), "{out}");
}

#[tokio::test]
async fn outbox_list_shows_what_is_sent_without_numbers_and_text_only_when_asked_and_audited() {
    let home = Home::new();
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    let store = home.store().await;
    let mut tx = store.begin().await.unwrap();
    let m = support::message(
        peerline_core::domain::ChannelKind::Sms,
        "+447700900123",
        peerline_core::store::Priority::Reminder,
        "Reminder: supervision on Tuesday",
    );
    tx.enqueue(&m, 1_790_000_000_000).await.unwrap();
    tx.commit().await.unwrap();
    let out = home.cli_ok(&["outbox", "list"]);
    assert!(out.starts_with("id\tcreated\tperson\tchannel\tkind"), "{out}");
    assert!(out.contains("\tsms\ttest\treminder\tqueued\t0\t"), "{out}");
    assert!(
        !out.contains("900123") && !out.contains("Reminder: supervision"),
        "{out}"
    );
    let out = home.cli_ok(&["outbox", "list", "--status", "queued", "--show-text"]);
    assert!(out.contains("Reminder: supervision on Tuesday"), "{out}");
    assert!(!out.contains("900123"), "{out}");
    let audit = home.cli_ok(&["audit", "--action", "outbox"]);
    assert!(audit.contains("outbox.view-text"), "{audit}");
    assert_eq!(
        home.cli_ok(&["outbox", "list", "--status", "failed"]).lines().count(),
        1
    );
    fails_with(&home, &["outbox", "list", "--status", "lost"], &[], "is not one of");

    // The preview for tools: JSON with UTC offsets (BST in July).
    std::fs::write(
        home.path().join("sam.csv"),
        "name,role,phone,placement_start\nSam,mentor,07700 900101,2030-03-04\n",
    )
    .unwrap();
    home.cli_ok(&["import", "--service", "Camden", "sam.csv"]);
    let json = home.cli_ok(&[
        "schedule",
        "preview",
        "--service",
        "Camden",
        "--from",
        "2030-07-01",
        "--to",
        "2030-07-07",
        "--format",
        "json",
    ]);
    let rows: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let checkin = rows
        .as_array()
        .and_then(|r| r.iter().find(|row| row["what"] == "wellbeing check-in"))
        .unwrap_or_else(|| panic!("a check-in in {json}"));
    assert_eq!(checkin["at"], "2030-07-01T10:00:00+01:00", "{json}");
    assert_eq!(checkin["name"], "Sam");
}

#[test]
fn a_service_has_a_nation_for_its_crisis_lines() {
    let home = Home::new();
    let out = home.cli_ok(&["service", "add", "--name", "Cardiff", "--nation", "Wales"]);
    assert!(out.contains("Wales"), "{out}");
    home.cli_ok(&["service", "add", "--name", "Camden"]);
    home.cli_ok(&["service", "set", "--name", "Camden", "--nation", "Northern Ireland"]);
    let list = home.cli_ok(&["service", "list"]);
    assert!(list.contains("\tCardiff\tEurope/London\twales"), "{list}");
    assert!(list.contains("\tCamden\tEurope/London\tnorthern-ireland"), "{list}");
    fails_with(
        &home,
        &["service", "add", "--name", "Dublin", "--nation", "Ireland"],
        &[],
        "is not a UK nation",
    );
}
