//! Message enums: per channel, `ClientMessage` (what clients send) and
//! `ServerMessage` (what the server sends), one variant per message, decoded
//! by generated selection code ([`crate::selection`]).

use crate::dispatch::{self, Rule};
use crate::error::Result;
use crate::ir::{Api, Correlation, Direction, Docs, Step};
use crate::names;
use crate::selection::{selection_items, SelectionInput};
use crate::types::Types;
use proc_macro2::TokenStream;
use quote::quote;

/// Doc attributes for prose.
pub fn doc_attrs(paragraphs: &[&str]) -> TokenStream {
    let mut lines = Vec::new();
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        for line in paragraph.lines() {
            lines.push(format!(" {}", line.trim_end()));
        }
    }
    let lines = lines.iter().map(|line| quote!(#[doc = #line]));
    quote!(#(#lines)*)
}

/// The rustdoc of an item described by `docs`, after a first line.
pub fn item_docs(first: Option<&str>, docs: &Docs) -> TokenStream {
    let mut paragraphs: Vec<&str> = first.into_iter().collect();
    paragraphs.extend(docs.paragraphs());
    doc_attrs(&paragraphs)
}

/// One generated message enum.
pub struct MessageEnum {
    /// The enum's name, e.g. `ClientMessage`.
    pub name: String,
    /// Per variant: the message index and the variant name.
    pub variants: Vec<(usize, String)>,
    /// Whether servers validate its frames against the payload schemas
    /// (a `ClientMessage` when the server side is generated).
    pub validated: bool,
}

/// Generates a message enum and its impls.
///
/// `types` is the path from the enum's module to the `types` module;
/// `generated` the `types` module's payload types and id fields.
pub fn message_enum(
    api: &Api,
    spec: &MessageEnum,
    summary: &str,
    types: &TokenStream,
    generated: &Types,
) -> Result<TokenStream> {
    let payloads = &generated.payloads;
    let name = names::ident(&spec.name);
    let mut variants = Vec::new();
    let mut entries = Vec::new();
    let mut correlation_paths: Vec<&Correlation> = Vec::new();
    let mut table_variants: Vec<(String, Vec<Rule>)> = Vec::new();
    let payload_type = |m: usize| match &payloads[m] {
        Some(path) => quote!(#types::#path),
        None => quote!(rt::serde_json::Value),
    };
    let all_types: Vec<String> = spec
        .variants
        .iter()
        .map(|(m, _)| payload_type(*m).to_string())
        .collect();
    for (m, variant) in &spec.variants {
        let message = &api.messages[*m];
        let ident = names::ident(variant);
        let ty = payload_type(*m);
        let key_doc = format!("Message `{}`.", message.key);
        let doc = if message.docs.paragraphs().is_empty() {
            doc_attrs(&[&key_doc])
        } else {
            item_docs(None, &message.docs)
        };
        variants.push(quote! {
            #doc
            #ident(#ty)
        });
        let correlation = message.correlation.as_ref().map(|correlation| {
            if !correlation_paths.iter().any(|c| c.path == correlation.path) {
                correlation_paths.push(correlation);
            }
            let kind = names::ident(if correlation.integer {
                "Integer"
            } else {
                "String"
            });
            let segments = segments(correlation);
            let field = generated.id_fields[*m]
                .as_ref()
                .map(|field| quote!(in #field));
            quote!(correlated(#kind, #segments) #field)
        });
        // `From` only where the payload type is this variant's alone.
        let ty_text = ty.to_string();
        let from =
            (all_types.iter().filter(|t| **t == ty_text).count() == 1).then(|| quote!(, from));
        entries.push(quote!(#ident(#ty) #correlation #from;));
        table_variants.push((variant.clone(), message.rules.clone()));
    }
    dispatch::prune(&mut table_variants);
    let selection = selection_items(&SelectionInput {
        enum_name: &spec.name,
        variants: table_variants,
    });
    let correlation_paths = correlation_paths.iter().map(|c| {
        let segments = segments(c);
        quote!((#segments))
    });
    let enum_doc = doc_attrs(&[summary]);
    let (schemas_arg, schemas_fn) = schemas(api, spec);
    Ok(quote! {
        #enum_doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants,)*
        }

        rt::message_impls! {
            #name, correlation_paths [#(#correlation_paths),*] #schemas_arg;
            #(#entries)*
        }

        impl #name {
            #selection
            #schemas_fn
        }
    })
}

/// For a validated enum with some payload schema: the `schemas(...)`
/// argument of `rt::message_impls!`, and the function holding the schemas
/// (one line of JSON each, compiled by the runtime on first use).
fn schemas(api: &Api, spec: &MessageEnum) -> (TokenStream, TokenStream) {
    let sources: Vec<Option<&str>> = spec
        .variants
        .iter()
        .map(|(m, _)| api.messages[*m].validation.as_deref())
        .collect();
    if !spec.validated || sources.iter().all(Option::is_none) {
        return (TokenStream::new(), TokenStream::new());
    }
    let sources = sources.iter().map(|source| match source {
        Some(json) => quote!(::std::option::Option::Some(#json)),
        None => quote!(::std::option::Option::None),
    });
    (
        quote!(, schemas(Self::__schemas())),
        quote! {
            /// The payload schemas servers check frames against, in variant order.
            fn __schemas() -> &'static rt::validate::Schemas {
                static SCHEMAS: rt::validate::Schemas = rt::validate::Schemas::new(&[#(#sources),*]);
                &SCHEMAS
            }
        },
    )
}

/// A correlation id's path as `rt::message_impls!` takes it: the runtime's
/// `Seg`s without their type (`Key("a"), Index(0)`).
fn segments(correlation: &Correlation) -> TokenStream {
    let steps = correlation.path.iter().map(|step| match step {
        Step::Key(key) => quote!(Key(#key)),
        Step::Index(i) => quote!(Index(#i)),
    });
    quote!(#(#steps),*)
}

/// The enums of one channel: client side first. Both are there even when a
/// side sends nothing (an enum without variants), so that the client and the
/// server of the channel have both types.
pub fn channel_enums(api: &Api, channel: usize) -> Vec<(Direction, MessageEnum)> {
    let channel = &api.channels[channel];
    let mut out = Vec::new();
    for (direction, name) in [
        (Direction::ClientToServer, "ClientMessage"),
        (Direction::ServerToClient, "ServerMessage"),
    ] {
        out.push((
            direction,
            MessageEnum {
                name: name.to_string(),
                variants: channel.variants(direction),
                validated: false,
            },
        ));
    }
    out
}
