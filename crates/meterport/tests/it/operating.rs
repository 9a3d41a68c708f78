//! What the people who run the portal use: the configuration file of `serve` (its
//! precedence, `config check`, the example file in `packaging/`) and the online backup of a
//! SQLite database. These run the binary that cargo built.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::harness::{OPERATOR_TOKEN, TestDb, admin, backend};

/// The binary with no `METERPORT_*` variable of the test's own environment, so that only
/// what a test sets is there.
fn meterport() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_meterport"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("METERPORT_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("RUST_LOG", "error");
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the meterport binary runs");
    (
        status.code().expect("an exit status"),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// A configuration file with `text` in a directory of its own, mode 0600.
fn config_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("meterport.toml");
    std::fs::write(&path, text).unwrap();
    set_mode(&path, 0o600);
    (dir, path)
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `meterport config show` with `args` and `env`: each key's shown value and source.
fn shown(args: &[&str], env: &[(&str, &str)]) -> BTreeMap<String, (String, String)> {
    let (code, out, err) = run(meterport()
        .args(["config", "show"])
        .args(args)
        .envs(env.iter().copied()));
    assert_eq!(code, 0, "{err}");
    out.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (setting, source) = l.split_once("  # ").expect("key = value  # source");
            let (key, value) = setting.split_once(" = ").expect("key = value");
            (key.to_string(), (value.to_string(), source.to_string()))
        })
        .collect()
}

/// What [`shown`] holds for a key: its value as TOML writes it, and its source.
fn at(value: &str, source: &str) -> Option<(String, String)> {
    Some((value.to_string(), source.to_string()))
}

#[test]
fn without_a_flag_an_environment_variable_or_a_file_a_setting_has_its_default() {
    let (_dir, file) = config_file("listen = \"127.0.0.2:9000\"\n");
    let shown = shown(&["--config", file.to_str().unwrap()], &[]);
    assert_eq!(
        shown.get("session_idle_minutes").cloned(),
        at("30", "default")
    );
    assert_eq!(shown.get("trust_proxy").cloned(), at("false", "default"));
}

#[test]
fn the_file_wins_over_the_defaults() {
    let (_dir, file) =
        config_file("listen = \"127.0.0.2:9000\"\nsession_idle_minutes = 15\ntrust_proxy = true\n");
    let path = file.to_str().unwrap();
    let shown = shown(&["--config", path], &[]);
    assert_eq!(
        shown.get("session_idle_minutes").cloned(),
        at("15", &format!("file {path}, line 2"))
    );
    assert_eq!(
        shown.get("trust_proxy").cloned(),
        at("true", &format!("file {path}, line 3"))
    );
}

#[test]
fn the_environment_wins_over_the_file() {
    let (_dir, file) = config_file("session_idle_minutes = 15\nlisten = \"127.0.0.2:9000\"\n");
    // The file itself may come from METERPORT_CONFIG.
    let shown = shown(
        &[],
        &[
            ("METERPORT_CONFIG", file.to_str().unwrap()),
            ("METERPORT_SESSION_IDLE_MINUTES", "20"),
        ],
    );
    assert_eq!(
        shown.get("session_idle_minutes").cloned(),
        at("20", "environment METERPORT_SESSION_IDLE_MINUTES")
    );
    assert_eq!(shown["listen"].0, "\"127.0.0.2:9000\"");
}

#[test]
fn a_flag_wins_over_the_environment_and_the_file() {
    let (_dir, file) = config_file("session_idle_minutes = 15\n");
    let shown = shown(
        &[
            "--config",
            file.to_str().unwrap(),
            "--session-idle-minutes",
            "25",
        ],
        &[("METERPORT_SESSION_IDLE_MINUTES", "20")],
    );
    assert_eq!(shown.get("session_idle_minutes").cloned(), at("25", "flag"));
}

