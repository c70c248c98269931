//! The `esafety` binary against hostile input and a hostile environment:
//! endless files, devices and pipes, symbolic-link loops, control
//! characters, a test file naming files it should not, a reader that goes
//! away, links and read-only files under `fmt`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{code, esafety, flattened, root, scratch, stderr, stdout};

const CROCKERNE: &str = "policies/crockerne.policy";

/// Runs `esafety` with a deadline: a hung command fails the test instead of
/// hanging the suite.
fn esafety_within(args: &[&str], limit: Duration) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_esafety"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!(
                "`esafety {}` did not finish within {limit:?}",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(unix)]
#[test]
fn devices_are_refused_not_read() {
    // /dev/zero never ends: reading it whole took gigabytes. Every command
    // that reads a policy refuses it before reading a byte.
    let cases: [&[&str]; 7] = [
        &["check", "/dev/zero"],
        &[
            "eval",
            "--policy",
            "/dev/zero",
            "--role",
            "pupil",
            "--action",
            "x",
        ],
        &["list", "--policy", "/dev/zero"],
        &["parse", "/dev/zero"],
        &["render", "/dev/zero"],
        &["fmt", "--check", "/dev/zero"],
        &["eval", "--policy", CROCKERNE, "--queries", "/dev/zero"],
    ];
    for args in cases {
        let o = esafety_within(args, Duration::from_secs(20));
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("/dev/zero"), "{args:?}: {}", stderr(&o));
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_not_waited_on() {
    // Opening a FIFO with no writer blocks for ever; esafety must not open it.
    let dir = scratch("fifo");
    let fifo = dir.join("waiting.policy");
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let o = esafety_within(&["check", fifo.to_str().unwrap()], Duration::from_secs(20));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
}

#[test]
fn an_endless_line_of_questions_stops_with_an_error() {
    // One line of 2 MiB and no newline: more than any question, so the rest
    // is not read.
    let dir = scratch("long-line");
    let queries = dir.join("queries.jsonl");
    std::fs::write(&queries, "x".repeat(2 * 1024 * 1024)).unwrap();
    let o = esafety_within(
        &[
            "eval",
            "--policy",
            CROCKERNE,
            "--queries",
            queries.to_str().unwrap(),
        ],
        Duration::from_secs(20),
    );
    assert_eq!(code(&o), 2);
    let error: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(error["error"]["kind"], "unreadable-line");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("longer than")
    );
}

