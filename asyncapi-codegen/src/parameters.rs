//! A channel's parameters (`{name}` in its address): the `Parameters`
//! struct the client fills the address with and the server reads from the
//! request path, or `()` for a channel without any.

use crate::ir::Api;
use crate::messages::doc_attrs;
use crate::names::{self, Scope};
use proc_macro2::TokenStream;
use quote::quote;

/// A piece of an address.
enum Piece<'a> {
    Literal(&'a str),
    Param(&'a str),
}

/// The literal text and `{parameter}`s of an address, in order.
fn pieces(address: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = address;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Piece::Literal(&rest[..open]));
        }
        out.push(Piece::Param(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// Whether the channel's address has parameters.
pub fn has_parameters(api: &Api, channel: usize) -> bool {
    api.channels[channel]
        .address
        .as_deref()
        .is_some_and(|a| pieces(a).iter().any(|p| matches!(p, Piece::Param(_))))
}

/// `Parameters` for a channel.
pub fn generate(api: &Api, channel: usize) -> TokenStream {
    let ch = &api.channels[channel];
    let address = ch.address.as_deref().unwrap_or_default();
    if !has_parameters(api, channel) {
        return quote! {
            /// The channel has no parameters.
            pub type Parameters = ();
        };
    }
    let rt = quote!(rt::server);
    let mut fields = Scope::default();
    let mut declared = Vec::new();
    let mut reads = Vec::new();
    let mut idents = Vec::new();
    let mut path = Vec::new();
    for piece in pieces(address) {
        let name = match piece {
            Piece::Literal(text) => {
                path.push(quote!(path.push_str(#text);));
                continue;
            }
            Piece::Param(name) => name,
        };
        let ident = names::ident(&fields.claim(names::snake_name(name)));
        path.push(quote!(path.push_str(&#rt::encode_segment(&self.#ident));));
        if idents.contains(&ident) {
            continue;
        }
        let param = ch.parameters.iter().find(|p| p.name == name);
        let mut paragraphs: Vec<String> = vec![format!("`{name}`.")];
        if let Some(param) = param {
            paragraphs.extend(param.docs.paragraphs().iter().map(|s| s.to_string()));
            if !param.values.is_empty() {
                paragraphs.push(format!("One of: {}.", quoted(&param.values)));
            }
            if let Some(default) = &param.default {
                paragraphs.push(format!("Default: `{default}`."));
            }
            if let Some(pattern) = &param.pattern {
                paragraphs.push(format!("Matches `{pattern}`."));
            }
        }
        let doc = doc_attrs(&paragraphs.iter().map(String::as_str).collect::<Vec<_>>());
        declared.push(quote! {
            #doc
            pub #ident: ::std::string::String
        });
        let check = match param.filter(|p| !p.values.is_empty()) {
            Some(param) => {
                let values = &param.values;
                let message = format!(
                    "{}, not `{{}}`",
                    escape_braces(&format!("`{name}` must be one of {}", quoted(values)))
                );
                quote! {
                    if ![#(#values),*].contains(&#ident) {
                        return ::std::result::Result::Err(::std::format!(#message, #ident));
                    }
                }
            }
            None => quote!(),
        };
        let pattern_check = match param.and_then(|p| p.pattern.as_deref()) {
            Some(pattern) => {
                let message = format!(
                    "{}, not `{{}}`",
                    escape_braces(&format!("`{name}` must match `{pattern}`"))
                );
                let matches = match crate::pattern::matcher(pattern) {
                    Some(matcher) => quote!({ let value: &str = #ident; #matcher }),
                    None => quote!(#rt::matches_pattern(#pattern, #ident)),
                };
                quote! {
                    if !#matches {
                        return ::std::result::Result::Err(::std::format!(#message, #ident));
                    }
                }
            }
            None => quote!(),
        };
        reads.push(quote! {
            let #ident = params.require(#name)?;
            #check
            #pattern_check
        });
        idents.push(ident);
    }
    let doc = doc_attrs(&[&format!(
        "The parameters of channel `{}`, whose address is `{address}`.",
        ch.id
    )]);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct Parameters {
            #(#declared,)*
        }

        impl Parameters {
            /// The channel's address with the parameters filled in (percent-encoded).
            pub fn path(&self) -> ::std::string::String {
                let mut path = ::std::string::String::new();
                #(#path)*
                path
            }

            /// Reads the parameters from the values taken from a request path, checking
            /// the values the document allows.
            pub fn from_path(params: &#rt::PathParams) -> ::std::result::Result<Self, ::std::string::String> {
                #(#reads)*
                ::std::result::Result::Ok(Parameters {
                    #(#idents: #idents.to_owned(),)*
                })
            }
        }
    }
}

/// `text` as literal text of a format string.
fn escape_braces(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
