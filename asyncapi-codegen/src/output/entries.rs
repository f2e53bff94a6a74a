//! Laying out the bodies of the runtime macros that take a list of entries
//! (`rt::message_impls!`, `rt::reply_impls!`, `rt::constructors!`,
//! `rt::service_impls!`, `rt::client_impls!`). prettyplease prints a
//! macro's body as tokens filled to the line width, spaced as tokens
//! (`ordertype : OrderType`, `Vec < BookLevel >`), with one entry running
//! into the next; here each entry gets a line of its own, spaced as Rust
//! is written, and an entry too long for its line is broken at the commas
//! of its groups, one item a line, like rustfmt breaks a call.
//!
//! The result must read back as the same tokens, or the body stays as
//! prettyplease printed it.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// The macros whose bodies are lists of entries, as prettyplease opens them.
pub(super) const LISTS: [&str; 5] = [
    "rt::message_impls! {",
    "rt::reply_impls! {",
    "rt::constructors! {",
    "rt::service_impls! {",
    "rt::client_impls! {",
];

/// The widest a line gets before an entry is broken (prettyplease's).
const WIDTH: usize = 100;

/// The longest list in parentheses or brackets kept on one line when its
/// entry is broken.
const SHORT: usize = 40;

/// A list macro's body laid out one entry a line, each starting with
/// `inner`; `None` if it does not tokenize or would not read back as the
/// same tokens.
pub(super) fn body(text: &str, inner: &str) -> Option<String> {
    let tokens: TokenStream = text.parse().ok()?;
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = String::new();
    for entry in split(&tokens, ';') {
        let (items, semi) = entry;
        out.push_str(inner);
        out.push_str(&fitted(items, inner));
        if semi {
            out.push(';');
        }
        out.push('\n');
    }
    // Only whitespace between tokens changed (a word and the next are
    // always parted, `space`), so the same text without whitespace is the
    // same tokens: cheaper, at opt-level 0, than reading `out` again.
    same_but_whitespace(text, &out).then_some(out)
}

/// Whether `a` and `b` differ only by whitespace outside string literals
/// (inside them, whitespace is compared like any character).
fn same_but_whitespace(a: &str, b: &str) -> bool {
    fn significant(text: &str) -> impl Iterator<Item = char> + '_ {
        let mut quoted = false;
        let mut escaped = false;
        text.chars().filter(move |&c| {
            if quoted {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => quoted = false,
                    _ => {}
                }
                true
            } else {
                quoted = c == '"';
                !c.is_whitespace()
            }
        })
    }
    significant(a).eq(significant(b))
}

/// `tokens` split at the top-level punctuation `at`: each piece, and
/// whether `at` followed it.
fn split(tokens: &[TokenTree], at: char) -> Vec<(&[TokenTree], bool)> {
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        if matches!(token, TokenTree::Punct(p) if p.as_char() == at) {
            pieces.push((&tokens[start..i], true));
            start = i + 1;
        }
    }
    if start < tokens.len() {
        pieces.push((&tokens[start..], false));
    }
    pieces
}

/// A token as laid out: a word (identifier or literal), an operator (a
/// run of joint punctuation: `::`, `=>`, `>>`), or a delimited group.
enum Atom<'t> {
    Word(String),
    Op(String),
    Group(&'t proc_macro2::Group),
}

/// Rust's operators of more than one character (a run of joint
/// punctuation is one of these, or one operator a character: `>,`).
const OPERATORS: [&str; 17] = [
    "..=", "::", "=>", "->", "..", "==", "!=", "<=", ">=", "&&", "||", ">>", "<<", "+=", "-=",
    "*=", "/=",
];

fn atoms(tokens: &[TokenTree]) -> Vec<Atom<'_>> {
    let mut atoms = Vec::new();
    let mut run = String::new();
    for token in tokens {
        match token {
            TokenTree::Punct(p) => {
                run.push(p.as_char());
                if p.spacing() == Spacing::Alone {
                    operators(&std::mem::take(&mut run), &mut atoms);
                }
            }
            other => {
                operators(&std::mem::take(&mut run), &mut atoms);
                match other {
                    TokenTree::Group(group) if group.delimiter() != Delimiter::None => {
                        atoms.push(Atom::Group(group))
                    }
                    other => atoms.push(Atom::Word(other.to_string())),
                }
            }
        }
    }
    operators(&run, &mut atoms);
    atoms
}

/// A run of joint punctuation as operators, longest first.
fn operators(mut run: &str, atoms: &mut Vec<Atom<'_>>) {
    while let Some(first) = run.chars().next() {
        let len = OPERATORS
            .iter()
            .find(|op| run.starts_with(**op))
            .map_or(first.len_utf8(), |op| op.len());
        atoms.push(Atom::Op(run[..len].to_owned()));
        run = &run[len..];
    }
}

