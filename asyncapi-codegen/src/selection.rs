//! Frame selection as code: from the discriminating rules of the messages
//! of an enum ([`crate::dispatch`]), the functions that decide which
//! message a frame is.
//!
//! - `__pick(frame) -> u64`: the messages (bit `i` for variant `i`) a text
//!   frame may be, from the few places that tell them apart: an object
//!   frame's members by key, an array frame's elements from its end (read
//!   one at a time, until one message is left). Each place is a `match` on
//!   what is there: string values are the arms of a `match` on `&str`, as
//!   serde's derive matches keys; patterns, lengths and keys are tests in
//!   the arms. Places the pick does not read (deeper ones, and every place
//!   of a frame it cannot read cheaply) leave every message possible.
//! - `__check(checker, index)`: every rule of one message, for the slow
//!   path and for errors (see `asyncapi_runtime::dispatch::Checker`).
//! - `__SELECTION`: what the runtime's slow path needs.
//!
//! The runtime tries the picked messages in declaration order and falls
//! back to the slow path; both give the first message in declaration
//! order that decodes (see `asyncapi_runtime::dispatch`).

use crate::dispatch::{Rule, Seg, Test};
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
    let mut patterns = Patterns::default();
    let check = check_fn(input, &mut patterns);
    let pick = if input.variants.len() <= MAX_PICKED {
        pick_fn(input, &mut patterns)
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

/// The patterns the functions test, each a `__pattern_N(&str) -> bool`.
#[derive(Default)]
struct Patterns(Vec<String>);

impl Patterns {
    /// The function that tests `source`.
    fn call(&mut self, source: &str) -> TokenStream {
        let i = match self.0.iter().position(|p| p == source) {
            Some(i) => i,
            None => {
                self.0.push(source.to_owned());
                self.0.len() - 1
            }
        };
        let ident = format_ident!("__pattern_{}", i);
        quote!(Self::#ident)
    }

    fn items(&self) -> Vec<TokenStream> {
        self.0
            .iter()
            .enumerate()
            .map(|(i, source)| {
                let ident = format_ident!("__pattern_{}", i);
                let doc = format!(" Whether `value` matches `{source}`.");
                // Simple patterns are plain Rust; the others go to regress.
                let body = crate::pattern::matcher(source).unwrap_or_else(|| {
                    quote! {
                        static REGEX: ::std::sync::OnceLock<::std::option::Option<rt::regress::Regex>> =
                            ::std::sync::OnceLock::new();
                        REGEX
                            .get_or_init(|| rt::regress::Regex::new(#source).ok())
                            .as_ref()
                            .is_some_and(|regex| regex.find(value).is_some())
                    }
                });
                quote! {
                    #[doc = #doc]
                    fn #ident(value: &str) -> bool {
                        #body
                    }
                }
            })
            .collect()
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

/// `__check`: per variant, one checker call per rule.
fn check_fn(input: &SelectionInput<'_>, patterns: &mut Patterns) -> TokenStream {
    let rt = quote!(rt::dispatch);
    let rules = || input.variants.iter().flat_map(|(_, rules)| rules);
    let mut names = Vec::new();
    if rules().any(|r| matches!(r.test, Test::Kind(_))) {
        names.push(quote!(Kind));
    }
    if rules().any(|r| matches!(r.test, Test::OneOf(_) | Test::OneOfOrAbsent(_))) {
        names.push(quote!(Lit));
    }
    if rules().any(|r| r.path.iter().any(|s| matches!(s, Seg::Key(_)))) {
        names.push(quote!(Seg::Key));
    }
    if rules().any(|r| r.path.iter().any(|s| matches!(s, Seg::Index(_)))) {
        names.push(quote!(Seg::Index));
    }
    let uses = (!names.is_empty()).then(|| quote!(use #rt::{#(#names),*};));
    let arms = input
        .variants
        .iter()
        .enumerate()
        .map(|(index, (_, rules))| {
            let calls = rules.iter().map(|rule| {
                let path = path_tokens(&rule.path, true);
                match &rule.test {
                    Test::Kind(kind) => {
                        let kind = kind_ident(kind);
                        quote!(checker.kind(#path, Kind::#kind))
                    }
                    Test::Len(n) => quote!(checker.len(#path, #n, ::std::option::Option::Some(#n))),
                    Test::LenRange(min, max) => {
                        let max = match max {
                            Some(m) => quote!(::std::option::Option::Some(#m)),
                            None => quote!(::std::option::Option::None),
                        };
                        quote!(checker.len(#path, #min, #max))
                    }
                    Test::OneOf(values) | Test::OneOfOrAbsent(values) => {
                        let absent = matches!(rule.test, Test::OneOfOrAbsent(_));
                        let lits = values.iter().map(lit);
                        quote!(checker.one_of(#path, &[#(#lits),*], #absent))
                    }
                    Test::Pattern(p) | Test::PatternOrAbsent(p) => {
                        let absent = matches!(rule.test, Test::PatternOrAbsent(_));
                        let call = patterns.call(p);
                        quote!(checker.pattern(#path, #p, #call, #absent))
                    }
                    Test::Has(key) => quote!(checker.has(#path, #key)),
                    Test::Closed(keys) => quote!(checker.closed(#path, &[#(#keys),*])),
                }
            });
            quote! {
                #index => {
                    #(#calls?;)*
                    ::std::result::Result::Ok(())
                }
            }
        });
    quote! {
        /// Checks the rules of the variant at `index` (the slow path).
        fn __check(checker: &mut #rt::Checker<'_>, index: usize) -> ::std::result::Result<(), #rt::Miss> {
            #uses
            match index {
                #(#arms)*
                _ => ::std::result::Result::Ok(()),
            }
        }
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

/// The tests of one message at one place the pick reads.
struct AtPlace<'r> {
    bit: u64,
    presence: Presence,
    tests: Vec<&'r Test>,
}

/// Whether a message allows a place to be absent, beyond its tests.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    /// Its tests decide (a member, or an element of an array of any length).
    Any,
    /// There must be a value (an element within the message's length).
    Present,
    /// There must be none (the array's start, for a message of this length).
    Absent,
    /// The message has no element here, and a frame that has one or ends
    /// here is some other length.
    Never,
}

/// `__pick`.
fn pick_fn(input: &SelectionInput<'_>, patterns: &mut Patterns) -> TokenStream {
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
        // Array bounds (`minItems`/`maxItems` of a list) are no part of the
        // payload type, which would decode a frame of any length: such
        // messages are left to the slow path, which checks the bounds.
        let bounded = rules
            .iter()
            .any(|r| r.path.is_empty() && matches!(r.test, Test::LenRange(..)));
        if bounded {
            continue;
        }
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
    let array = array_pick(input, arrays, patterns);
    let others = mask(others);
    let uses = (object.to_string() + &array.to_string())
        .contains("Val ::")
        .then(|| quote!(use #rt::Val;));
    quote! {
        /// The variants a text frame may be, from the values that tell them
        /// apart (bit `i` for variant `i`).
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

/// The pick of an object frame: its members by key, then its keys.
fn object_pick(input: &SelectionInput<'_>, scope: u64, patterns: &mut Patterns) -> TokenStream {
    let rt = quote!(rt::dispatch);
    let in_scope = |i: usize| scope & (1 << i) != 0;
    // The keys with tests, in order of first use; then keys only asked about.
    let mut keys: Vec<&str> = Vec::new();
    for (i, (_, rules)) in input.variants.iter().enumerate() {
        for rule in rules.iter().filter(|_| in_scope(i)) {
            if let [Seg::Key(k)] = rule.path.as_slice() {
                if !keys.contains(&k.as_str()) {
                    keys.push(k);
                }
            }
        }
    }
    let valued = keys.len();
    for (i, (_, rules)) in input.variants.iter().enumerate() {
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
    if keys.is_empty() || keys.len() > 64 {
        return mask(scope);
    }
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
                    conds.push(quote!(keys.present & #bit != 0));
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
        m
    }}
}

/// The pick of an array frame: its elements from the end, while more than
/// one message is left.
fn array_pick(input: &SelectionInput<'_>, scope: u64, patterns: &mut Patterns) -> TokenStream {
    let rt = quote!(rt::dispatch);
    let in_scope = |i: usize| scope & (1 << i) != 0;
    let fixed_len = |rules: &[Rule]| {
        rules
            .iter()
            .find_map(|r| match (&r.test, r.path.is_empty()) {
                (Test::Len(n), true) => Some(*n),
                _ => None,
            })
    };
    // As far as the longest message: a frame is read from its end until
    // one message is left.
    let depth = input
        .variants
        .iter()
        .enumerate()
        .filter(|(i, _)| in_scope(*i))
        .filter_map(|(_, (_, rules))| fixed_len(rules))
        .max()
        .unwrap_or(0);
    let mut steps = Vec::new();
    let mut objects: Vec<bool> = Vec::new();
    for from_end in 0..depth {
        let mut asked: Vec<&str> = Vec::new();
        let mut here = Vec::new();
        for (i, (_, rules)) in input.variants.iter().enumerate() {
            if !in_scope(i) {
                continue;
            }
            let place = match fixed_len(rules) {
                None => AtPlace {
                    bit: 1 << i,
                    presence: Presence::Any,
                    tests: Vec::new(),
                },
                Some(len) if len <= from_end => AtPlace {
                    bit: 1 << i,
                    presence: if len == from_end {
                        Presence::Absent
                    } else {
                        Presence::Never
                    },
                    tests: Vec::new(),
                },
                Some(len) => {
                    let at = len - 1 - from_end;
                    let tests: Vec<&Test> = rules
                        .iter()
                        .filter(|r| r.path.as_slice() == [Seg::Index(at)])
                        .map(|r| &r.test)
                        .collect();
                    for test in &tests {
                        let named: Vec<&String> = match test {
                            Test::Has(k) => vec![k],
                            Test::Closed(ks) => ks.iter().collect(),
                            _ => vec![],
                        };
                        for k in named {
                            if !asked.contains(&k.as_str()) {
                                asked.push(k);
                            }
                        }
                    }
                    AtPlace {
                        bit: 1 << i,
                        presence: Presence::Present,
                        tests,
                    }
                }
            };
            here.push(place);
        }
        if asked.len() > 64 {
            break;
        }
        // serde's derive also reads a struct from an array, so a place that
        // must be an object is checked here even when one message is left.
        let object_here = here
            .iter()
            .any(|p| p.tests.iter().any(|t| matches!(t, Test::Kind("object"))));
        steps.push(place_mask(&quote!(value), &here, &asked, patterns).map(|place| (asked, place)));
        objects.push(object_here);
    }
    while let Some(None) = steps.last() {
        steps.pop();
        objects.pop();
    }
    let last = steps.len();
    let steps = steps.into_iter().enumerate().map(|(i, step)| {
        let Some((asked, place)) = step else {
            return quote! {
                if tail.next(&[]).is_none() {
                    return m;
                }
            };
        };
        // With one message left, or none, there is no need to read further,
        // unless a place further on must be an object.
        let objects_ahead = objects[i + 1..].iter().any(|&o| o);
        let check_left = (i + 1 < last && !objects_ahead).then(|| {
            quote! {
                if m & m.wrapping_sub(1) == 0 {
                    return m;
                }
            }
        });
        quote! {
            let ::std::option::Option::Some(value) = tail.next(&[#(#asked),*]) else {
                return m;
            };
            m &= #place;
            #check_left
        }
    });
    let steps: Vec<TokenStream> = steps.collect();
    let scope = mask(scope);
    if steps.is_empty() {
        return scope;
    }
    quote! {{
        let ::std::option::Option::Some(mut tail) = #rt::Tail::new(frame) else {
            return 0;
        };
        let mut m: u64 = #scope;
        #(#steps)*
        m
    }}
}

/// A `match` on the [`Val`] `scrutinee` at one place: the mask of the
/// messages whose tests there hold of it (`asked`: the keys an object
/// there was read for).
///
/// [`Val`]: asyncapi_runtime::dispatch::Val
fn place_mask(
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
                (Presence::Never, _) | (Presence::Present, true) | (Presence::Absent, false) => {
                    continue
                }
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
                tested.push((place.bit, conds));
            }
        }
        let reads = !tested.is_empty();
        let constant = mask(constant);
        let tested = tested.into_iter().map(|(bit, conds)| {
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
    /// An array (`len`).
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
            Sample::Array => Cond::Code(quote!(len == #n)),
            _ => Cond::False,
        },
        Test::LenRange(min, max) => match (sample, max) {
            (Sample::Array, Some(max)) => Cond::Code(quote!((#min..=#max).contains(&len))),
            (Sample::Array, None) => Cond::Code(quote!(len >= #min)),
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
                    Cond::Code(quote!(keys.is_none_or(|keys| keys.present & #bit != 0)))
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
