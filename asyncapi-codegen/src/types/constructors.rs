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
/// generated `types` module).
pub(super) fn constructors(items: &[syn::Item]) -> TokenStream {
    let impls = items.iter().filter_map(|item| match item {
        syn::Item::Struct(item) => constructor(item),
        _ => None,
    });
    quote!(#(#impls)*)
}

fn constructor(item: &syn::ItemStruct) -> Option<TokenStream> {
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
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for field in &fields {
        match field {
            Field::Required(ident, ty) => {
                params.push(quote!(#ident: #ty));
                inits.push(quote!(#ident));
            }
            Field::Constant(ident, ty) => inits.push(quote!(#ident: #ty)),
            Field::Option(ident, ty) => {
                inits.push(quote!(#ident: ::std::option::Option::None));
                let setter = setter_name(ident);
                let doc = format!(" Sets `{}`.", unraw(ident));
                setters.push(quote! {
                    #[doc = #doc]
                    pub fn #setter(mut self, value: #ty) -> Self {
                        self.#ident = ::std::option::Option::Some(value);
                        self
                    }
                });
            }
            Field::Defaulted(ident, ty) => {
                inits.push(quote!(#ident: ::std::default::Default::default()));
                let setter = setter_name(ident);
                let doc = format!(" Sets `{}`.", unraw(ident));
                setters.push(quote! {
                    #[doc = #doc]
                    pub fn #setter(mut self, value: #ty) -> Self {
                        self.#ident = value;
                        self
                    }
                });
            }
        }
    }
    let doc = if setters.is_empty() {
        format!(" A `{name}` from its fields; constants are filled in.")
    } else {
        format!(
            " A `{name}` from its required fields; constants are filled in, optional fields \
             set with the `with_*` methods."
        )
    };
    Some(quote! {
        impl #name {
            #[doc = #doc]
            pub fn new(#(#params),*) -> Self {
                #name { #(#inits),* }
            }

            #(#setters)*
        }
    })
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
        let item: syn::Item = syn::parse_quote! {
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
        };
        let file: syn::File = syn::parse2(constructors(&[item])).unwrap();
        let syn::Item::Impl(imp) = &file.items[0] else {
            panic!("an impl block")
        };
        let signatures: Vec<String> = imp
            .items
            .iter()
            .map(|item| match item {
                syn::ImplItem::Fn(f) => {
                    let sig = &f.sig;
                    quote!(#sig).to_string()
                }
                _ => panic!("only methods"),
            })
            .collect();
        assert_eq!(
            signatures,
            [
                "fn new (r#type : Kind) -> Self",
                "fn with_pair (mut self , value : :: std :: vec :: Vec < :: std :: string :: String >) -> Self",
                "fn with_reqid (mut self , value : u64) -> Self",
                "fn with_extra (mut self , value : :: std :: collections :: HashMap < :: std :: string :: String , Value >) -> Self",
            ]
        );
        let syn::ImplItem::Fn(new) = &imp.items[0] else {
            unreachable!()
        };
        let body = new.block.to_token_stream().to_string();
        assert!(body.contains("event : consts :: Subscribe"), "{body}");
        assert!(
            body.contains("reqid : :: std :: option :: Option :: None"),
            "{body}"
        );
    }
}
