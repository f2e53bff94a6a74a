//! The contract back end: what a generated module embeds so that a server
//! can serve the document it was generated from, and its docs.
//!
//! - [`bundle::document`]: the source document as one JSON document
//!   (`$ref`s to other files brought inside, internal `$ref`s kept), which
//!   the runtime serves at `/asyncapi.json` and `/asyncapi.yaml` with its
//!   `servers` pointing at the served address;
//! - [`html::page`]: a docs page rendered from the model, served at
//!   `/asyncapi`.
//!
//! Both are written into the generated module as
//! `pub const CONTRACT: rt::contract::Contract` ([`item`]).
//!
//! # Why our own static HTML, not `@asyncapi/react-component`
//!
//! The official viewer's standalone bundle is about 3 MB of JavaScript that
//! renders the document in the browser. Embedded in every generated module
//! it would add those 3 MB to each binary and each snapshot, tie the build
//! to a vendored npm artifact to keep up to date, and need scripts allowed
//! by the page's content security policy. The page rendered here is plain
//! HTML with inline styles and no script at all (27 KB for the chat
//! service, 105 KB for Kraken's 26 operations and 28 messages):
//! it works offline and under `default-src 'none'`, can be read with
//! scripts disabled or by a text browser, is generated from the same model
//! as the code (so it documents exactly what the code accepts, message
//! names included), and needs nothing from npm. What it gives up is the
//! viewer's interactivity (collapsible schemas, a payload explorer); a
//! user who wants that can still point the official viewer at
//! `/asyncapi.json`.

pub mod bundle;
pub mod html;
mod markdown;
mod schema_table;

use crate::error::Result;
use crate::ir::Api;
use crate::spec::Documents;
use proc_macro2::TokenStream;
use quote::quote;

/// The bundled document of `docs` as compact JSON, and the docs page of
/// `api`.
pub fn render(docs: &Documents, api: &Api) -> Result<(String, String)> {
    let document = bundle::document(docs)?;
    let json = serde_json::to_string(&document).map_err(|e| {
        crate::error::Error::new(
            crate::error::ErrorKind::Output,
            Some(docs.root()),
            format!("cannot write the bundled document as JSON: {e}"),
        )
    })?;
    Ok((json, html::page(api)))
}

/// What stands in the `CONTRACT` constant for the bundled document and for
/// the docs page until the module is printed ([`fill_text`]) or returned
/// as tokens ([`fill_tokens`]). The texts are long (173 KB for Kraken), and
/// a literal that long costs 9 % of `generate()` in a build script (opt-level
/// 0) to make as a token (proc_macro2 lexes a raw literal; syn re-reads an
/// escaped one) against a copy when written straight into the printed text.
const SLOTS: [&str; 2] = [
    "\0asyncapi-codegen: the bundled document",
    "\0asyncapi-codegen: the docs page",
];

