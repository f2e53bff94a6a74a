//! typify's string types come with the same impls each: a string enum
//! (`enum Status { Ok, Error }` with serde renames) gets `Display`,
//! `FromStr` and two `TryFrom`s; a string that must match a `pattern` gets
//! `FromStr` (checking it), two `TryFrom`s and a `Deserialize` through
//! `FromStr`. Written out, that is forty to fifty lines a type; the
//! runtime's `string_enum!` and `pattern_string!` macros write them from
//! one line a value. Where the type carries exactly typify's usual derives
//! and serde attributes (and, for a pattern string, the `newtype!` call),
//! the macro declares the type too, from its docs, name and values: about
//! fifteen lines less a type once formatted.

use super::compaction::{same, text, Impls, Replacements};
use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, ToTokens};
use std::collections::HashMap;

/// typify's error type for conversions, as its impls name it.
fn error_type() -> TokenStream {
    quote!(self::error::ConversionError)
}

/// Replaces typify's impls of string enums and pattern strings among
/// `items` by one runtime macro call each. Impls that are not exactly
/// typify's are left alone (and then so are the others of that type).
pub(super) fn compact(items: &mut Vec<syn::Item>) {
    let impls = Impls::of(items);
    let mut replacements = Replacements::default();
    let newtype_calls = newtype_calls(items);
    for (index, item) in items.iter().enumerate() {
        let found = match item {
            syn::Item::Enum(e) => string_enum(e).and_then(|(values, call)| {
                let expected = enum_impls(&e.ident, &values);
                let mut at: Option<Vec<usize>> = expected.iter().map(|t| impls.find(t)).collect();
                let call = match (declared_enum(e, &values), &mut at) {
                    (Some(declared), Some(at)) => {
                        at.push(index);
                        declared
                    }
                    _ => call,
                };
                at.map(|at| (at, call))
            }),
            syn::Item::Struct(s) => pattern_of(s, &impls).and_then(|pattern| {
                let expected = pattern_impls(&s.ident, &pattern);
                let mut at: Option<Vec<usize>> = expected.iter().map(|t| impls.find(t)).collect();
                let name = &s.ident;
                let newtype = newtype_calls.get(&name.to_string()).copied().filter(|&at| {
                    let expected = quote!(rt::newtype! { #name(::std::string::String) });
                    same(items[at].to_token_stream(), expected)
                });
                let call = match (declared_pattern(s, &pattern), newtype, &mut at) {
                    (Some(declared), Some(newtype), Some(at)) => {
                        at.extend([index, newtype]);
                        declared
                    }
                    _ => quote!(rt::pattern_string! { #name(#pattern) }),
                };
                at.map(|at| (at, call))
            }),
            _ => None,
        };
        if let Some((at, call)) = found {
            replacements.replace(at, call);
        }
    }
    replacements.apply(items);
}

/// A unit-only enum whose every variant is renamed to its string by serde:
/// the values, and the `string_enum!` call.
fn string_enum(e: &syn::ItemEnum) -> Option<(Vec<(syn::Ident, String)>, TokenStream)> {
    if !e.generics.params.is_empty() || e.variants.is_empty() {
        return None;
    }
    let mut values = Vec::new();
    for variant in &e.variants {
        if !matches!(variant.fields, syn::Fields::Unit) || variant.discriminant.is_some() {
            return None;
        }
        let value = super::fields::serde_rename(&variant.attrs)
            .unwrap_or_else(|| variant.ident.to_string());
        values.push((variant.ident.clone(), value));
    }
    let name = &e.ident;
    let entries = values.iter().map(|(v, s)| quote!(#v = #s));
    Some((
        values.clone(),
        quote!(rt::string_enum! { #name { #(#entries),* } }),
    ))
}

/// The docs of an item or variant, if its other attributes are exactly
/// `expected` (in any order).
fn docs_besides(attrs: &[syn::Attribute], expected: &[TokenStream]) -> Option<Vec<TokenStream>> {
    let mut docs = Vec::new();
    let mut others = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("doc") {
            docs.push(quote!(#attr));
        } else {
            others.push(quote!(#attr));
        }
    }
    let all_expected = others.len() == expected.len()
        && others
            .iter()
            .all(|a| expected.iter().any(|e| same(a.clone(), e.clone())));
    all_expected.then_some(docs)
}

/// `rt::string_enum!` declaring the enum too, if it has typify's usual
/// derives and serde attributes and its variants only docs and renames.
fn declared_enum(e: &syn::ItemEnum, values: &[(syn::Ident, String)]) -> Option<TokenStream> {
    let expected = [
        quote!(#[derive(rt::serde::Deserialize, rt::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]),
        quote!(#[serde(crate = "rt::serde")]),
    ];
    let docs = docs_besides(&e.attrs, &expected)?;
    let mut variants = Vec::new();
    for (variant, (ident, value)) in e.variants.iter().zip(values) {
        let rename = quote!(#[serde(rename = #value)]);
        let renamed = docs_besides(&variant.attrs, std::slice::from_ref(&rename));
        let vdocs = renamed.or_else(|| {
            (*ident == value.as_str())
                .then(|| docs_besides(&variant.attrs, &[]))
                .flatten()
        })?;
        variants.push(quote!(#(#vdocs)* #ident = #value));
    }
    let (vis, name) = (&e.vis, &e.ident);
    Some(quote!(
        rt::string_enum! { #(#docs)* #vis enum #name { #(#variants),* } }
    ))
}

/// `rt::pattern_string!` declaring the `String` newtype too, if it has
/// typify's usual derives and serde attributes and a private field.
fn declared_pattern(s: &syn::ItemStruct, pattern: &str) -> Option<TokenStream> {
    let expected = [
        quote!(#[derive(rt::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]),
        quote!(#[serde(transparent)]),
        quote!(#[serde(crate = "rt::serde")]),
    ];
    let docs = docs_besides(&s.attrs, &expected)?;
    let syn::Fields::Unnamed(fields) = &s.fields else {
        return None;
    };
    let private = fields
        .unnamed
        .iter()
        .all(|f| f.attrs.is_empty() && matches!(f.vis, syn::Visibility::Inherited));
    let (vis, name) = (&s.vis, &s.ident);
    private.then(|| quote!(rt::pattern_string! { #(#docs)* #vis struct #name(#pattern); }))
}

/// Where the `rt::newtype!` calls stand among `items`, by the name of
/// their type (the first token of their body).
fn newtype_calls(items: &[syn::Item]) -> HashMap<String, usize> {
    let mut calls = HashMap::new();
    for (at, item) in items.iter().enumerate() {
        let syn::Item::Macro(m) = item else { continue };
        let newtype = m.mac.path.segments.last().map(|s| &s.ident);
        if newtype.is_none_or(|ident| ident != "newtype") {
            continue;
        }
        if let Some(TokenTree::Ident(name)) = m.mac.tokens.clone().into_iter().next() {
            calls.insert(name.to_string(), at);
        }
    }
    calls
}

/// typify's impls of a string enum.
fn enum_impls(name: &syn::Ident, values: &[(syn::Ident, String)]) -> Vec<TokenStream> {
    let error = error_type();
    let display = values
        .iter()
        .map(|(v, s)| quote!(Self::#v => f.write_str(#s)));
    let parse = values.iter().map(|(v, s)| quote!(#s => Ok(Self::#v)));
    vec![
        quote! {
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self {
                        #(#display,)*
                    }
                }
            }
        },
        quote! {
            impl ::std::str::FromStr for #name {
                type Err = #error;
                fn from_str(value: &str) -> ::std::result::Result<Self, #error> {
                    match value {
                        #(#parse,)*
                        _ => Err("invalid value".into()),
                    }
                }
            }
        },
        try_from(name, quote!(&str)),
        try_from(name, quote!(::std::string::String)),
    ]
}

/// typify's `TryFrom<source>` through `FromStr`.
fn try_from(name: &syn::Ident, source: TokenStream) -> TokenStream {
    let error = error_type();
    quote! {
        impl ::std::convert::TryFrom<#source> for #name {
            type Error = #error;
            fn try_from(value: #source) -> ::std::result::Result<Self, #error> {
                value.parse()
            }
        }
    }
}

/// The pattern of a `String` newtype whose `FromStr` only checks one.
fn pattern_of(s: &syn::ItemStruct, impls: &Impls) -> Option<String> {
    let syn::Fields::Unnamed(fields) = &s.fields else {
        return None;
    };
    let [field] = fields.unnamed.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let ty = &field.ty;
    if quote!(#ty).to_string() != quote!(::std::string::String).to_string() {
        return None;
    }
    // The pattern is the string literal `Regex::new` is called with in
    // the `FromStr` impl; the whole impl is compared afterwards.
    let from_str = impls.for_type(&s.ident).into_iter().find(|(_, t)| {
        let tokens: Vec<TokenTree> = (*t).clone().into_iter().collect();
        text(&tokens, true).starts_with("impl : : std : : str : : FromStr for ")
    })?;
    regex_literal(from_str.1.clone())
}

/// The string `Regex::new(…)` is called with among `tokens`, groups
/// included.
fn regex_literal(tokens: TokenStream) -> Option<String> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    tokens
        .iter()
        .enumerate()
        .find_map(|(i, token)| match token {
            TokenTree::Group(group) => regex_literal(group.stream()),
            TokenTree::Ident(ident) if ident == "Regex" => match tokens.get(i + 1..i + 5)? {
                [TokenTree::Punct(_), TokenTree::Punct(_), TokenTree::Ident(new), TokenTree::Group(args)]
                    if new == "new" =>
                {
                    let first = args.stream().into_iter().next()?;
                    let lit: syn::LitStr = syn::parse2(first.into()).ok()?;
                    Some(lit.value())
                }
                _ => None,
            },
            _ => None,
        })
}

/// typify's impls of a pattern string.
fn pattern_impls(name: &syn::Ident, pattern: &str) -> Vec<TokenStream> {
    let error = error_type();
    let message = format!("doesn't match pattern {pattern:?}");
    vec![
        quote! {
            impl ::std::str::FromStr for #name {
                type Err = #error;
                fn from_str(value: &str) -> ::std::result::Result<Self, #error> {
                    static PATTERN: ::std::sync::LazyLock<rt::regress::Regex> =
                        ::std::sync::LazyLock::new(|| { rt::regress::Regex::new(#pattern).unwrap() });
                    if PATTERN.find(value).is_none() {
                        return Err(#message.into());
                    }
                    Ok(Self(value.to_string()))
                }
            }
        },
        try_from(name, quote!(&str)),
        try_from(name, quote!(::std::string::String)),
        quote! {
            impl<'de> rt::serde::Deserialize<'de> for #name {
                fn deserialize<D>(deserializer: D,) -> ::std::result::Result<Self, D::Error>
                where
                    D: rt::serde::Deserializer<'de>,
                {
                    ::std::string::String::deserialize(deserializer)?
                        .parse()
                        .map_err(|e: #error| {
                            <D::Error as rt::serde::de::Error>::custom(e.to_string(),)
                        })
                }
            }
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// typify's own output for a string enum and a pattern string, compacted.
    fn typify_compacted() -> String {
        let mut space = typify::TypeSpace::new(&typify::TypeSpaceSettings::default());
        let schemas: Vec<(String, schemars::schema::Schema)> = [
            (
                "Status",
                serde_json::json!({"type": "string", "enum": ["ok", "error"]}),
            ),
            (
                "Pair",
                serde_json::json!({"type": "string", "pattern": "^[A-Z]+/[A-Z]+$"}),
            ),
            (
                "Depth",
                serde_json::json!({"type": "string", "pattern": "^book-(10|25)$"}),
            ),
        ]
        .into_iter()
        .map(|(name, json)| (name.to_string(), serde_json::from_value(json).unwrap()))
        .collect();
        space.add_ref_types(schemas).unwrap();
        let mut items = super::super::typify_items::items(space.to_stream()).unwrap();
        super::super::newtypes::compact(&mut items);
        compact(&mut items);
        super::super::typify_items::parse_impls(&mut items).unwrap();
        quote!(#(#items)*).to_string()
    }

    #[test]
    fn types_with_other_attributes_keep_their_declaration() {
        let mut items = super::super::typify_items::items(quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Default)]
            pub enum Side {
                #[serde(rename = "buy")]
                #[default]
                Buy,
            }
            impl ::std::fmt::Display for Side {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self { Self::Buy => f.write_str("buy"), }
                }
            }
            impl ::std::str::FromStr for Side {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    match value { "buy" => Ok(Self::Buy), _ => Err("invalid value".into()), }
                }
            }
            impl ::std::convert::TryFrom<&str> for Side {
                type Error = self::error::ConversionError;
                fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> { value.parse() }
            }
            impl ::std::convert::TryFrom<::std::string::String> for Side {
                type Error = self::error::ConversionError;
                fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, self::error::ConversionError> { value.parse() }
            }
        })
        .unwrap();
        compact(&mut items);
        super::super::typify_items::parse_impls(&mut items).unwrap();
        let out = quote!(#(#items)*).to_string();
        assert!(out.contains("pub enum Side"), "{out}");
        assert!(out.contains("Default"), "{out}");
        assert!(
            out.contains(r#"rt :: string_enum ! { Side { Buy = "buy" } }"#),
            "{out}"
        );
    }

    #[test]
    fn typify_string_types_become_macro_calls() {
        let out = typify_compacted();
        // With typify's usual derives, the macros declare the types too.
        assert!(
            out.contains(r#"rt :: string_enum ! { # [doc = "`Status`"] pub enum Status { Ok = "ok" , Error = "error" } }"#),
            "{out}"
        );
        assert!(
            out.contains(r#"rt :: pattern_string ! { # [doc = "`Pair`"] pub struct Pair ("^[A-Z]+/[A-Z]+$") ; }"#),
            "{out}"
        );
        // A pattern with parentheses too.
        assert!(
            out.contains(r#"pub struct Depth ("^book-(10|25)$") ; }"#),
            "{out}"
        );
        for gone in ["FromStr for", "TryFrom <", "derive", "newtype"] {
            assert!(!out.contains(gone), "{gone}: {out}");
        }
    }
}
