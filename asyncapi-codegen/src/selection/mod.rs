//! Frame selection as code: from the discriminating rules of the messages
//! of an enum ([`crate::dispatch`]), the functions that decide which
//! message a frame is.
//!
//! - `__pick(frame) -> u64`: the messages (bit `i` for variant `i`) to
//!   decode, in order, from the few places that tell them apart: an object
//!   frame's members by key; an array frame's elements from its end, then
//!   from its start (`pick` and `array`). Each place is a `match` on what
//!   is there (`place`): string values are the arms of a `match` on `&str`,
//!   as serde's derive matches keys; patterns, lengths and keys are tests
//!   in the arms. Places the pick does not read leave every message
//!   possible, except where decoding alone could take a message wrongly
//!   (see `needs`).
//! - `__check(checker, index)`: every rule of one message, for the slow
//!   path and for errors (see `asyncapi_runtime::dispatch::Checker`).
//! - `__SELECTION`: what the runtime's slow path needs.
//!
//! The runtime tries the picked messages in declaration order and falls
//! back to the slow path; both give the first message in declaration order
//! that passes its tests and decodes (see `asyncapi_runtime::dispatch`).

mod array;
mod check;
mod needs;
mod patterns;
mod pick;
mod place;
#[cfg(test)]
mod tests;

use crate::dispatch::{Rule, Seg};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

/// The messages of one enum, for its selection code.
pub struct SelectionInput<'a> {
    /// The enum's name.
    pub enum_name: &'a str,
    /// Per variant: its name and rules (after [`crate::dispatch::prune`]).
    pub variants: Vec<(String, Vec<Rule>)>,
}

/// The most messages a pick tells apart (one bit each in a `u64`); enums
/// with more take the slow path.
const MAX_PICKED: usize = 64;

/// The items, inside the enum's `impl`: `__pick`, `__check`, `__SELECTION`
/// and the pattern functions they share.
pub fn selection_items(input: &SelectionInput<'_>) -> TokenStream {
    let rt = quote!(rt::dispatch);
    let mut patterns = patterns::Patterns::default();
    let check = check::check_fn(input, &mut patterns);
    let pick = if input.variants.len() <= MAX_PICKED {
        pick::pick_fn(input, &mut patterns)
    } else {
        quote! {
            fn __pick(_frame: &str) -> u64 {
                0
            }
        }
    };
    let enum_name = input.enum_name;
    let names = input.variants.iter().map(|(name, _)| name);
    let mut places: Vec<&[Seg]> = Vec::new();
    for rule in input.variants.iter().flat_map(|(_, rules)| rules) {
        if !rule.path.is_empty() && !places.contains(&rule.path.as_slice()) {
            places.push(&rule.path);
        }
    }
    let places = places.iter().map(|path| path_tokens(path, false));
    let pattern_fns = patterns.items();
    quote! {
        const __SELECTION: #rt::Selection = #rt::Selection {
            enum_name: #enum_name,
            variants: &[#(#names),*],
            places: &[#(#places),*],
            check: Self::__check,
        };

        #pick
        #check
        #(#pattern_fns)*
    }
}

/// A path: `&[Seg::Key("event")]`, or `&[Key("event")]` where `Seg::*` is
/// in scope (`short`).
fn path_tokens(path: &[Seg], short: bool) -> TokenStream {
    let seg = if short {
        quote!()
    } else {
        quote!(rt::dispatch::Seg::)
    };
    let segs = path.iter().map(|s| match s {
        Seg::Key(k) => quote!(#seg Key(#k)),
        Seg::Index(i) => quote!(#seg Index(#i)),
    });
    quote!(&[#(#segs),*])
}

/// A JSON scalar as a `Lit` (in scope where this is used).
fn lit(value: &Value) -> TokenStream {
    match value {
        Value::Bool(b) => quote!(Lit::Bool(#b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                quote!(Lit::Int(#i))
            } else if let Some(u) = n.as_u64() {
                quote!(Lit::UInt(#u))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                quote!(Lit::Float(#f))
            }
        }
        Value::String(s) => quote!(Lit::Str(#s)),
        // Only scalars are discriminating values.
        Value::Null | Value::Array(_) | Value::Object(_) => quote!(Lit::Null),
    }
}

fn kind_ident(kind: &str) -> proc_macro2::Ident {
    format_ident!(
        "{}",
        match kind {
            "object" => "Object",
            "array" => "Array",
            "string" => "String",
            "number" => "Number",
            "boolean" => "Bool",
            _ => "Null",
        }
    )
}

/// A bit mask as a binary literal (one bit per variant).
fn mask(bits: u64) -> TokenStream {
    let lit = syn::LitInt::new(&format!("{bits:#b}"), Span::call_site());
    quote!(#lit)
}
