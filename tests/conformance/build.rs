//! Runs the generator over every AsyncAPI document of the corpus (listed by
//! `../shared/corpus/INDEX.md` and `tck/INDEX.md`, beside the repository)
//! and over `specs/`, writes each document's code into `OUT_DIR` for
//! `src/lib.rs` to compile, and records each outcome in
//! `OUT_DIR/outcomes.txt` for `tests/expectations.rs` to compare with
//! `expectations.txt`.
//!
//! One document's failure (even a panic) is recorded, never the end of the
//! build: the test reports it.

use asyncapi_codegen::Generator;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// A document to generate code for.
struct Document {
    /// Its name in the outcomes: its path under the corpus, or under
    /// `specs/` prefixed with `specs/`.
    name: String,
    path: PathBuf,
    /// What its source says it is: `example` (a document of the AsyncAPI
    /// specification's repositories), `valid` or `invalid` (a test case of
    /// a compatibility suite).
    expect: String,
    /// Why the suite says it is invalid, when it does.
    reason: String,
}

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    let corpus = manifest.join("../../../shared/corpus");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=specs");
    println!("cargo:rerun-if-changed={}", corpus.display());

    let mut documents = own_specs(&manifest.join("specs"));
    documents.extend(real_world(&manifest.join("../real-world")));
    println!("cargo:rerun-if-changed=../real-world");
    let mut outcomes = String::new();
    match corpus_documents(&corpus) {
        Ok(found) => documents.extend(found),
        Err(why) => {
            let _ = writeln!(outcomes, "#corpus-missing\t{why}");
        }
    }

    let mut modules = String::new();
    let mut report = String::new();
    let mut names = BTreeMap::new();
    for document in &documents {
        println!("cargo:rerun-if-changed={}", document.path.display());
        let generator = Generator::new(&document.path);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let code = generator.generate_string()?;
            let warnings = generator.warnings()?;
            Ok::<_, asyncapi_codegen::Error>((code, warnings))
        }));
        let (outcome, detail) = match result {
            Ok(Ok((code, warnings))) => {
                let module = module_name(&document.name, &mut names);
                let file = out.join(format!("{module}.rs"));
                std::fs::write(&file, code).expect("OUT_DIR is writable");
                let _ = writeln!(
                    modules,
                    "#[doc = {:?}]\npub mod {module} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{module}.rs\"));\n}}",
                    format!(" `{}`", document.name)
                );
                let outcome = match warnings.len() {
                    0 => "compiles".to_string(),
                    1 => "compiles, 1 warning".to_string(),
                    n => format!("compiles, {n} warnings"),
                };
                let detail: Vec<String> = warnings
                    .iter()
                    .map(|w| format!("warning: {}", relative(&w.to_string(), &corpus, &manifest)))
                    .collect();
                (outcome, detail.join("\n"))
            }
            Ok(Err(error)) => {
                // The place, without the document's own name when it is in
                // the document itself.
                let location = error
                    .location()
                    .map(|l| relative(&l.to_string(), &corpus, &manifest))
                    .map(|l| match l.strip_prefix(&document.name) {
                        Some(pointer) if pointer.starts_with('#') => pointer.to_string(),
                        _ => l,
                    })
                    .unwrap_or_else(|| "(no location)".into());
                (
                    format!("rejected {:?} {location}", error.kind()),
                    format!(
                        "error: {}",
                        relative(&error.to_string(), &corpus, &manifest)
                    ),
                )
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                ("panicked".to_string(), format!("panic: {message}"))
            }
        };
        let _ = writeln!(
            outcomes,
            "{}\t{}\t{}\t{}",
            document.name, document.expect, outcome, document.reason
        );
        for line in detail.lines() {
            let _ = writeln!(report, "{}\t{line}", document.name);
        }
    }
    std::fs::write(out.join("outcomes.txt"), outcomes).expect("OUT_DIR is writable");
    std::fs::write(out.join("report.txt"), report).expect("OUT_DIR is writable");
    std::fs::write(out.join("modules.rs"), modules).expect("OUT_DIR is writable");
}