#[test]
fn an_oversized_file_is_read_only_to_its_limit() {
    // 17 MiB of comments: over the 16 MiB limit. The message says so without
    // the whole file having been needed.
    let dir = scratch("oversized");
    let big = dir.join("big.policy");
    let line = format!("# {}\n", "x".repeat(1022));
    std::fs::write(&big, line.repeat(17 * 1024)).unwrap();
    let o = esafety(&["check", big.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("E0100"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(
            "larger than esafety reads: policy files may be up to 16 MiB (16777216 bytes)"
        ),
        "{}",
        stdout(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_loop_visits_each_file_once() {
    let dir = scratch("loop");
    let inner = dir.join("a");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::copy(root().join(CROCKERNE), inner.join("school.policy")).unwrap();
    let up = inner.join("up");
    let _ = std::fs::remove_file(&up);
    std::os::unix::fs::symlink("..", &up).unwrap();
    let again = dir.join("b");
    let _ = std::fs::remove_file(&again);
    std::os::unix::fs::symlink(&inner, &again).unwrap();
    let o = esafety_within(
        &["check", dir.to_str().unwrap(), "--today=2021-05-01"],
        Duration::from_secs(20),
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(
        stdout(&o).ends_with("checked 1 file: 0 errors, 8 warnings\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_closed_pipe_is_not_a_crash() {
    // The reader goes away before esafety writes (`| head -c 0`): each
    // command must end with its usual exit code, never 101 (a panic).
    let cases: [(&[&str], i32); 6] = [
        (&["test", "policies/", "--format", "json"], 0),
        (&["test", "policies/"], 0),
        (
            &[
                "check",
                "policies/",
                "--today=2021-05-01",
                "--format",
                "json",
            ],
            0,
        ),
        (&["list", "--policy", CROCKERNE], 0),
        (&["render", CROCKERNE], 0),
        (
            &[
                "eval",
                "--policy",
                CROCKERNE,
                "--role",
                "pupil",
                "--action",
                "phones-in-lessons",
            ],
            0,
        ),
    ];
    for (args, expected) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_esafety"))
            .args(args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(expected),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("panicked"),
            "{args:?}"
        );
    }
}

#[test]
fn control_characters_in_a_label_are_an_error() {
    let dir = scratch("escape");
    let text = std::fs::read_to_string(root().join(CROCKERNE)).unwrap();
    let hostile = text.replacen("\"Pornography\"", "\"Porno\u{1b}[31mgraphy\"", 1);
    let path = dir.join("escape.policy");
    std::fs::write(&path, hostile).unwrap();
    let path = path.to_str().unwrap();
    let o = esafety(&["check", path, "--today=2021-05-01"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("error[E0106]"), "{}", stdout(&o));
    // Nothing esafety prints carries the raw character.
    assert!(!o.stdout.contains(&0x1b), "{}", stdout(&o));
    for format in ["json", "github", "sarif"] {
        let o = esafety(&["check", path, "--format", format]);
        assert!(!o.stdout.contains(&0x1b), "--format {format}");
    }
    // A policy with the error cannot be asked, rendered or listed.
    for args in [
        vec![
            "eval",
            "--policy",
            path,
            "--role",
            "pupil",
            "--action",
            "pornography",
        ],
        vec!["render", path],
        vec!["list", "--policy", path],
    ] {
        let o = esafety(&args);
        assert_ne!(code(&o), 0, "{args:?}");
        assert!(
            !o.stdout.contains(&0x1b) && !o.stderr.contains(&0x1b),
            "{args:?}"
        );
    }
}

#[test]
fn control_characters_in_names_and_paths_are_shown_as_escapes() {
    // A question naming a role with an escape sequence: the error repeats the
    // name, escaped.
    let o = esafety(&[
        "eval",
        "--policy",
        CROCKERNE,
        "--role",
        "pupil\u{1b}[2J",
        "--action",
        "blogs",
    ]);
    assert_eq!(code(&o), 2);
    assert!(!o.stderr.contains(&0x1b), "{}", stderr(&o));
    assert!(stderr(&o).contains("pupil\\u{1b}[2J"), "{}", stderr(&o));

    // A file name with a newline in it is printed on one line.
    let dir = scratch("newline-name");
    let path = dir.join("two\nlines.policy");
    std::fs::write(&path, "shcool \"Demo\"\n").unwrap();
    let o = esafety(&["check", path.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    let arrow = stdout(&o)
        .lines()
        .find(|l| l.trim_start().starts_with("-->"))
        .unwrap()
        .to_owned();
    assert!(arrow.contains("two\\u{a}lines.policy:1:1"), "{arrow}");
}

#[test]
fn a_test_file_cannot_have_other_files_read() {
    let dir = scratch("leak");
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "secret-token: hunter2\n").unwrap();
    let cases = [
        // Not a policy file at all.
        (
            format!("policy \"{}\"", secret.display()),
            "is not a policy file",
        ),
        // A policy file, but outside the test file's folder.
        (
            format!("policy \"{}\"", root().join(CROCKERNE).display()),
            "is outside this test file's folder",
        ),
        (
            "policy \"../elsewhere.policy\"".to_owned(),
            "is outside this test file's folder",
        ),
    ];
    for (line, message) in cases {
        let tests = dir.join("leak.policy-test");
        std::fs::write(
            &tests,
            format!("{line}\n\ntest \"leak\"\n  ask pupil action x\n  expect denied\n"),
        )
        .unwrap();
        let o = esafety(&["test", tests.to_str().unwrap()]);
        assert_eq!(code(&o), 1, "{line}");
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!all.contains("hunter2"), "{all}");
        assert!(
            all.contains("E0404") && all.contains(message),
            "{line}: {all}"
        );
    }

    // A link beside the tests that leads out is caught on the real path.
    #[cfg(unix)]
    {
        let link = dir.join("linked.policy");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(root().join(CROCKERNE), &link).unwrap();
        let tests = dir.join("linked.policy-test");
        std::fs::write(
            &tests,
            "test \"pupils may not use phones in lessons\"\n  ask pupil action phones-in-lessons\n  expect denied\n",
        )
        .unwrap();
        let o = esafety(&["test", tests.to_str().unwrap()]);
        assert_eq!(code(&o), 1, "{}", stdout(&o));
        assert!(stdout(&o).contains("is outside this test file's folder"));
        // The flag lets it through.
        let o = esafety(&["test", "--allow-any-policy-path", tests.to_str().unwrap()]);
        assert_eq!(code(&o), 0, "{}", stdout(&o));
    }
}

#[cfg(unix)]
#[test]
fn fmt_formats_the_target_of_a_link_and_keeps_the_link() {
    let dir = scratch("fmt-link");
    let shipped = std::fs::read_to_string(root().join(CROCKERNE)).unwrap();
    let flattened = flattened(CROCKERNE);
    let real = dir.join("real.policy");
    std::fs::write(&real, &flattened).unwrap();
    let link = dir.join("link.policy");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink("real.policy", &link).unwrap();
    let o = esafety(&["fmt", link.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), shipped);
}

#[cfg(unix)]
#[test]
fn fmt_leaves_a_read_only_file_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("fmt-read-only");
    let flattened = flattened(CROCKERNE);
    let path = dir.join("locked.policy");
    if path.exists() {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::write(&path, &flattened).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let o = esafety(&["fmt", path.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), flattened);
}
