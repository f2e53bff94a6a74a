//! Every document in `specs/`, and the generator fixtures
//! `tests/fixtures/sides/{rooms,handshake,secured,validated}.yaml`, generate exactly the checked-in code
//! in `tests/output/`. Review changes like code; regenerate with
//! `EXPECTORATE=overwrite cargo test -p asyncapi-codegen --test snapshots`.
//!
//! The showcase package builds the same documents from its `build.rs` under
//! `#![deny(warnings)]`, and its `snapshots_compile` test checks that what
//! it compiled is byte for byte these snapshots: so the snapshots compile.

#[path = "support/specs.rs"]
mod specs;

use std::path::Path;

#[test]
fn every_spec_matches_its_snapshot() {
    let mut seen = 0;
    let mut entries = specs::documents();
    for fixture in [
        "rooms.yaml",
        "handshake.yaml",
        "secured.yaml",
        "validated.yaml",
    ] {
        entries.push(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/sides")
                .join(fixture),
        );
    }
    for path in entries {
        let generator = asyncapi_codegen::Generator::new(&path);
        let text = generator
            .generate_string()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        expectorate::assert_contents(format!("tests/output/{}", generator.file_name()), &text);
        seen += 1;
    }
    assert!(
        seen >= 3,
        "expected the documents of specs/ and the fixture, found {seen}"
    );
}

/// `generate_tokens` carries the contract `generate_string` prints (the
/// printed text gets it written straight in, the tokens as literals).
#[test]
fn tokens_carry_the_printed_contract() {
    use syn::visit_mut::VisitMut;

    /// The string arguments of every `Contract::new(..)` call.
    #[derive(Default)]
    struct Contracts(Vec<String>);
    impl VisitMut for Contracts {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            let callee = quote::quote!(#call).to_string();
            if callee.starts_with("rt :: contract :: Contract :: new") {
                for arg in &call.args {
                    if let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }) = arg
                    {
                        self.0.push(lit.value());
                    }
                }
            }
        }
    }
    let contracts = |mut file: syn::File| {
        let mut found = Contracts::default();
        found.visit_file_mut(&mut file);
        found.0
    };

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs/kraken.yaml");
    let generator = asyncapi_codegen::Generator::new(&path);
    let printed = contracts(syn::parse_str(&generator.generate_string().unwrap()).unwrap());
    let tokens = contracts(syn::parse2(generator.generate_tokens().unwrap()).unwrap());
    assert_eq!(printed.len(), 2, "the bundled document and the page");
    assert!(printed[0].starts_with('{') && printed[0].contains("Kraken"));
    assert!(printed[1].contains("<html"));
    assert_eq!(printed, tokens);
}
