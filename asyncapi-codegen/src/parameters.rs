//! A channel's parameters (`{name}` in its address): the `Parameters`
//! struct the client fills the address with and the server reads from the
//! request path, or `()` for a channel without any.

use crate::ir::{Api, HandshakeKind, HandshakePlace};
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

/// Whether the channel has parameters: in its address, or query
/// parameters and headers of its `ws` binding.
pub fn has_parameters(api: &Api, channel: usize) -> bool {
    let channel = &api.channels[channel];
    !channel.handshake.is_empty()
        || channel
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
    let mut inits = Vec::new();
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
        let checks = value_checks(
            &format!("`{name}`"),
            param.map_or(&[][..], |p| &p.values),
            param.and_then(|p| p.pattern.as_deref()),
            &quote!(#ident),
        );
        reads.push(quote! {
            let #ident = params.require(#name)?;
            #checks
        });
        inits.push(quote!(#ident: #ident.to_owned()));
        idents.push(ident);
    }
    let mut headers = Vec::new();
    let mut eq = true;
    for field in &ch.handshake {
        let ident = names::ident(&fields.claim(names::snake_name(&field.name)));
        let name = &field.name;
        let (ty, expected) = match field.kind {
            HandshakeKind::String => (quote!(::std::string::String), "text"),
            HandshakeKind::Boolean => (quote!(bool), "`true` or `false`"),
            HandshakeKind::Integer => (quote!(i64), "an integer"),
            HandshakeKind::Number => {
                eq = false;
                (quote!(f64), "a number")
            }
        };
        let what = format!("the {} `{name}`", field.place.noun());
        let mut paragraphs = vec![format!("The {} `{name}`.", field.place.noun())];
        paragraphs.extend(field.docs.paragraphs().iter().map(|s| s.to_string()));
        if !field.values.is_empty() {
            paragraphs.push(format!("One of: {}.", quoted(&field.values)));
        }
        if let Some(default) = &field.default {
            paragraphs.push(format!("Default (when absent): `{default}`."));
        }
        if let Some(pattern) = &field.pattern {
            paragraphs.push(format!("Matches `{pattern}`."));
        }
        let doc = doc_attrs(&paragraphs.iter().map(String::as_str).collect::<Vec<_>>());
        let lookup = match field.place {
            HandshakePlace::Query => quote!(params.query(#name)),
            HandshakePlace::Header => quote!(params.header(#name)),
        };
        let checks = match field.kind {
            HandshakeKind::String => value_checks(
                &what,
                &field.values,
                field.pattern.as_deref(),
                &quote!(value),
            ),
            _ => quote!(),
        };
        let read = quote!(#rt::handshake_value::<#ty>(#lookup, #what, #expected)?);
        let write = |value: TokenStream| match field.place {
            HandshakePlace::Query => {
                quote!(#rt::push_query(&mut path, #name, &#value.to_string());)
            }
            HandshakePlace::Header => quote!(headers.push((#name, #value.to_string()));),
        };
        if field.required {
            let missing = format!("{what} is required");
            declared.push(quote!(#doc pub #ident: #ty));
            let checked =
                (!checks.is_empty()).then(|| quote!({ let value: &str = &#ident; #checks }));
            reads.push(quote! {
                let #ident = #read.ok_or_else(|| ::std::string::String::from(#missing))?;
                #checked
            });
            let written = write(quote!(self.#ident));
            match field.place {
                HandshakePlace::Query => path.push(written),
                HandshakePlace::Header => headers.push(written),
            }
        } else {
            declared.push(quote!(#doc pub #ident: ::std::option::Option<#ty>));
            let checked = (!checks.is_empty()).then(|| {
                quote!(if let ::std::option::Option::Some(value) = #ident.as_deref() { #checks })
            });
            reads.push(quote! {
                let #ident = #read;
                #checked
            });
            let written = write(quote!(value));
            let written = quote! {
                if let ::std::option::Option::Some(value) = &self.#ident { #written }
            };
            match field.place {
                HandshakePlace::Query => path.push(written),
                HandshakePlace::Header => headers.push(written),
            }
        }
        inits.push(quote!(#ident));
    }
    let derives = if eq {
        quote!(#[derive(Debug, Clone, PartialEq, Eq, Hash)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    let headers_fn = if headers.is_empty() {
        quote! {
            /// The headers the handshake carries for them (none).
            pub fn headers(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                ::std::vec::Vec::new()
            }
        }
    } else {
        quote! {
            /// The headers the handshake carries for them.
            pub fn headers(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                let mut headers = ::std::vec::Vec::new();
                #(#headers)*
                headers
            }
        }
    };
    let mut doc = format!(
        "The parameters of channel `{}`, whose address is `{address}`",
        ch.id
    );
    if !ch.handshake.is_empty() {
        doc.push_str(", with the query parameters and headers of its `ws` binding");
    }
    doc.push('.');
    let doc = doc_attrs(&[&doc]);
    let path_doc = if ch
        .handshake
        .iter()
        .any(|f| f.place == HandshakePlace::Query)
    {
        "The channel's address with the parameters filled in, and the query parameters \
         that are set (percent-encoded)."
    } else {
        "The channel's address with the parameters filled in (percent-encoded)."
    };
    let path_doc = doc_attrs(&[path_doc]);
    quote! {
        #doc
        #derives
        pub struct Parameters {
            #(#declared,)*
        }

        impl Parameters {
            #path_doc
            pub fn path(&self) -> ::std::string::String {
                let mut path = ::std::string::String::new();
                #(#path)*
                path
            }

            #headers_fn

            /// Reads the parameters from the values taken from a request (its path,
            /// query and headers), checking the values the document allows.
            pub fn from_path(params: &#rt::PathParams) -> ::std::result::Result<Self, ::std::string::String> {
                #(#reads)*
                ::std::result::Result::Ok(Parameters {
                    #(#inits,)*
                })
            }
        }
    }
}

/// Code that returns an error naming `what` when the `&str` `value` is not
/// one of `values` or does not match `pattern`.
fn value_checks(
    what: &str,
    values: &[String],
    pattern: Option<&str>,
    value: &TokenStream,
) -> TokenStream {
    let mut checks = Vec::new();
    if !values.is_empty() {
        let message = format!(
            "{}, not `{{}}`",
            escape_braces(&format!("{what} must be one of {}", quoted(values)))
        );
        checks.push(quote! {
            if ![#(#values),*].contains(&#value) {
                return ::std::result::Result::Err(::std::format!(#message, #value));
            }
        });
    }
    if let Some(pattern) = pattern {
        let message = format!(
            "{}, not `{{}}`",
            escape_braces(&format!("{what} must match `{pattern}`"))
        );
        let matches = match crate::pattern::matcher(pattern) {
            Some(matcher) => quote!({ let value: &str = #value; #matcher }),
            None => quote!(rt::server::matches_pattern(#pattern, #value)),
        };
        checks.push(quote! {
            if !#matches {
                return ::std::result::Result::Err(::std::format!(#message, #value));
            }
        });
    }
    quote!(#(#checks)*)
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
