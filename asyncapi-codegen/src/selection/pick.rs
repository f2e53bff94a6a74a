//! `__pick`: by the frame's first byte, the pick of an object frame (its
//! members by key, then its keys) or of an array frame ([`super::array`]).

use super::needs::{trim, Needs};
use super::patterns::Patterns;
use super::place::{place_mask, AtPlace, Presence};
use super::{array, mask, SelectionInput};
use crate::dispatch::{Rule, Seg, Test};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `__pick`.
pub(super) fn pick_fn(input: &SelectionInput<'_>, patterns: &mut Patterns) -> TokenStream {
    let rt = quote!(rt::dispatch);
    let root_kind = |rules: &[Rule]| {
        rules
            .iter()
            .find_map(|r| match (&r.test, r.path.is_empty()) {
                (Test::Kind(kind), true) => Some(*kind),
                _ => None,
            })
    };
    let mut objects = 0u64;
    let mut arrays = 0u64;
    let mut others = 0u64;
    for (i, (_, rules)) in input.variants.iter().enumerate() {
        match root_kind(rules) {
            Some("object") => objects |= 1 << i,
            Some("array") => arrays |= 1 << i,
            Some(_) => others |= 1 << i,
            None => {
                objects |= 1 << i;
                arrays |= 1 << i;
                others |= 1 << i;
            }
        }
    }
    let object = object_pick(input, objects, patterns);
    let array = array::array_pick(input, arrays, patterns);
    // A scalar frame: nothing to read.
    let unread = Needs::new(&input.variants, others).unread();
    let others = mask(trim(others, unread));
    let uses = (object.to_string() + &array.to_string())
        .contains("Val ::")
        .then(|| quote!(use #rt::Val;));
    quote! {
        /// The variants to decode a text frame as, in order, from the values
        /// that tell them apart (bit `i` for variant `i`).
        fn __pick(frame: &str) -> u64 {
            #uses
            match #rt::first_byte(frame) {
                b'{' => #object,
                b'[' => #array,
                _ => #others,
            }
        }
    }
}

/// The keys asked about an object, in order of first use: those with value
/// tests (the first `valued`), then those only the structure names.
fn asked_keys(variants: &[(String, Vec<Rule>)], scope: u64) -> (Vec<&str>, usize) {
    let in_scope = |i: usize| scope & (1 << i) != 0;
    let mut keys: Vec<&str> = Vec::new();
    for (i, (_, rules)) in variants.iter().enumerate() {
        for rule in rules.iter().filter(|_| in_scope(i)) {
            if let [Seg::Key(k)] = rule.path.as_slice() {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
    }
    let valued = keys.len();
    for (i, (_, rules)) in variants.iter().enumerate() {
        for rule in rules.iter().filter(|r| in_scope(i) && r.path.is_empty()) {
            let named: Vec<&String> = match &rule.test {
                Test::Has(k) => vec![k],
                Test::Closed(ks) => ks.iter().collect(),
                _ => vec![],
            };
            for k in named {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
    }
    (keys, valued)
}

/// The pick of an object frame: its members by key, then its keys.
fn object_pick(input: &SelectionInput<'_>, scope: u64, patterns: &mut Patterns) -> TokenStream {
    let rt = quote!(rt::dispatch);
    let in_scope = |i: usize| scope & (1 << i) != 0;
    let mut needs = Needs::new(&input.variants, scope);
    let (keys, valued) = asked_keys(&input.variants, scope);
    if keys.is_empty() || keys.len() > 64 {
        return mask(trim(scope, needs.unread()));
    }
    needs.read_members();
    let unread = needs.unread();
    let mut steps = Vec::new();
    let idents: Vec<_> = (0..keys.len())
        .map(|j| {
            if j < valued {
                format_ident!("v{}", j)
            } else {
                format_ident!("_")
            }
        })
        .collect();
    for (j, key) in keys.iter().take(valued).enumerate() {
        let here: Vec<AtPlace> = input
            .variants
            .iter()
            .enumerate()
            .filter(|(i, _)| in_scope(*i))
            .map(|(i, (_, rules))| AtPlace {
                bit: 1 << i,
                presence: Presence::Any,
                tests: rules
                    .iter()
                    .filter(|r| matches!(r.path.as_slice(), [Seg::Key(k)] if k == key))
                    .map(|r| &r.test)
                    .collect(),
            })
            .collect();
        let value = &idents[j];
        if let Some(place) = place_mask(&quote!(#value), &here, &[], patterns) {
            steps.push(quote!(m &= #place;));
        }
    }
    // The frame's own keys: required and closed.
    let mut keyed = Vec::new();
    for (i, (_, rules)) in input.variants.iter().enumerate() {
        let mut conds = Vec::new();
        for rule in rules.iter().filter(|r| in_scope(i) && r.path.is_empty()) {
            match &rule.test {
                Test::Has(k) => {
                    let bit = mask(1 << keys.iter().position(|x| x == k).unwrap_or(0));
                    conds.push(quote!(keys.has(#bit)));
                }
                Test::Closed(ks) => {
                    let allowed = ks
                        .iter()
                        .filter_map(|k| keys.iter().position(|x| x == k))
                        .fold(0u64, |m, j| m | 1 << j);
                    let allowed = mask(allowed);
                    conds.push(quote!(keys.only(#allowed)));
                }
                _ => {}
            }
        }
        if !conds.is_empty() {
            let bit = mask(1 << i);
            keyed.push(quote!(if !(#(#conds)&&*) { m &= !#bit; }));
        }
    }
    let keys_binding = if keyed.is_empty() {
        quote!(_)
    } else {
        quote!(keys)
    };
    let picked = if unread == 0 {
        quote!(m)
    } else {
        let unread = mask(unread);
        quote!(#rt::trim(m, #unread))
    };
    let scope = mask(scope);
    quote! {{
        let ::std::option::Option::Some(([#(#idents),*], #keys_binding)) =
            #rt::members(frame, &[#(#keys),*])
        else {
            return 0;
        };
        let mut m: u64 = #scope;
        #(#steps)*
        #(#keyed)*
        #picked
    }}
}
