//! The marker types of constant properties (`types::consts`), declared by
//! the runtime's `constant!` macro.
//!
//! A constant is named after where it sits and what it holds: a property
//! `action: {const: say}` gives `consts::ActionSay`, a tuple position
//! `2: {const: ticker}` gives `consts::TickerAt2`. Named after the value
//! alone, `types::Say { action: consts::Say }` reads as recursion and the
//! names of messages and constants collide; the same holds of the optional
//! flavour (absent or `null` accepted when read), which is told apart by
//! its documentation and, when both flavours of one constant exist, by a
//! number rather than by a name after the decoding rule.

use crate::names;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// A constant property's marker type.
pub(super) struct ConstType {
    pub(super) name: String,
    pub(super) value: Value,
    pub(super) required: bool,
}

/// The constants' unit structs: an invocation of the runtime's
/// `constant!` each, one line each.
pub(super) fn const_types<'a>(constants: impl Iterator<Item = &'a ConstType>) -> TokenStream {
    let items = constants.map(const_type);
    quote!(#(rt::constant!(#items);)*)
}

/// A constant's unit struct as `constant!` takes it.
fn const_type(constant: &ConstType) -> TokenStream {
    let ident = names::ident(&constant.name);
    let (kind, value) = match &constant.value {
        Value::Bool(b) => (quote!(bool), quote!(#b)),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                (quote!(i64), quote!(#i))
            } else if let Some(u) = n.as_u64() {
                (quote!(u64), quote!(#u))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                (quote!(f64), quote!(#f))
            }
        }
        Value::String(s) => (quote!(str), quote!(#s)),
        // Only scalars are constants.
        Value::Null | Value::Array(_) | Value::Object(_) => (quote!(null), quote!(())),
    };
    let optional = (!constant.required).then(|| quote!(, optional));
    quote!(pub struct #ident: #kind = #value #optional)
}