#[test]
fn shown_settings_never_print_a_secret() {
    let (_dir, file) = config_file(&format!(
        "operator_token = \"{OPERATOR_TOKEN}\"\ndatabase = \"postgres://meterport:hunter2@db/m\"\n"
    ));
    let (code, out, err) = run(meterport().args(["config", "show", "--config"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(
        !out.contains(OPERATOR_TOKEN) && !out.contains("hunter2"),
        "{out}"
    );
    assert!(out.contains("operator_token = \"********\""), "{out}");
}

/// `serve` runs with what its file says: the address, the database and the operator token
/// (a setting that was environment-only before the file existed).
#[tokio::test]
async fn serve_takes_its_address_database_and_operator_token_from_the_file() {
    let db = TestDb::new().await;
    let (_dir, file) = config_file(&format!(
        "listen = \"127.0.0.2:0\"\ndatabase = \"{}\"\noperator_token = \"{OPERATOR_TOKEN}\"\n",
        db.url
    ));
    let mut child = meterport()
        .args(["serve", "--config"])
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .map(Result::unwrap)
        .find(|l| l.contains("listening on"))
        .expect("the address is printed");
    let base = line
        .split("listening on ")
        .nth(1)
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let client = reqwest::Client::new();
    let tenants = |token: &'static str| {
        client
            .get(format!("{base}/api/v1/admin/tenants"))
            .bearer_auth(token)
            .send()
    };
    let ok = tenants(OPERATOR_TOKEN).await.unwrap().status().as_u16();
    let wrong = tenants("another-token").await.unwrap().status().as_u16();
    let created = client
        .post(format!("{base}/api/v1/admin/tenants"))
        .bearer_auth(OPERATOR_TOKEN)
        .json(&serde_json::json!({"name": "File KK", "timezone": "Asia/Tokyo"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    child.kill().ok();
    child.wait().ok();
    assert!(base.starts_with("http://127.0.0.2:"), "{base}");
    assert_eq!((ok, wrong, created), (200, 401, 201));
    // The database of the file is the one the portal wrote to.
    let (ok, out, err) = admin(&db.url, &["tenant", "list"], "");
    assert!(ok && out.contains("File KK"), "{out}{err}");
}

#[test]
fn config_check_names_unknown_keys_and_refused_values_with_their_lines() {
    let (_dir, good) = config_file("listen = \"0.0.0.0:8080\"\nsession_idle_minutes = 60\n");
    let (code, out, _) = run(meterport().args(["config", "check"]).arg(&good));
    assert_eq!(code, 0);
    assert!(out.contains("valid (2 settings)"), "{out}");

    let (_dir, bad) = config_file(
        "listen = \"0.0.0.0:8080\"\nsesion_idle_minutes = 60\nsession_lifetime_hours = 0\n\
         public_url = \"portal.example.com\"\ndatabase = \"mysql://db\"\n",
    );
    let (code, _, err) = run(meterport().args(["config", "check"]).arg(&bad));
    assert_eq!(code, 1, "{err}");
    let name = bad.display();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "error: {name}: line 2, key `sesion_idle_minutes`: unknown key (did you mean `session_idle_minutes`?)"
            ),
            format!(
                "error: {name}: line 3, key `session_lifetime_hours`: invalid value `0`: 0 is not in 1..=720"
            ),
            format!(
                "error: {name}: line 4, key `public_url`: invalid value `portal.example.com`: must be an address starting with http:// or https://"
            ),
            format!(
                "error: {name}: line 5, key `database`: invalid value `mysql://db`: must be sqlite:PATH or postgres://..."
            ),
        ]
    );

    // Not TOML, or not there: 2.
    let (_dir, broken) = config_file("listen = 0.0.0.0\n");
    let (code, _, err) = run(meterport().args(["config", "check"]).arg(&broken));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("line 1"), "{err}");
    let (code, _, err) = run(meterport().args(["config", "check", "/nonexistent/m.toml"]));
    assert_eq!(code, 2, "{err}");
}

/// The same problems stop `serve` before it opens anything.
#[test]
fn serve_refuses_a_bad_file_and_names_the_key() {
    let (_dir, bad) = config_file("session_idle_minutes = \"soon\"\n");
    let (code, _, err) = run(meterport().args(["serve", "--config"]).arg(&bad));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("line 1, key `session_idle_minutes`: invalid value `soon`"),
        "{err}"
    );
}

#[test]
fn a_file_with_secrets_that_others_can_read_is_warned_about() {
    let (_dir, file) = config_file(&format!("operator_token = \"{OPERATOR_TOKEN}\"\n"));
    let (code, _, err) = run(meterport().args(["config", "check"]).arg(&file));
    assert_eq!((code, err.as_str()), (0, ""));
    set_mode(&file, 0o644);
    let (code, _, err) = run(meterport().args(["config", "check"]).arg(&file));
    assert_eq!(code, 0);
    assert!(
        err.contains("holds secrets (operator_token)") && err.contains("chmod 600"),
        "{err}"
    );
    assert!(!err.contains(OPERATOR_TOKEN), "{err}");
}

