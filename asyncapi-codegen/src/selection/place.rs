//! One place the pick reads: a `match` on the [`Val`] found there, whose
//! arms are the masks of the messages whose tests hold of it.
//!
//! [`Val`]: asyncapi_runtime::dispatch::Val

use super::lit;
use super::mask;
use super::patterns::Patterns;
use crate::dispatch::Test;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

/// The tests of one message at one place the pick reads.
pub(super) struct AtPlace<'r> {
    pub bit: u64,
    pub presence: Presence,
    pub tests: Vec<&'r Test>,
}

/// Whether a message allows a place to be absent, beyond its tests.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence {
    /// Its tests decide (a member, or an element of an array of any length).
    Any,
    /// There must be a value (an element within the message's length).
    Present,
    /// There must be none (past the array's end, for a message of this
    /// length).
    Absent,
}

/// A `match` on the [`Val`] `scrutinee` at one place: the mask of the
/// messages whose tests there hold of it (`asked`: the keys an object
/// there was read for).
///
/// [`Val`]: asyncapi_runtime::dispatch::Val
pub(super) fn place_mask(
    scrutinee: &TokenStream,
    here: &[AtPlace<'_>],
    asked: &[&str],
    patterns: &mut Patterns,
) -> Option<TokenStream> {
    // The string literals some test names.
    let mut strings: Vec<&str> = Vec::new();
    for place in here {
        for test in &place.tests {
            if let Test::OneOf(values) | Test::OneOfOrAbsent(values) = test {
                for value in values {
                    if let Value::String(s) = value {
                        if !strings.contains(&s.as_str()) {
                            strings.push(s);
                        }
                    }
                }
            }
        }
    }
    // Per arm: the mask, and whether it reads the arm's binding.
    let mut arm = |sample: Sample<'_>| -> (TokenStream, bool) {
        let absent = matches!(sample, Sample::Absent);
        let mut constant = 0u64;
        let mut tested = Vec::new();
        for place in here {
            match (place.presence, absent) {
                (Presence::Present, true) | (Presence::Absent, false) => continue,
                (Presence::Absent, true) => {
                    constant |= place.bit;
                    continue;
                }
                _ => {}
            }
            let mut conds = Vec::new();
            let mut holds = true;
            for test in &place.tests {
                match cond(test, &sample, asked, patterns) {
                    Cond::True => {}
                    Cond::False => holds = false,
                    Cond::Code(code) => conds.push(code),
                }
            }
            if !holds {
                continue;
            }
            if conds.is_empty() {
                constant |= place.bit;
            } else {
                // Messages with the same tests here share one `if`.
                let text = quote!(#(#conds)&&*).to_string();
                match tested.iter_mut().find(|(_, _, t)| *t == text) {
                    Some((bits, _, _)) => *bits |= place.bit,
                    None => tested.push((place.bit, conds, text)),
                }
            }
        }
        let reads = !tested.is_empty();
        let constant = mask(constant);
        let tested = tested.into_iter().map(|(bit, conds, _)| {
            let bit = mask(bit);
            quote!(| if #(#conds)&&* { #bit } else { 0 })
        });
        (quote!(#constant #(#tested)*), reads)
    };
    // Arms that read nothing, grouped by mask.
    let mut plain: Vec<(String, TokenStream, Vec<TokenStream>)> = Vec::new();
    // (key: the mask's text)
    let mut bound = Vec::new();
    let mut add =
        |pattern: TokenStream, binding: Option<TokenStream>, (body, reads): (TokenStream, bool)| {
            match (binding, reads) {
                (Some(binding), true) => bound.push(quote!(#binding => #body)),
                _ => {
                    let key = body.to_string();
                    match plain.iter_mut().find(|(k, _, _)| *k == key) {
                        Some((_, _, patterns)) => patterns.push(pattern),
                        None => plain.push((key, body, vec![pattern])),
                    }
                }
            }
        };
    add(quote!(Val::Absent), None, arm(Sample::Absent));
    add(quote!(Val::Null), None, arm(Sample::Null));
    let (yes, no) = (arm(Sample::Bool(true)), arm(Sample::Bool(false)));
    if yes.0.to_string() == no.0.to_string() {
        add(quote!(Val::Bool(_)), None, yes);
    } else {
        add(quote!(Val::Bool(true)), None, yes);
        add(quote!(Val::Bool(false)), None, no);
    }
    add(
        quote!(Val::Number(_)),
        Some(quote!(Val::Number(number))),
        arm(Sample::Number),
    );
    let mut string_arms = Vec::new();
    for s in &strings {
        let (body, _) = arm(Sample::Str(Some(s)));
        string_arms.push(quote!(#s => #body));
    }
    let other_string = arm(Sample::Str(None));
    let mut string_match = None;
    if string_arms.is_empty() {
        add(
            quote!(Val::Str(_)),
            Some(quote!(Val::Str(string))),
            other_string,
        );
    } else {
        let (body, reads) = other_string;
        let binding = if reads { quote!(string) } else { quote!(_) };
        string_match = Some(quote! {
            Val::Str(string) => match &*string {
                #(#string_arms,)*
                #binding => #body,
            }
        });
    }
    add(
        quote!(Val::Array(_)),
        Some(quote!(Val::Array(len))),
        arm(Sample::Array),
    );
    add(
        quote!(Val::Object(_)),
        Some(quote!(Val::Object(keys))),
        arm(Sample::Object),
    );
    bound.extend(string_match);
    let all = mask(here.iter().fold(0, |m, place| m | place.bit)).to_string();
    if let ([], [(body, _, _)]) = (bound.as_slice(), plain.as_slice()) {
        if *body == all {
            // Nothing here tells the messages apart.
            return None;
        }
    }
    // The largest group of arms is the wildcard.
    let widest = (0..plain.len()).max_by_key(|&i| (plain[i].2.len(), usize::MAX - i));
    let mut plain_arms = Vec::new();
    let mut wildcard = None;
    for (i, (_, body, patterns)) in plain.into_iter().enumerate() {
        if Some(i) == widest {
            wildcard = Some(quote!(_ => #body));
        } else {
            plain_arms.push(quote!(#(#patterns)|* => #body));
        }
    }
    Some(quote! {
        match #scrutinee {
            #(#bound,)*
            #(#plain_arms,)*
            #wildcard
        }
    })
}

/// A kind of value a place may hold, as the pick's `match` arms see it.
enum Sample<'s> {
    Absent,
    Null,
    Bool(bool),
    /// Any number (`number` in the arm).
    Number,
    /// This string literal, or (`None`) any other string (`string`).
    Str(Option<&'s str>),
    /// An array (`len`, `None` when not counted).
    Array,
    /// An object (`keys`, `None` when not read).
    Object,
}

enum Cond {
    True,
    False,
    Code(TokenStream),
}

/// Whether `test` holds of the values of `sample`.
fn cond(test: &Test, sample: &Sample<'_>, asked: &[&str], patterns: &mut Patterns) -> Cond {
    let rt = quote!(rt::dispatch);
    let yes = |b: bool| if b { Cond::True } else { Cond::False };
    let lit_holds = |values: &[Value]| -> Cond {
        match sample {
            Sample::Absent => Cond::False,
            Sample::Null => yes(values.contains(&Value::Null)),
            Sample::Bool(b) => yes(values.contains(&Value::Bool(*b))),
            Sample::Str(Some(s)) => yes(values.contains(&Value::String((*s).to_owned()))),
            Sample::Number => {
                let lits: Vec<TokenStream> =
                    values.iter().filter(|v| v.is_number()).map(lit).collect();
                if lits.is_empty() {
                    Cond::False
                } else {
                    Cond::Code(quote!([#(#rt::#lits),*].iter().any(|lit| number.equals(lit))))
                }
            }
            _ => Cond::False,
        }
    };
    let pattern_holds = |source: &str, patterns: &mut Patterns| -> Cond {
        match sample {
            Sample::Str(Some(s)) => {
                yes(regress::Regex::new(source).is_ok_and(|r| r.find(s).is_some()))
            }
            Sample::Str(None) => {
                let call = patterns.call(source);
                Cond::Code(quote!(#call(&string)))
            }
            _ => Cond::False,
        }
    };
    match test {
        Test::Kind(kind) => yes(matches!(
            (*kind, sample),
            ("null", Sample::Null)
                | ("boolean", Sample::Bool(_))
                | ("number", Sample::Number)
                | ("string", Sample::Str(_))
                | ("array", Sample::Array)
                | ("object", Sample::Object)
        )),
        Test::Len(n) => match sample {
            Sample::Array => Cond::Code(quote!(len.is_none_or(|len| len == #n))),
            _ => Cond::False,
        },
        Test::LenRange(min, max) => match (sample, max) {
            (Sample::Array, Some(max)) => {
                Cond::Code(quote!(len.is_none_or(|len| (#min..=#max).contains(&len))))
            }
            (Sample::Array, None) => Cond::Code(quote!(len.is_none_or(|len| len >= #min))),
            _ => Cond::False,
        },
        Test::OneOf(values) => lit_holds(values),
        Test::OneOfOrAbsent(values) => match sample {
            Sample::Absent | Sample::Null => Cond::True,
            _ => lit_holds(values),
        },
        Test::Pattern(p) => pattern_holds(p, patterns),
        Test::PatternOrAbsent(p) => match sample {
            Sample::Absent | Sample::Null => Cond::True,
            _ => pattern_holds(p, patterns),
        },
        Test::Has(k) => match sample {
            Sample::Object => match asked.iter().position(|a| a == k) {
                Some(j) => {
                    let bit = mask(1 << j);
                    Cond::Code(quote!(keys.is_none_or(|keys| keys.has(#bit))))
                }
                None => Cond::True,
            },
            _ => Cond::False,
        },
        Test::Closed(ks) => match sample {
            Sample::Object => {
                let allowed = ks
                    .iter()
                    .filter_map(|k| asked.iter().position(|a| a == k))
                    .fold(0u64, |m, j| m | 1 << j);
                let allowed = mask(allowed);
                Cond::Code(quote!(keys.is_none_or(|keys| keys.only(#allowed))))
            }
            _ => Cond::False,
        },
    }
}
