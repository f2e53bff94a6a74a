//! Message enums: per channel, `ClientMessage` (what clients send) and
//! `ServerMessage` (what the server sends), one variant per message, decoded
//! by generated selection code ([`crate::selection`]).

use crate::correlation::CorrelationTokens;
use crate::dispatch::{self, Rule};
use crate::error::Result;
use crate::ir::{Api, Correlation, Direction, Docs};
use crate::names;
use crate::selection::{selection_items, SelectionInput};
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
}

/// Generates a message enum and its impls.
///
/// `types` is the path from the enum's module to the `types` module;
/// `payloads` the per-message payload type paths inside `types`.
pub fn message_enum(
    api: &Api,
    spec: &MessageEnum,
    summary: &str,
    types: &TokenStream,
    payloads: &[Option<TokenStream>],
) -> Result<TokenStream> {
    let rt = quote!(rt);
    let name = names::ident(&spec.name);
    let mut variants = Vec::new();
    let mut decode_arms = Vec::new();
    let mut serialize_arms = Vec::new();
    let mut name_arms = Vec::new();
    let mut from_impls = Vec::new();
    let mut correlation_arms = Vec::new();
    let mut correlation_paths: Vec<&Correlation> = Vec::new();
    let mut table_variants: Vec<(String, Vec<Rule>)> = Vec::new();
    let payload_type = |m: usize| match &payloads[m] {
        Some(path) => quote!(#types::#path),
        None => quote!(#rt::serde_json::Value),
    };
    let all_types: Vec<String> = spec
        .variants
        .iter()
        .map(|(m, _)| payload_type(*m).to_string())
        .collect();
    for (index, (m, variant)) in spec.variants.iter().enumerate() {
        let message = &api.messages[*m];
        let ident = names::ident(variant);
        let ty = payload_type(*m);
        let doc = item_docs(None, &message.docs);
        let key = &message.key;
        let key_doc = format!(" Message `{key}`.");
        let doc = if message.docs.paragraphs().is_empty() {
            quote!(#[doc = #key_doc])
        } else {
            doc
        };
        variants.push(quote! {
            #doc
            #ident(#ty)
        });
        decode_arms.push(quote! {
            #index => <#ty as #rt::serde::Deserialize>::deserialize(deserializer).map(Self::#ident)
        });
        serialize_arms.push(quote! {
            Self::#ident(ref message) => #rt::serde::Serialize::serialize(message, serializer)
        });
        name_arms.push(quote!(Self::#ident(_) => #variant));
        let correlation = match &message.correlation {
            Some(correlation) => {
                if !correlation_paths.iter().any(|c| c.path == correlation.path) {
                    correlation_paths.push(correlation);
                }
                let tokens = correlation.tokens();
                quote!(::std::option::Option::Some(#tokens))
            }
            None => quote!(::std::option::Option::None),
        };
        correlation_arms.push(quote!(Self::#ident(_) => #correlation));
        // `From` only where the payload type is this variant's alone.
        let ty_text = ty.to_string();
        if all_types.iter().filter(|t| **t == ty_text).count() == 1 {
            from_impls.push(quote! {
                impl ::std::convert::From<#ty> for #name {
                    fn from(message: #ty) -> Self {
                        Self::#ident(message)
                    }
                }
            });
        }
        table_variants.push((variant.clone(), message.rules.clone()));
    }
    dispatch::prune(&mut table_variants);
    let selection = selection_items(&SelectionInput {
        enum_name: &spec.name,
        variants: table_variants,
    });
    let variant_names = spec.variants.iter().map(|(_, v)| v);
    let correlation_paths = correlation_paths.iter().map(|c| c.path_tokens());
    let enum_name = &spec.name;
    let enum_doc = doc_attrs(&[summary]);
    Ok(quote! {
        #enum_doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants,)*
        }

        impl #name {
            /// The names of the variants, in order.
            pub const VARIANTS: &'static [&'static str] = &[#(#variant_names),*];

            /// Decodes a text frame, choosing the variant by the values that
            /// discriminate the messages.
            pub fn from_json(frame: &str) -> ::std::result::Result<Self, #rt::dispatch::DecodeError> {
                #rt::dispatch::decode_str(frame, Self::__pick(frame), &Self::__SELECTION, |index, deserializer| {
                    Self::__decode(index, deserializer)
                })
            }

            /// Decodes an already-parsed JSON value, like [`Self::from_json`].
            pub fn from_value(
                value: &#rt::serde_json::Value,
            ) -> ::std::result::Result<Self, #rt::dispatch::DecodeError> {
                #rt::dispatch::decode_value(value, &Self::__SELECTION, |index, value| {
                    Self::__decode(index, value)
                })
            }

            /// Decodes the variant at `index`.
            fn __decode<'de, D>(index: usize, deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: #rt::serde::Deserializer<'de>,
            {
                match index {
                    #(#decode_arms,)*
                    _ => ::std::result::Result::Err(<D::Error as #rt::serde::de::Error>::custom("no such variant")),
                }
            }

            /// Encodes the message as a JSON text frame.
            pub fn to_json(&self) -> ::std::result::Result<::std::string::String, #rt::serde_json::Error> {
                #rt::serde_json::to_string(self)
            }

            /// The name of this message's variant.
            pub fn variant_name(&self) -> &'static str {
                match *self {
                    #(#name_arms,)*
                }
            }

            #selection
        }

        impl #rt::serde::Serialize for #name {
            fn serialize<S>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error>
            where
                S: #rt::serde::Serializer,
            {
                match *self {
                    #(#serialize_arms,)*
                }
            }
        }

        impl<'de> #rt::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: #rt::serde::Deserializer<'de>,
            {
                let value = <#rt::serde_json::Value as #rt::serde::Deserialize>::deserialize(deserializer)?;
                Self::from_value(&value).map_err(<D::Error as #rt::serde::de::Error>::custom)
            }
        }

        impl #rt::message::Message for #name {
            const ENUM_NAME: &'static str = #enum_name;
            const CORRELATION_PATHS: &'static [&'static [#rt::dispatch::Seg]] = &[#(#correlation_paths),*];

            fn from_json(frame: &str) -> ::std::result::Result<Self, #rt::dispatch::DecodeError> {
                Self::from_json(frame)
            }

            fn to_json(&self) -> ::std::result::Result<::std::string::String, #rt::serde_json::Error> {
                Self::to_json(self)
            }

            fn to_value(&self) -> ::std::result::Result<#rt::serde_json::Value, #rt::serde_json::Error> {
                #rt::serde_json::to_value(self)
            }

            fn variant_name(&self) -> &'static str {
                Self::variant_name(self)
            }

            fn correlation(&self) -> ::std::option::Option<#rt::message::Correlation> {
                match *self {
                    #(#correlation_arms,)*
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = #rt::dispatch::DecodeError;

            fn from_str(frame: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::from_json(frame)
            }
        }

        #(#from_impls)*
    })
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
            },
        ));
    }
    out
}