/// `tokens` on one line if they fit after `indent`; else with their braces
/// and their longer lists broken one item a line; else, when they have
/// neither, filled to the width.
fn fitted(tokens: &[TokenTree], indent: &str) -> String {
    let one_line = flat(tokens);
    if indent.len() + one_line.len() < WIDTH {
        return one_line;
    }
    let mut broke = false;
    let text = write(tokens, |group, out| {
        let items: Vec<TokenTree> = group.stream().into_iter().collect();
        let commas = items
            .iter()
            .any(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','));
        let breaks = match group.delimiter() {
            Delimiter::Brace => !items.is_empty(),
            // A short list reads better whole (`correlated(Integer, Key("id"))`).
            _ => commas && flat(&items).len() > SHORT,
        };
        if !breaks {
            return false;
        }
        let (open, close) = delimiters(group.delimiter());
        let inner = format!("{indent}    ");
        out.push(open);
        out.push('\n');
        for (item, comma) in split(&items, ',') {
            out.push_str(&inner);
            out.push_str(&fitted(item, &inner));
            if comma {
                out.push(',');
            }
            out.push('\n');
        }
        out.push_str(indent);
        out.push(close);
        broke = true;
        true
    });
    if broke {
        text
    } else {
        filled(tokens, indent)
    }
}

/// `tokens` broken once, at the first place where a word follows a group
/// (`SubscriptionStatus(types::SubscriptionStatus)` | `correlated(…) in
/// reqid, from`) or a match arm's `=>` ends: the rest on the next line,
/// indented once more (or on one line, if there is no such place).
fn filled(tokens: &[TokenTree], indent: &str) -> String {
    let mut head = String::new();
    let mut rest = String::new();
    let mut previous: Option<&Atom<'_>> = None;
    let mut in_closure = false;
    for atom in &atoms(tokens) {
        let gap = previous.map_or("", |previous| space(previous, atom, in_closure));
        let opening = (matches!(previous, Some(Atom::Group(_))) && matches!(atom, Atom::Word(_)))
            || matches!(previous, Some(Atom::Op(op)) if op == "=>");
        let out = if !rest.is_empty() || (gap == " " && opening) {
            &mut rest
        } else {
            &mut head
        };
        if !out.is_empty() {
            out.push_str(gap);
        }
        write_atom(atom, out, &mut in_closure, &mut |_, _| false);
        previous = Some(atom);
    }
    if rest.is_empty() {
        head
    } else {
        format!("{head}\n{indent}    {rest}")
    }
}

/// `tokens` on one line, spaced as Rust is written.
fn flat(tokens: &[TokenTree]) -> String {
    write(tokens, |_, _| false)
}

/// `tokens` spaced as Rust is written, each group written by `broken` when
/// it says so, else on one line.
fn write(
    tokens: &[TokenTree],
    mut broken: impl FnMut(&proc_macro2::Group, &mut String) -> bool,
) -> String {
    let mut out = String::new();
    let mut previous: Option<&Atom<'_>> = None;
    let mut in_closure = false;
    for atom in &atoms(tokens) {
        if let Some(previous) = previous {
            out.push_str(space(previous, atom, in_closure));
        }
        write_atom(atom, &mut out, &mut in_closure, &mut broken);
        previous = Some(atom);
    }
    out
}

/// One atom, a group by `broken` when it says so, else on one line;
/// `in_closure` follows a closure's `|`s.
fn write_atom(
    atom: &Atom<'_>,
    out: &mut String,
    in_closure: &mut bool,
    broken: &mut dyn FnMut(&proc_macro2::Group, &mut String) -> bool,
) {
    match atom {
        Atom::Word(word) => out.push_str(word),
        Atom::Op(op) => {
            out.push_str(op);
            if op == "|" {
                *in_closure = !*in_closure;
            }
        }
        Atom::Group(group) => {
            if !broken(group, out) {
                let (open, close) = delimiters(group.delimiter());
                let items: Vec<TokenTree> = group.stream().into_iter().collect();
                let inner = flat(&items);
                let padded = group.delimiter() == Delimiter::Brace && !inner.is_empty();
                out.push(open);
                out.push_str(if padded { " " } else { "" });
                out.push_str(&inner);
                out.push_str(if padded { " " } else { "" });
                out.push(close);
            }
        }
    }
}

fn delimiters(delimiter: Delimiter) -> (char, char) {
    match delimiter {
        Delimiter::Parenthesis => ('(', ')'),
        Delimiter::Bracket => ('[', ']'),
        Delimiter::Brace | Delimiter::None => ('{', '}'),
    }
}

