//! The document loader on arbitrary input: YAML or JSON, `$ref`s (to
//! itself, in cycles, to files that are not there), deep nesting; loaded,
//! checked against the official schemas and built into the model (what
//! `Generator::warnings` does; emitting code is left out, as it is slow and
//! fed only by models that passed). Any outcome but a panic, a stack
//! overflow or a runaway allocation is fine: bad documents must give errors.

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
    let _ = asyncapi_codegen::Generator::new(&path).warnings();
});
