//! typify's string types come with the same impls each: a string enum
//! (`enum Status { Ok, Error }` with serde renames) gets `Display`,
//! `FromStr` and two `TryFrom`s; a string that must match a `pattern` gets
//! `FromStr` (checking it), two `TryFrom`s and a `Deserialize` through
//! `FromStr`. Written out, that is forty to fifty lines a type; the
//! runtime's `string_enum!` and `pattern_string!` macros write them from
//! one line a value.

use super::compaction::{Impls, Replacements};
use proc_macro2::TokenStream;
use quote::quote;

/// typify's error type for conversions, as its impls name it.
fn error_type() -> TokenStream {
    quote!(self::error::ConversionError)
}

/// Replaces typify's impls of string enums and pattern strings among
/// `items` by one runtime macro call each. Impls that are not exactly
/// typify's are left alone (and then so are the others of that type).
pub(super) fn compact(items: &mut Vec<syn::Item>) {
    let impls = Impls::of(items);
    let find = |ty: &syn::Ident, expected: &TokenStream| impls.find(ty, expected);
    let mut replacements = Replacements::default();
    for item in items.iter() {
        let found = match item {
            syn::Item::Enum(e) => string_enum(e).and_then(|(values, call)| {
                let expected = enum_impls(&e.ident, &values);
                let at: Option<Vec<usize>> = expected.iter().map(|t| find(&e.ident, t)).collect();
                at.map(|at| (at, call))
            }),
            syn::Item::Struct(s) => pattern_of(s, &impls).and_then(|pattern| {
                let expected = pattern_impls(&s.ident, &pattern);
                let at: Option<Vec<usize>> = expected.iter().map(|t| find(&s.ident, t)).collect();
                let name = &s.ident;
                at.map(|at| (at, quote!(rt::pattern_string! { #name(#pattern) })))
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
    // The pattern is the first string literal of the `FromStr` impl that
    // builds a `Regex`; the whole impl is compared afterwards.
    let from_str = impls.for_type(&s.ident).iter().find_map(|(_, t)| {
        let text = t.to_string();
        (text.starts_with("impl :: std :: str :: FromStr for") && text.contains("Regex :: new"))
            .then_some(text)
    })?;
    let start = from_str.find("Regex :: new (")? + "Regex :: new (".len();
    let literal = from_str[start..].split(')').next()?;
    let lit: syn::LitStr = syn::parse_str(literal.trim()).ok()?;
    Some(lit.value())
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
        ]
        .into_iter()
        .map(|(name, json)| (name.to_string(), serde_json::from_value(json).unwrap()))
        .collect();
        space.add_ref_types(schemas).unwrap();
        let mut file = super::super::paths::through_runtime(space.to_stream()).unwrap();
        compact(&mut file.items);
        quote!(#file).to_string()
    }

    #[test]
    fn typify_string_types_become_macro_calls() {
        let out = typify_compacted();
        assert!(
            out.contains(r#"rt :: string_enum ! { Status { Ok = "ok" , Error = "error" } }"#),
            "{out}"
        );
        assert!(
            out.contains(r#"rt :: pattern_string ! { Pair ("^[A-Z]+/[A-Z]+$") }"#),
            "{out}"
        );
        assert!(!out.contains("FromStr for"), "{out}");
        assert!(!out.contains("TryFrom <"), "{out}");
    }
}