/// The `CONTRACT` constant of a generated module, its texts still to be
/// filled in.
pub(crate) fn item() -> TokenStream {
    let [json, html] = SLOTS;
    quote! {
        /// The AsyncAPI document this module was generated from, bundled
        /// into one JSON document, and its docs as one offline HTML page:
        /// what a server serves at `/asyncapi.json`, `/asyncapi.yaml` and
        /// `/asyncapi` (with `servers` pointing at the served address).
        pub const CONTRACT: rt::contract::Contract = rt::contract::Contract::new(#json, #html);
    }
}

/// `code`, a printed module holding [`item`], with its slots filled by
/// `texts` (the bundled document and the docs page); `None` if a slot is
/// not there exactly once (a document whose own text spells one: then
/// [`fill_tokens`] serves).
pub(crate) fn fill_text(code: &str, texts: [&str; 2]) -> Option<String> {
    let slots = SLOTS.map(|slot| proc_macro2::Literal::string(slot).to_string());
    let mut at = Vec::with_capacity(2);
    for (slot, text) in slots.iter().zip(texts) {
        let mut found = code.match_indices(slot.as_str());
        let (start, _) = found.next()?;
        if found.next().is_some() {
            return None;
        }
        at.push((start, slot.len(), text));
    }
    at.sort_by_key(|&(start, ..)| start);
    let mut filled =
        String::with_capacity(code.len() + texts.iter().map(|t| t.len() + 8).sum::<usize>());
    let mut done = 0;
    for (start, len, text) in at {
        filled.push_str(&code[done..start]);
        push_literal(&mut filled, text);
        done = start + len;
    }
    filled.push_str(&code[done..]);
    Some(filled)
}

/// `file`, a module holding [`item`], with its slots filled by `texts` as
/// string literals.
pub(crate) fn fill_tokens(file: &mut syn::File, texts: [&str; 2]) {
    use syn::visit_mut::VisitMut;

    struct Fill<'a>([&'a str; 2]);

    impl VisitMut for Fill<'_> {
        fn visit_lit_str_mut(&mut self, lit: &mut syn::LitStr) {
            let value = lit.value();
            if let Some(i) = SLOTS.iter().position(|slot| *slot == value) {
                *lit = syn::LitStr::new(self.0[i], lit.span());
            }
        }
    }

    Fill(texts).visit_file_mut(file);
}

/// Writes `text` to `out` as a string literal on one line: a raw string
/// (`r#"..."#`, with as many `#` as needed), which writes quotes as they
/// are, when `text` has no line break; an ordinary, escaped, literal
/// otherwise.
fn push_literal(out: &mut String, text: &str) {
    // Two `char` searches (core's memchr) rather than one for either
    // (a generic pattern, compiled at opt-level 0 in a build script: 130 M
    // instructions on Kraken's 173 KB).
    if text.contains('\n') || text.contains('\r') {
        out.push_str(&proc_macro2::Literal::string(text).to_string());
        return;
    }
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    out.push('r');
    out.push_str(&hashes);
    out.push('"');
    out.push_str(text);
    out.push('"');
    out.push_str(&hashes);
}

#[cfg(test)]
mod tests {
    use super::{fill_text, fill_tokens, item};

    /// Every text, filled into printed code or into tokens, reads back
    /// as itself, on one line.
    #[test]
    fn filled_literals_stay_on_one_line_and_read_back() {
        for text in [r#"{"a":"b"}"#, "quote\"# and \"## inside", "two\nlines", ""] {
            let texts = [text, "<p>page</p>"];
            let code = format!("mod m {{ {} }}", item());
            let filled = fill_text(&code, texts).expect("both slots once");
            let from_text: syn::File = syn::parse_str(&filled).expect("code");
            let mut from_tokens: syn::File = syn::parse_str(&code).expect("code");
            fill_tokens(&mut from_tokens, texts);
            for file in [&from_text, &from_tokens] {
                let values = literals(file);
                assert_eq!(values, vec![text.to_string(), "<p>page</p>".to_string()]);
            }
            let line = filled
                .lines()
                .find(|l| l.contains("Contract :: new"))
                .unwrap();
            assert!(line.contains("<p>page</p>"), "{line}");
        }
    }

    /// A slot spelled twice (a document quoting it) leaves the text alone.
    #[test]
    fn a_slot_found_twice_is_not_filled() {
        let code = item().to_string();
        let twice = format!("{code}\n{code}");
        assert!(fill_text(&twice, ["a", "b"]).is_none());
        assert!(fill_text("no slots", ["a", "b"]).is_none());
    }

    fn literals(file: &syn::File) -> Vec<String> {
        use syn::visit_mut::VisitMut;
        struct Lits(Vec<String>);
        impl VisitMut for Lits {
            fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
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
        let mut lits = Lits(Vec::new());
        lits.visit_file_mut(&mut file.clone());
        lits.0
    }
}
