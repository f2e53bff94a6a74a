//! The document loader and the whole generator on arbitrary input: YAML or
//! JSON, `$ref`s (to itself, in cycles, to files that are not there), deep
//! nesting. Any outcome but a panic, a stack overflow or a runaway
//! allocation is fine: bad documents must give errors.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

/// One file per fuzzing process, rewritten for every input; `.yaml` reads
/// JSON too (JSON is YAML).
fn document_path() -> PathBuf {
    std::env::temp_dir().join(format!("asyncapi-fuzz-{}.yaml", std::process::id()))
}

fuzz_target!(|data: &[u8]| {
    let path = document_path();
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let generator = asyncapi_codegen::Generator::new(&path).with_file_name("fuzz.rs");
    // Loading, checking and building the model; then the code, when the
    // document is good enough for it.
    if generator.warnings().is_ok() {
        let _ = generator.generate_string();
    }
});