/// `packaging/meterport.toml` lists every key of `serve` with its default (or an example),
/// and every line of it is a valid setting: a flag added to `serve` fails this test until
/// the example shows it.
#[test]
fn the_example_file_lists_every_flag_of_serve_with_its_default() {
    use clap::CommandFactory;

    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/meterport.toml");
    let text = std::fs::read_to_string(&example).unwrap();
    // `# key = value` lines are the settings; other comments are prose.
    let mut listed = BTreeMap::new();
    let mut uncommented = String::new();
    for line in text.lines() {
        let Some(setting) = line.strip_prefix("# ") else {
            continue;
        };
        if let Some((key, value)) = setting.split_once(" = ")
            && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        {
            assert!(
                listed.insert(key.to_string(), value.to_string()).is_none(),
                "{key} twice"
            );
            uncommented.push_str(setting);
            uncommented.push('\n');
        }
    }
    let cli = meterport::cli::Cli::command();
    let serve = cli.find_subcommand("serve").unwrap();
    let keys: Vec<(String, &clap::Arg)> = meterport_portal::cli::config::keys(serve).collect();
    let mut expected: Vec<&String> = keys.iter().map(|(k, _)| k).collect();
    expected.sort();
    assert_eq!(
        listed.keys().collect::<Vec<_>>(),
        expected,
        "the example's keys"
    );
    for (key, arg) in &keys {
        let value = listed
            .get(key)
            .unwrap_or_else(|| panic!("{key} is not in the example"));
        let default = match arg.get_default_values() {
            [] => continue,
            [one] => one.to_string_lossy().into_owned(),
            more => panic!("{key}: {more:?}"),
        };
        let written = if default.parse::<u64>().is_ok() || default == "true" || default == "false" {
            default
        } else {
            format!("\"{default}\"")
        };
        assert_eq!(value, &written, "{key}: the example shows the default");
    }
    // Every line, uncommented, is a valid file.
    let (_dir, file) = config_file(&uncommented);
    let (code, out, err) = run(meterport().args(["config", "check"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("valid ({} settings)", keys.len())),
        "{out}"
    );
}

/// A copy of a SQLite database taken while the data is still in the WAL of a running
/// writer, opened as a database of its own, holds what the original holds; PostgreSQL is
/// sent to pg_dump.
#[tokio::test]
async fn admin_backup_copies_a_sqlite_database_while_it_is_in_use() {
    let db = TestDb::new().await;
    // A store that stays open, as the server's would, with its writes in the WAL.
    let store = meterport_store::Store::open(&db.url).await.unwrap();
    let (ok, _, err) = admin(&db.url, &["tenant", "create", "--name", "Backup KK"], "");
    assert!(ok, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let to = copy.to_str().unwrap();
    let (ok, out, err) = admin(&db.url, &["backup", "--to", to], "");
    if backend() == "postgres" {
        assert!(!ok && err.contains("pg_dump"), "{out}{err}");
        assert!(!copy.exists());
        return;
    }
    assert!(ok, "{err}");
    let bytes: u64 = out.trim().split('\t').nth(1).unwrap().parse().unwrap();
    assert_eq!(bytes, std::fs::metadata(&copy).unwrap().len());
    // One file: no WAL beside it.
    assert!(!dir.path().join("copy.db-wal").exists());
    let original = admin(&db.url, &["tenant", "list"], "");
    let copied = admin(&format!("sqlite:{to}"), &["tenant", "list"], "");
    assert!(original.1.contains("Backup KK"), "{original:?}");
    assert_eq!(original, copied);
    // A second backup to the same file is refused and leaves the copy as it was.
    let before = std::fs::read(&copy).unwrap();
    let (ok, _, err) = admin(&db.url, &["backup", "--to", to], "");
    assert!(!ok && err.contains("exists already"), "{err}");
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    store.close().await;
}

/// `admin --config FILE` takes the database of the configuration file of `serve`.
#[test]
fn admin_takes_its_database_from_the_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("m.db").display());
    let (_cdir, file) = config_file(&format!(
        "database = \"{url}\"\nlisten = \"0.0.0.0:8080\"\noperator_token = \"{OPERATOR_TOKEN}\"\n"
    ));
    let (code, _, err) = run(meterport().args(["admin", "--config"]).arg(&file).args([
        "tenant",
        "create",
        "--name",
        "Config KK",
    ]));
    assert_eq!(code, 0, "{err}");
    let (ok, out, err) = admin(&url, &["tenant", "list"], "");
    assert!(ok && out.contains("Config KK"), "{out}{err}");
}

/// The settings the container image ships (`packaging/container.toml`) are valid.
#[test]
fn the_container_images_settings_are_valid() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/container.toml");
    let (code, out, err) = run(meterport().args(["config", "check"]).arg(&file));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("valid (2 settings)"), "{out}");
}

/// `packaging/grafana-dashboard.json` is a dashboard whose every panel queries something,
/// and every metric it queries is one the README documents.
#[test]
fn the_grafana_dashboard_queries_only_documented_metrics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("packaging/grafana-dashboard.json")).unwrap(),
    )
    .expect("the dashboard is JSON");
    let panels = dashboard["panels"].as_array().expect("panels");
    let mut queried = std::collections::BTreeSet::new();
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        let targets = panel["targets"].as_array().expect("targets");
        assert!(!targets.is_empty(), "{} queries nothing", panel["title"]);
        for target in targets {
            let expr = target["expr"].as_str().expect("a PromQL expression");
            for word in expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if word.starts_with("meterport_") || word.starts_with("process_") {
                    let metric = ["_bucket", "_sum", "_count"]
                        .iter()
                        .find_map(|s| word.strip_suffix(s))
                        .unwrap_or(word);
                    queried.insert(metric.to_string());
                }
            }
        }
    }
    assert!(queried.len() >= 10, "{queried:?}");
    for metric in &queried {
        let documented = if metric.starts_with("process_") {
            readme.contains("`process_*`")
        } else {
            readme.contains(&format!("`{metric}`")) || readme.contains(&format!("`{metric}{{"))
        };
        assert!(
            documented,
            "{metric} is not in the README's monitoring table"
        );
    }
}
