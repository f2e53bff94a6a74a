//! Easy construction of the generated structs: `X::new(required…)` over the
//! required fields whose value is not fixed (constants are filled in,
//! optional fields left out), and a `with_<field>` method per optional field,
//! builder style: `types::Subscribe::new(subscription).with_reqid(7)`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How a field is filled in.
enum Field<'a> {
    /// A constructor parameter.
    Required(&'a syn::Ident, &'a syn::Type),
    /// A constant's marker type (`consts::X`), always the same value.
    Constant(&'a syn::Ident, &'a syn::Type),
    /// An `Option<T>`: `None` until `with_<field>(T)`.
    Option(&'a syn::Ident, &'a syn::Type),
    /// A field serde defaults when absent: its default until
    /// `with_<field>(value)`.
    Defaulted(&'a syn::Ident, &'a syn::Type),
}

/// The constructors of every struct with named fields among `items` (the
/// generated `types` module), through the runtime's `constructors!` macro.
/// Structs whose every field is optional or fixed also derive `Default`.
pub(super) fn constructors(items: &mut [syn::Item]) -> TokenStream {
    let impls: Vec<TokenStream> = items
        .iter_mut()
        .filter_map(|item| match item {
            syn::Item::Struct(item) => constructor(item),
            _ => None,
        })
        .collect();
    quote!(#(#impls)*)
}

fn constructor(item: &mut syn::ItemStruct) -> Option<TokenStream> {
    let syn::Fields::Named(named) = &item.fields else {
        return None;
    };
    if !item.generics.params.is_empty() {
        return None;
    }
    let fields: Vec<Field<'_>> = named
        .named
        .iter()
        .map(|field| {
            let ident = field.ident.as_ref().expect("named fields have names");
            let ty = &field.ty;
            if let Some(inner) = option_inner(ty) {
                Field::Option(ident, inner)
            } else if is_constant(ty) {
                Field::Constant(ident, ty)
            } else if serde_default(&field.attrs) || flattened_map(field) {
                Field::Defaulted(ident, ty)
            } else {
                Field::Required(ident, ty)
            }
        })
        .collect();
    let name = &item.ident;
    let mut params = Vec::new();
    let mut fixed = Vec::new();
    let mut optional = Vec::new();
    let mut defaulted = Vec::new();
    for field in &fields {
        match field {
            Field::Required(ident, ty) => params.push(quote!(#ident: #ty)),
            Field::Constant(ident, ty) => fixed.push(quote!(#ident: #ty)),
            Field::Option(ident, ty) => {
                let setter = setter_name(ident);
                optional.push(quote!(#ident / #setter: #ty));
            }
            Field::Defaulted(ident, ty) => {
                let setter = setter_name(ident);
                defaulted.push(quote!(#ident / #setter: #ty));
            }
        }
    }
    let all_optional = fields
        .iter()
        .all(|f| matches!(f, Field::Option(..) | Field::Constant(..)));
    let group = |name: &str, entries: &[TokenStream]| {
        let name = format_ident!("{name}");
        (!entries.is_empty()).then(|| quote!(#name { #(#entries),* }))
    };
    let (fixed, optional, defaulted) = (
        group("fixed", &fixed),
        group("optional", &optional),
        group("defaulted", &defaulted),
    );
    let tokens = quote! {
        rt::constructors! {
            #name(#(#params),*)
            #fixed
            #optional
            #defaulted
        }
    };
    if all_optional && !fields.is_empty() {
        derive_default(item);
    }
    Some(tokens)
}

/// Adds `Default` to a struct's `#[derive(...)]`.
fn derive_default(item: &mut syn::ItemStruct) {
    for attr in &mut item.attrs {
        if !attr.path().is_ident("derive") {
            continue;
        }
        if let syn::Meta::List(list) = &mut attr.meta {
            if list
                .tokens
                .to_string()
                .split(',')
                .any(|d| d.trim().ends_with("Default"))
            {
                return;
            }
            let tokens = &list.tokens;
            list.tokens = quote!(#tokens, Default);
            return;
        }
    }
}

/// The `T` of a field of type `::std::option::Option<T>`.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a field's type is a constant's marker type (`consts::X`).
fn is_constant(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(path)
        if path.qself.is_none()
            && path.path.segments.len() == 2
            && path.path.segments[0].ident == "consts")
}

/// Whether serde fills the field in when it is absent (`#[serde(default)]`).
fn serde_default(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let mut found = false;
        if attr.path().is_ident("serde") {
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("default") {
                    found = true;
                }
                // Skip the value of `key = value` members.
                if meta.input.peek(syn::Token![=]) {
                    let _: syn::Expr = meta.value()?.parse()?;
                }
                Ok(())
            });
        }
        found
    })
}

/// Whether a field is a map of the members no property names
/// (`#[serde(flatten)]`), which starts empty.
fn flattened_map(field: &syn::Field) -> bool {
    let flatten = field.attrs.iter().any(|attr| {
        let mut found = false;
        if attr.path().is_ident("serde") {
            let _ = attr.parse_nested_meta(|meta| {
                found |= meta.path.is_ident("flatten");
                Ok(())
            });
        }
        found
    });
    let map = matches!(&field.ty, syn::Type::Path(path)
        if path.path.segments.last().is_some_and(|s| s.ident.to_string().ends_with("Map")));
    flatten && map
}

/// A field's name without `r#`.
fn unraw(ident: &syn::Ident) -> String {
    let text = ident.to_string();
    text.strip_prefix("r#").map(str::to_string).unwrap_or(text)
}

fn setter_name(ident: &syn::Ident) -> syn::Ident {
    format_ident!("with_{}", unraw(ident))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    #[test]
    fn constructors_take_the_required_fields_and_set_the_others() {
        let mut items: Vec<syn::Item> = vec![syn::parse_quote! {
            pub struct Subscribe {
                pub event: consts::Subscribe,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub pair: ::std::vec::Vec<::std::string::String>,
                #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                pub reqid: ::std::option::Option<u64>,
                pub r#type: Kind,
                #[serde(flatten)]
                pub extra: ::std::collections::HashMap<::std::string::String, Value>,
            }
        }];
        let call = constructors(&mut items).to_string();
        assert_eq!(
            call,
            quote! {
                rt::constructors! {
                    Subscribe(r#type: Kind)
                    fixed { event: consts::Subscribe }
                    optional { reqid / with_reqid: u64 }
                    defaulted {
                        pair / with_pair: ::std::vec::Vec<::std::string::String>,
                        extra / with_extra: ::std::collections::HashMap<::std::string::String, Value>
                    }
                }
            }
            .to_string()
        );
        let derive = items[0].to_token_stream().to_string();
        assert!(!derive.contains("Default"), "{derive}");
    }

    #[test]
    fn structs_of_optional_fields_derive_default() {
        let mut items: Vec<syn::Item> = vec![syn::parse_quote! {
            #[derive(Clone, Debug)]
            pub struct Options {
                pub event: consts::Subscribe,
                pub reqid: ::std::option::Option<u64>,
            }
        }];
        constructors(&mut items);
        let derive = items[0].to_token_stream().to_string();
        assert!(
            derive.contains("derive (Clone , Debug , Default)"),
            "{derive}"
        );
    }
}
