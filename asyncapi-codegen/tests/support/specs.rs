//! The documents of the repository's `specs/`, for the tests that check
//! something of every one of them.

use std::path::{Path, PathBuf};

/// Every YAML or JSON document of `specs/`, in name order.
pub fn documents() -> Vec<PathBuf> {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&specs)
        .expect("specs/ is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    paths.sort();
    paths
}