/// The documents of `specs/` (ours): every YAML or JSON file at its top.
fn own_specs(dir: &Path) -> Vec<Document> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let is_document = path.is_file()
            && matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            );
        if is_document {
            let file = path.file_name().unwrap_or_default().to_string_lossy();
            out.push(Document {
                name: format!("specs/{file}"),
                path,
                expect: "ours".into(),
                reason: String::new(),
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The real-world documents of `tests/real-world/<source>/` (their
/// subdirectories hold files they reference), named
/// `real-world/<source>/<file>`.
fn real_world(dir: &Path) -> Vec<Document> {
    let mut out = Vec::new();
    for source in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let source = source.path();
        for entry in std::fs::read_dir(&source).into_iter().flatten().flatten() {
            let path = entry.path();
            let is_document = path.is_file()
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "yml" | "json")
                );
            if is_document {
                let name = format!(
                    "real-world/{}/{}",
                    source.file_name().unwrap_or_default().to_string_lossy(),
                    path.file_name().unwrap_or_default().to_string_lossy()
                );
                out.push(Document {
                    name,
                    path,
                    expect: "real-world".into(),
                    reason: String::new(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The AsyncAPI documents the corpus indexes: the root documents of
/// `INDEX.md` (not the files they reference), and the valid and invalid
/// test cases of `tck/INDEX.md` (not the support files).
fn corpus_documents(corpus: &Path) -> Result<Vec<Document>, String> {
    let read = |file: &Path| {
        std::fs::read_to_string(file).map_err(|e| {
            format!(
                "cannot read {} ({e}): the conformance test needs the corpus at ../shared/corpus beside the repository",
                file.display()
            )
        })
    };
    let mut out = Vec::new();
    for row in table_rows(&read(&corpus.join("INDEX.md"))?) {
        // | file | asyncapi | features | raw-schema |
        let [file, version, ..] = row.as_slice() else {
            continue;
        };
        if version == "-" || version == "asyncapi" {
            continue;
        }
        out.push(Document {
            name: file.clone(),
            path: corpus.join(file),
            expect: "example".into(),
            reason: String::new(),
        });
    }
    let mut section = String::new();
    for line in read(&corpus.join("tck/INDEX.md"))?.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            section = title.trim().to_string();
            continue;
        }
        // | file | asyncapi | expect | reason / notes | raw-schema |
        let Some(row) = table_row(line) else { continue };
        let [file, _, expect, reason, ..] = row.as_slice() else {
            continue;
        };
        if expect != "valid" && expect != "invalid" {
            continue;
        }
        let name = format!("tck/{section}/{file}");
        out.push(Document {
            path: corpus.join(&name),
            name,
            expect: expect.clone(),
            reason: reason.clone(),
        });
    }
    if out.is_empty() {
        return Err(format!("{} lists no documents", corpus.display()));
    }
    Ok(out)
}

/// The cells of the rows of every Markdown table in `text`.
fn table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines().filter_map(table_row).collect()
}

/// The cells of a Markdown table row (not of its `|---|` separator).
fn table_row(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    let cells: Vec<String> = inner.split('|').map(|c| c.trim().to_string()).collect();
    if cells
        .iter()
        .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
    {
        return None;
    }
    Some(cells)
}

/// A module name for a document, distinct from the others.
fn module_name(name: &str, taken: &mut BTreeMap<String, usize>) -> String {
    let mut base: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while base.contains("__") {
        base = base.replace("__", "_");
    }
    let base = format!("doc_{}", base.trim_matches('_'));
    let count = taken.entry(base.clone()).or_insert(0);
    *count += 1;
    if *count == 1 {
        base
    } else {
        format!("{base}_{count}")
    }
}

/// `text` with the corpus and package directories left out of paths, so
/// that outcomes do not depend on where the build runs.
fn relative(text: &str, corpus: &Path, manifest: &Path) -> String {
    let mut text = text.to_string();
    // Files a real-world document references are named from the
    // repository's `tests/`, which a lexical join spells without the
    // manifest's `tests/conformance/..`.
    let real_world = manifest.join("../real-world");
    let canonical = std::fs::canonicalize(&real_world).unwrap_or_else(|_| real_world.clone());
    for spelling in [canonical, lexical(&real_world)] {
        text = text.replace(&format!("{}/", spelling.display()), "../real-world/");
    }
    for dir in [corpus, manifest] {
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        // The generator joins referenced files lexically (`a/../b` is `b`),
        // which differs from the canonical path when `shared/` is a symlink.
        let lexical = lexical(dir);
        for spelling in [dir, canonical.as_path(), lexical.as_path()] {
            text = text.replace(&format!("{}/", spelling.display()), "");
        }
    }
    text
}

/// `path` with `.` and `..` resolved without looking at the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
