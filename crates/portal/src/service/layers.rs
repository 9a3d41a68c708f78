//! Keeps the front doors off the store. [`Services`](super::Services) already hides the
//! store from them; this test also catches the ways back in that the compiler would allow:
//! a front door naming `Store` (opening a second one, taking one as a parameter) or reaching
//! a `.store` of some other value. It reads the front doors' sources, with comments and
//! string literals blanked out, and names the file and line of each finding.

use std::path::{Path, PathBuf};

/// The front doors: the screens, the JSON APIs, the commands, the SMTP listener, and the
/// router's own handlers and the CSV download.
const FRONT_DOORS: [&str; 6] = [
    "src/web",
    "src/api",
    "src/cli",
    "src/smtp.rs",
    "src/app.rs",
    "src/csv_export.rs",
];

/// The lines allowed to name `Store`: where `serve` and `admin` open the database and turn
/// it into `Services` at once. Matched by the whole line, so that a moved line still
/// matches and a changed one does not.
const ALLOWED: [(&str, &str); 2] = [
    (
        "src/cli/mod.rs",
        "let services = Services::new(meterport_store::Store::open(&args.database).await?);",
    ),
    (
        "src/cli/admin.rs",
        "let services = Services::new(meterport_store::Store::open(&args.database).await?);",
    ),
];

#[test]
fn no_front_door_names_the_store_or_reaches_a_store_field() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for door in FRONT_DOORS {
        rust_files(&root.join(door), &mut files);
    }
    assert!(files.len() > 20, "the front doors' sources: {files:?}");
    let mut found = Vec::new();
    let mut allowed_used = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read a source file");
        let name = file
            .strip_prefix(root)
            .expect("under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        let lines: Vec<&str> = source.lines().collect();
        for (line, what) in findings(&source) {
            let text = lines[line - 1].trim();
            if ALLOWED.contains(&(name.as_str(), text)) {
                allowed_used += 1;
                continue;
            }
            found.push(format!("{name}:{line}: {what}: {text}"));
        }
    }
    assert!(
        found.is_empty(),
        "front doors reach the use cases through `Services`, never the store:\n{}",
        found.join("\n")
    );
    assert_eq!(
        allowed_used,
        ALLOWED.len(),
        "an allowed line is gone: shorten ALLOWED"
    );
}

#[test]
fn the_check_finds_a_store_and_passes_over_comments_strings_and_error_variants() {
    let source = r##"
use meterport_store::{Store, StoreError};
// the Store, in a comment; /* state.store */ too
fn f(state: &AppState) -> &'static str {
    let c = '"';
    let t = state
        .store
        .tenant(1);
    match e { QueryError::Store(e) => e, _ => "Store readings" }
    let _ = r#"state.store"#;
    state.store.ping();
    meterport_store::Store::open("sqlite:x")
}
"##;
    let found: Vec<usize> = findings(source).into_iter().map(|(line, _)| line).collect();
    assert_eq!(found, vec![2, 7, 11, 12]);
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .expect("read a source directory")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            rust_files(&entry, out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// The 1-based lines that name the type `Store` (an error's variant `...Error::Store` is
/// not the type) or reach a field or method `.store`, each with what was found.
fn findings(source: &str) -> Vec<(usize, &'static str)> {
    let code = code_only(source);
    let mut out = Vec::new();
    let mut i = 0;
    while i < code.len() {
        let starts_word = is_ident(code[i]) && !code[i].is_ascii_digit();
        if !starts_word || (i > 0 && is_ident(code[i - 1])) {
            i += 1;
            continue;
        }
        let end = (i..code.len())
            .find(|&j| !is_ident(code[j]))
            .unwrap_or(code.len());
        let word = &code[i..end];
        let what = if word == ['S', 't', 'o', 'r', 'e'] {
            Some("names `Store`")
        } else if word == ['s', 't', 'o', 'r', 'e'] {
            Some("reaches `.store`")
        } else {
            None
        };
        if let Some(what) = what {
            let before = code[..i]
                .iter()
                .rposition(|c| !c.is_whitespace())
                .map(|k| &code[..=k]);
            let found = match word[0] {
                'S' => !after_error_path(before),
                _ => before.is_some_and(|b| b.ends_with(&['.'])),
            };
            if found {
                let line = code[..i].iter().filter(|c| **c == '\n').count() + 1;
                out.push((line, what));
            }
        }
        i = end;
    }
    out
}

/// Whether the text before a word ends with `SomethingError::`.
fn after_error_path(before: Option<&[char]>) -> bool {
    let Some(before) = before else {
        return false;
    };
    let Some(path) = before.strip_suffix(&[':', ':']) else {
        return false;
    };
    let start = path
        .iter()
        .rposition(|c| !is_ident(*c))
        .map_or(0, |k| k + 1);
    path[start..].ends_with(&['E', 'r', 'r', 'o', 'r'])
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The source with comments, string literals and character literals turned into spaces,
/// lines kept.
fn code_only(source: &str) -> Vec<char> {
    let s: Vec<char> = source.chars().collect();
    let mut out = s.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(s.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let mut i = 0;
    while i < s.len() {
        let next = s.get(i + 1).copied();
        if s[i] == '/' && next == Some('/') {
            let end = (i..s.len()).find(|&j| s[j] == '\n').unwrap_or(s.len());
            blank(&mut out, i, end);
            i = end;
        } else if s[i] == '/' && next == Some('*') {
            let (mut depth, mut j) = (1, i + 2);
            while j < s.len() && depth > 0 {
                if s[j] == '/' && s.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if s[j] == '*' && s.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if s[i] == '"' {
            let mut j = i + 1;
            while j < s.len() && s[j] != '"' {
                j += if s[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if s[i] == 'r' && starts_token(&s, i) && raw_string_at(&s, i + 1) {
            let hashes = s[i + 1..].iter().take_while(|c| **c == '#').count();
            let body = i + 2 + hashes;
            let mut j = body;
            while j < s.len()
                && !(s[j] == '"'
                    && s[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|c| **c == '#')
                        .count()
                        == hashes)
            {
                j += 1;
            }
            blank(&mut out, i, j + 1 + hashes);
            i = j + 1 + hashes;
        } else if s[i] == '\'' && next == Some('\\') {
            let end = (i + 2..s.len()).find(|&j| s[j] == '\'').unwrap_or(s.len());
            blank(&mut out, i, end + 1);
            i = end + 1;
        } else if s[i] == '\'' && s.get(i + 2) == Some(&'\'') {
            blank(&mut out, i, i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether the `r` at `i` starts a token (`r"`, `br"`), not the end of a name.
fn starts_token(s: &[char], i: usize) -> bool {
    let word_before = |k: usize| k > 0 && is_ident(s[k - 1]);
    !word_before(i) || (s[i - 1] == 'b' && !word_before(i - 1))
}

/// Whether a raw string's `#`s and opening quote start at `at` (after its `r`).
fn raw_string_at(s: &[char], at: usize) -> bool {
    let hashes = s[at.min(s.len())..]
        .iter()
        .take_while(|c| **c == '#')
        .count();
    s.get(at + hashes) == Some(&'"')
}
