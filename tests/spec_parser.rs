//! Every document in `specs/` parses with the official JavaScript parser,
//! `@asyncapi/parser` 3.x, without an error or a warning (its own
//! validation and Spectral rules, beyond the JSON Schema that
//! `spec_schema.rs` checks). The parser is installed with npm under the
//! target directory by `scripts/asyncapi-parser/check.sh --install-only`
//! (which `scripts/real-clients/setup.sh`, run by `.ci/run`, calls).
//! Without it the test says so and passes, unless
//! `ASYNCAPI_REAL_CLIENTS=require` (which `.ci/run` sets).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_specs_pass_the_official_parser() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
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
    let specs = ["kraken_v2.yaml", "kraken.yaml", "chat.yaml"].map(|s| root.join("specs").join(s));
    let output = Command::new("node")
        .arg(root.join("scripts/asyncapi-parser/parse.js"))
        .args(&specs)
        .env("NODE_PATH", &modules)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    assert!(
        output.status.success(),
        "@asyncapi/parser refused a spec:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for spec in &specs {
        assert!(
            stdout.contains(&format!("{}: ok", spec.display())),
            "no verdict for {}:\n{stdout}",
            spec.display()
        );
    }
}
