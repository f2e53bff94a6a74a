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
//! by the page's content security policy. The page rendered here is a few
//! tens of kilobytes of plain HTML with inline styles and no script at all:
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

/// The `CONTRACT` constant of a generated module, from what [`render`]
/// returns.
pub(crate) fn item(json: &str, html: &str) -> TokenStream {
    let json = one_line_literal(json);
    let html = one_line_literal(html);
    quote! {
        /// The AsyncAPI document this module was generated from, bundled
        /// into one JSON document, and its docs as one offline HTML page:
        /// what a server serves at `/asyncapi.json`, `/asyncapi.yaml` and
        /// `/asyncapi` (with `servers` pointing at the served address).
        pub const CONTRACT: rt::contract::Contract = rt::contract::Contract::new(#json, #html);
    }
}

/// `text` as a string literal on one line: a raw string (`r#"..."#`, with
/// as many `#` as needed), which writes quotes as they are, when `text`
/// has no line break; an ordinary, escaped, literal otherwise.
fn one_line_literal(text: &str) -> proc_macro2::Literal {
    if text.contains(['\n', '\r']) {
        return proc_macro2::Literal::string(text);
    }
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| proc_macro2::Literal::string(text))
}

#[cfg(test)]
mod tests {
    use super::one_line_literal;

    #[test]
    fn literals_stay_on_one_line_and_read_back() {
        for text in [r#"{"a":"b"}"#, "quote\"# and \"## inside", "two\nlines", ""] {
            let literal = one_line_literal(text).to_string();
            assert!(!literal.contains('\n'), "{literal}");
            let parsed: syn::LitStr = syn::parse_str(&literal).expect("a string literal");
            assert_eq!(parsed.value(), text);
        }
    }
}
