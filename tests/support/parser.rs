//! The official JavaScript parser, `@asyncapi/parser` 3.x, run on
//! documents: installed with npm under the target directory by
//! `scripts/asyncapi-parser/check.sh --install-only` (which
//! `scripts/real-clients/setup.sh`, run by `.ci/run`, calls). Without it a
//! test says so and passes, unless `ASYNCAPI_REAL_CLIENTS=require` (which
//! `.ci/run` sets).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Asserts that the parser accepts every file of `paths` without an error
/// or a warning (its validation and Spectral rules); `what` names them in
/// failures.
pub fn accepts(what: &str, paths: &[PathBuf]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let modules = target.join("asyncapi-parser/node_modules");
    if !modules.join("@asyncapi/parser/package.json").exists() {
        let message = format!(
            "@asyncapi/parser is not installed ({} is missing): run scripts/asyncapi-parser/check.sh --install-only",
            modules.display()
        );
        if std::env::var("ASYNCAPI_REAL_CLIENTS").as_deref() == Ok("require") {
            panic!("{message}");
        }
        eprintln!("skipped: {message}");
        return;
    }
    let output = Command::new("node")
        .arg(root.join("scripts/asyncapi-parser/parse.js"))
        .args(paths)
        .env("NODE_PATH", &modules)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    assert!(
        output.status.success(),
        "@asyncapi/parser refused {what}:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for path in paths {
        assert!(
            stdout.contains(&format!("{}: ok", path.display())),
            "no verdict for {}:\n{stdout}",
            path.display()
        );
    }
}
