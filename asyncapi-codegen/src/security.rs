//! The document's security schemes as constants (`pub mod security`, at the
//! generated module's root): what the runtime reads a credential from on
//! the server side, and what a client's credential is made with.

use crate::ir::{Api, SecurityScheme};
use crate::messages::item_docs;
use crate::names::{self, Scope};
use proc_macro2::TokenStream;
use quote::quote;

/// The constants' names, one per scheme of [`Api::security_schemes`].
fn idents(api: &Api) -> Vec<syn::Ident> {
    let mut scope = Scope::default();
    api.security_schemes
        .iter()
        .map(|s| names::ident(&scope.claim(names::const_name(&s.id))))
        .collect()
}

/// The runtime's `Scheme` for `scheme`, and what it says in prose.
fn constructor(scheme: &SecurityScheme) -> (TokenStream, String) {
    let id = &scheme.id;
    let kind = scheme.kind.as_str();
    let http = scheme.scheme.as_deref().map(str::to_ascii_lowercase);
    match (kind, http.as_deref(), scheme.place.as_deref(), &scheme.name) {
        ("http", Some("bearer"), _, _) => (
            quote!(rt::security::Scheme::bearer(#id)),
            "a bearer token, `Authorization: Bearer <token>`".to_string(),
        ),
        ("http", Some("basic"), _, _) => (
            quote!(rt::security::Scheme::basic(#id)),
            "HTTP basic authentication, `Authorization: Basic <credentials>`".to_string(),
        ),
        ("httpApiKey", _, Some(place @ ("header" | "query" | "cookie")), Some(name)) => {
            let (variant, what) = match place {
                "header" => (quote!(Header), "header"),
                "query" => (quote!(Query), "query parameter"),
                _ => (quote!(Cookie), "cookie"),
            };
            (
                quote!(rt::security::Scheme::api_key(#id, rt::security::KeyPlace::#variant, #name)),
                format!("an API key in the {what} `{name}`"),
            )
        }
        _ => (
            quote!(rt::security::Scheme::other(#id)),
            format!("type `{kind}`, which the runtime does not read from a handshake"),
        ),
    }
}

/// `pub mod security { … }`, when the document has security schemes.
pub fn module(api: &Api) -> Option<TokenStream> {
    if api.security_schemes.is_empty() {
        return None;
    }
    let consts = api
        .security_schemes
        .iter()
        .zip(idents(api))
        .map(|(scheme, ident)| {
            let (value, what) = constructor(scheme);
            let first = format!("Security scheme `{}`: {what}.", scheme.id);
            let doc = item_docs(Some(&first), &scheme.docs);
            quote! {
                #doc
                pub const #ident: rt::security::Scheme = #value;
            }
        });
    Some(quote! {
        /// The document's security schemes: a secured channel's `Handler` is told which one a
        /// client's credential was found by; clients send one with
        /// `ClientConfig::with_credential(security::SCHEME.with(value))`.
        pub mod security {
            #(#consts)*
        }
    })
}

/// The paths (from a channel's module, `root` leading to the generated
/// module's root) of the schemes that admit to `channel`; empty for an
/// open channel.
pub fn channel_schemes(api: &Api, channel: usize, root: &TokenStream) -> Vec<TokenStream> {
    let wanted = api.channel_security(channel);
    api.security_schemes
        .iter()
        .zip(idents(api))
        .filter(|(scheme, _)| wanted.iter().any(|w| w.id == scheme.id))
        .map(|(_, ident)| quote!(#root::security::#ident))
        .collect()
}