/// The space written between `previous` and `atom`: none where Rust writes
/// none (`a::b`, `f(x)`, `x: T`, `Vec<T>`, `&x`, `a, b`, `m!`), one
/// elsewhere. `in_closure`: between a closure's `|`s.
fn space(previous: &Atom<'_>, atom: &Atom<'_>, in_closure: bool) -> &'static str {
    let word = matches!(previous, Atom::Word(_));
    let previous_op = match previous {
        Atom::Op(op) => Some(op.as_str()),
        _ => None,
    };
    let none = match atom {
        Atom::Op(op) => match op.as_str() {
            "," | ";" | "." | "?" | ":" => true,
            "::" => !matches!(previous_op, Some(op) if !matches!(op, "&" | "<" | "::")),
            "<" | ">" | ">>" => word || matches!(previous_op, Some("<" | ">" | ">>" | "::")),
            "!" => word,
            "|" => in_closure,
            _ => false,
        },
        Atom::Group(group) => {
            matches!(
                group.delimiter(),
                Delimiter::Parenthesis | Delimiter::Bracket
            ) && match previous {
                Atom::Word(w) => !matches!(w.as_str(), "in" | "match" | "if" | "while"),
                Atom::Op(op) => matches!(op.as_str(), "&" | "!"),
                Atom::Group(_) => false,
            }
        }
        Atom::Word(_) => false,
    };
    let after = matches!(previous_op, Some("::" | "&" | "#" | "!" | "." | "<" | "'"))
        || (previous_op == Some("|") && in_closure);
    if none || after {
        ""
    } else {
        " "
    }
}

#[cfg(test)]
mod tests {
    use super::super::layout::lay_out;
    use super::same_but_whitespace;

    #[test]
    fn each_entry_gets_a_line_spaced_as_rust() {
        let text = r#"    rt::message_impls! {
        ClientMessage, correlation_paths[(Key("reqid"))]; Ping(types::Ping)
        correlated(Integer, Key("reqid")) in reqid, from; Heartbeat(types::Heartbeat),
        from; SubscriptionStatusError(types::SubscriptionStatusError) correlated(Integer,
        Key("reqid")) in reqid, from;
    }
    rt::service_impls! {
        address : Some("/"); params : none; Ping => ping(ServerMessage::Pong);
    }
"#;
        let want = r#"    rt::message_impls! {
        ClientMessage, correlation_paths[(Key("reqid"))];
        Ping(types::Ping) correlated(Integer, Key("reqid")) in reqid, from;
        Heartbeat(types::Heartbeat), from;
        SubscriptionStatusError(types::SubscriptionStatusError)
            correlated(Integer, Key("reqid")) in reqid, from;
    }
    rt::service_impls! {
        address: Some("/");
        params: none;
        Ping => ping(ServerMessage::Pong);
    }
"#;
        assert_eq!(lay_out(text), want);
    }

    #[test]
    fn long_entries_break_at_their_commas() {
        let text = r#"    rt::constructors! {
        AddOrder(ordertype : OrderType, pair : String, token : String, type_ :
        OrderSide, volume : Vec < String >, pair : Vec < BookLevel >) fixed { event : consts::EventAddOrder } optional
        { cl_ord_id / with_cl_ord_id : String, reqid / with_reqid : u64 }
    }
    rt::client_impls! {
        channel : "public"; subscriptions : | message : & ClientMessage | match message
        { ClientMessage::Subscribe(_) => Some(rt::client::Subscription::start(&
        ["pair", "subscription"])), _ => None, };
    }
"#;
        let want = r#"    rt::constructors! {
        AddOrder(
            ordertype: OrderType,
            pair: String,
            token: String,
            type_: OrderSide,
            volume: Vec<String>,
            pair: Vec<BookLevel>
        ) fixed {
            event: consts::EventAddOrder
        } optional {
            cl_ord_id / with_cl_ord_id: String,
            reqid / with_reqid: u64
        }
    }
    rt::client_impls! {
        channel: "public";
        subscriptions: |message: &ClientMessage| match message {
            ClientMessage::Subscribe(_) =>
                Some(rt::client::Subscription::start(&["pair", "subscription"])),
            _ => None,
        };
    }
"#;
        assert_eq!(lay_out(text), want);
    }

    #[test]
    fn whitespace_counts_inside_string_literals_only() {
        assert!(same_but_whitespace("a : b", "a: b"));
        assert!(same_but_whitespace(r#"x("a b")"#, r#"x ( "a b" )"#));
        assert!(!same_but_whitespace(r#"x("a b")"#, r#"x("ab")"#));
        assert!(!same_but_whitespace(r#""a\" b""#, r#""a\"b""#));
        assert!(!same_but_whitespace("a b", "a c"));
    }

    #[test]
    fn bodies_that_would_not_read_back_stay_as_they_were() {
        let unclosed = "    rt::constructors! {\n        A(x : u8)\n";
        assert_eq!(lay_out(unclosed), unclosed);
        let broken = "    rt::constructors! {\n        A(x : u8\n    }\n";
        assert_eq!(lay_out(broken), broken);
    }
}
