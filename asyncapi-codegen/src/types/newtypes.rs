//! typify's newtypes (`pub struct BookLevel(pub (String, String, String));`)
//! come with the same three impls each: `Deref` to the inner type, `From`
//! the newtype into it, and (when any value will do) `From` the inner type.
//! Written out, that is about thirty lines a type; the runtime's
//! `newtype!` macro writes them from one line.

use super::compaction::{Impls, Replacements};
use proc_macro2::TokenStream;
use quote::quote;

/// Replaces, for every tuple struct of one field among `items`, typify's
/// `Deref`/`From` impls by one `rt::newtype!` call. Impls that are not
/// exactly typify's (anything else in their bodies) are left alone.
pub(super) fn compact(items: &mut Vec<syn::Item>) {
    let newtypes: Vec<(syn::Ident, syn::Type)> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if s.generics.params.is_empty() => match &s.fields {
                syn::Fields::Unnamed(fields) if fields.unnamed.len() == 1 => {
                    Some((s.ident.clone(), fields.unnamed[0].ty.clone()))
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    if newtypes.is_empty() {
        return;
    }
    let impls = Impls::of(items);
    let mut replacements = Replacements::default();
    for (name, inner) in newtypes {
        let deref = quote! {
            impl ::std::ops::Deref for #name {
                type Target = #inner;
                fn deref(&self) -> &#inner {
                    &self.0
                }
            }
        };
        let out = quote! {
            impl ::std::convert::From<#name> for #inner {
                fn from(value: #name) -> Self {
                    value.0
                }
            }
        };
        let into = quote! {
            impl ::std::convert::From<#inner> for #name {
                fn from(value: #inner) -> Self {
                    Self(value)
                }
            }
        };
        let (Some(d), Some(o)) = (impls.find(&deref), impls.find(&out)) else {
            continue;
        };
        let i = impls.find(&into);
        let call: TokenStream = match i {
            Some(_) => quote!(rt::newtype! { #name(#inner), from }),
            None => quote!(rt::newtype! { #name(#inner) }),
        };
        replacements.replace([Some(d), Some(o), i].into_iter().flatten().collect(), call);
    }
    replacements.apply(items);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `file` compacted, as typify's output is (its impls still tokens),
    /// its impls parsed afterwards.
    fn compacted(file: TokenStream) -> String {
        let mut items = super::super::typify_items::items(file).unwrap();
        compact(&mut items);
        super::super::typify_items::parse_impls(&mut items).unwrap();
        quote!(#(#items)*).to_string()
    }

    #[test]
    fn the_three_impls_become_one_call() {
        let out = compacted(quote! {
            pub struct Level(pub (u8, u8));
            impl ::std::ops::Deref for Level {
                type Target = (u8, u8);
                fn deref(&self) -> &(u8, u8) { &self.0 }
            }
            impl ::std::convert::From<Level> for (u8, u8) {
                fn from(value: Level) -> Self { value.0 }
            }
            impl ::std::convert::From<(u8, u8)> for Level {
                fn from(value: (u8, u8)) -> Self { Self(value) }
            }
            pub struct Checked(String);
            impl ::std::ops::Deref for Checked {
                type Target = String;
                fn deref(&self) -> &String { &self.0 }
            }
            impl ::std::convert::From<Checked> for String {
                fn from(value: Checked) -> Self { value.0 }
            }
            impl ::std::convert::TryFrom<String> for Checked {
                type Error = ();
                fn try_from(value: String) -> Result<Self, ()> { Ok(Self(value)) }
            }
        });
        let want = quote! {
            pub struct Level(pub (u8, u8));
            rt::newtype! { Level((u8, u8)), from }
            pub struct Checked(String);
            rt::newtype! { Checked(String) }
            impl ::std::convert::TryFrom<String> for Checked {
                type Error = ();
                fn try_from(value: String) -> Result<Self, ()> { Ok(Self(value)) }
            }
        }
        .to_string();
        assert_eq!(out, want);
    }

    #[test]
    fn impls_that_do_more_are_kept() {
        let source = quote! {
            pub struct Level(u8);
            impl ::std::ops::Deref for Level {
                type Target = u8;
                fn deref(&self) -> &u8 { println!("hi"); &self.0 }
            }
            impl ::std::convert::From<Level> for u8 {
                fn from(value: Level) -> Self { value.0 }
            }
        };
        let want = {
            let file: syn::File = syn::parse2(source.clone()).unwrap();
            let items = file.items;
            quote!(#(#items)*).to_string()
        };
        assert_eq!(compacted(source), want);
    }
}
