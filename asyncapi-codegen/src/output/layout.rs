//! Laying out what prettyplease cannot: the bodies of the runtime macros
//! that declare string types (`rt::string_enum!`, `rt::pattern_string!`),
//! here, and of those that take a list of entries ([`entries`]).
//! prettyplease prints a macro's body as a stream of tokens, filled to the
//! line width (`#[doc = "…"] pub enum Side { Buy = "buy",` on one line,
//! `Sell = "sell" }` on the next); these bodies are declarations, so they
//! are written here the way a person writes them: docs as `///` lines, one
//! variant a line.

use super::entries;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Visibility};

/// The macros whose bodies are declarations, as prettyplease opens them.
const DECLARING: [&str; 2] = ["rt::string_enum! {", "rt::pattern_string! {"];

/// `text` (prettyplease's output) with the body of every declaring macro
/// laid out by [`Declaration`], and of every list macro by
/// [`entries::body`]; a body that does not parse as it should stays as it
/// was.
pub(super) fn lay_out(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let laid_out = macro_body(&lines, i).and_then(|(end, indent, opener)| {
            let body = lines[i + 1..end].join("\n");
            let inner = format!("{indent}    ");
            let body = if DECLARING.contains(&opener) {
                syn::parse_str::<Declaration>(&body).ok()?.write(&inner)
            } else {
                entries::body(&body, &inner)
            }?;
            Some((end, body))
        });
        match laid_out {
            Some((end, body)) => {
                out.push_str(line);
                out.push('\n');
                out.push_str(&body);
                out.push_str(lines[end]);
                out.push('\n');
                i = end + 1;
            }
            None => {
                out.push_str(line);
                out.push('\n');
                i += 1;
            }
        }
    }
    out
}

/// When line `i` opens a macro laid out here: the line of its closing
/// brace, its indent and the opening (`rt::constructors! {`).
fn macro_body<'t>(lines: &[&'t str], i: usize) -> Option<(usize, &'t str, &'t str)> {
    let line = lines[i];
    // Most lines are not: the cheap test first (this runs at opt-level 0,
    // in build scripts, on every line of the output).
    if !line.ends_with("! {") {
        return None;
    }
    let opener = line.trim_start_matches(' ');
    if !DECLARING.contains(&opener) && !entries::LISTS.contains(&opener) {
        return None;
    }
    let indent = &line[..line.len() - opener.len()];
    let end = lines[i + 1..]
        .iter()
        .position(|l| l.len() == indent.len() + 1 && l.starts_with(indent) && l.ends_with('}'))?;
    Some((i + 1 + end, indent, opener))
}

/// A declaring macro's body: `/// docs pub enum Name { A = "a", … }` or
/// `/// docs pub struct Name("pattern");`.
struct Declaration {
    docs: Vec<Attribute>,
    vis: Visibility,
    name: Ident,
    shape: Shape,
}

/// What is declared.
enum Shape {
    /// `enum`: its variants, with their docs and wire values.
    Enum(Vec<(Vec<Attribute>, Ident, LitStr)>),
    /// `struct`: the pattern of the string.
    Pattern(LitStr),
}

impl Parse for Declaration {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let docs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        if input.peek(Token![enum]) {
            input.parse::<Token![enum]>()?;
            let name = input.parse()?;
            let content;
            syn::braced!(content in input);
            let mut variants = Vec::new();
            while !content.is_empty() {
                let docs = content.call(Attribute::parse_outer)?;
                let ident = content.parse()?;
                content.parse::<Token![=]>()?;
                variants.push((docs, ident, content.parse()?));
                if !content.is_empty() {
                    content.parse::<Token![,]>()?;
                }
            }
            Ok(Declaration {
                docs,
                vis,
                name,
                shape: Shape::Enum(variants),
            })
        } else {
            input.parse::<Token![struct]>()?;
            let name = input.parse()?;
            let content;
            syn::parenthesized!(content in input);
            let pattern = content.parse()?;
            input.parse::<Token![;]>()?;
            Ok(Declaration {
                docs,
                vis,
                name,
                shape: Shape::Pattern(pattern),
            })
        }
    }
}

impl Declaration {
    /// The body's lines, each starting with `indent`; `None` if a doc
    /// cannot be written as `///` lines.
    fn write(&self, indent: &str) -> Option<String> {
        let mut out = String::new();
        write_docs(&self.docs, indent, &mut out)?;
        let vis = match &self.vis {
            Visibility::Inherited => String::new(),
            vis => format!("{} ", quote::quote!(#vis)).replace("pub (", "pub("),
        };
        let name = &self.name;
        match &self.shape {
            Shape::Enum(variants) => {
                out.push_str(&format!("{indent}{vis}enum {name} {{\n"));
                let inner = format!("{indent}    ");
                for (docs, ident, value) in variants {
                    write_docs(docs, &inner, &mut out)?;
                    out.push_str(&format!("{inner}{ident} = {},\n", literal(value)));
                }
                out.push_str(&format!("{indent}}}\n"));
            }
            Shape::Pattern(pattern) => {
                out.push_str(&format!(
                    "{indent}{vis}struct {name}({});\n",
                    literal(pattern)
                ));
            }
        }
        Some(out)
    }
}

/// A string literal as source text.
fn literal(lit: &LitStr) -> String {
    quote::quote!(#lit).to_string()
}

/// `docs` as `///` lines; `None` if one is not a plain doc string or a
/// line would not read back the same (one starting with `/` would make
/// `////`, a plain comment).
fn write_docs(docs: &[Attribute], indent: &str, out: &mut String) -> Option<()> {
    for attr in docs {
        let syn::Meta::NameValue(meta) = &attr.meta else {
            return None;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &meta.value
        else {
            return None;
        };
        if !meta.path.is_ident("doc") {
            return None;
        }
        let text = text.value();
        let text = text.strip_suffix('\n').unwrap_or(&text);
        for line in text.split('\n') {
            if line.starts_with('/') || line.starts_with('!') || line.contains('\r') {
                return None;
            }
            out.push_str(&format!("{indent}///{line}\n"));
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_and_patterns_are_laid_out_like_declarations() {
        let text = r#"mod types {
    rt::string_enum! {
        #[doc = "Direction of an order.\nBuy or sell.\n"] pub enum OrderSide { Buy =
        "buy", #[doc = "Selling."] Sell = "sell" }
    }
    rt::pattern_string! {
        #[doc =
        "A pair."]
        pub struct Pair("^[A-Z]+/[A-Z]+$");
    }
    rt::string_enum! {
        Side { Buy = "buy" }
    }
}
"#;
        let want = r#"mod types {
    rt::string_enum! {
        ///Direction of an order.
        ///Buy or sell.
        pub enum OrderSide {
            Buy = "buy",
            ///Selling.
            Sell = "sell",
        }
    }
    rt::pattern_string! {
        ///A pair.
        pub struct Pair("^[A-Z]+/[A-Z]+$");
    }
    rt::string_enum! {
        Side { Buy = "buy" }
    }
}
"#;
        assert_eq!(lay_out(text), want);
    }

    #[test]
    fn docs_that_would_not_read_back_stay_attributes() {
        let text =
            "    rt::string_enum! {\n        #[doc = \"/path\"] pub enum A { X = \"x\" }\n    }\n";
        assert_eq!(lay_out(text), text);
        let unclosed = "    rt::string_enum! {\n        pub enum A { X = \"x\" }\n";
        assert_eq!(lay_out(unclosed), unclosed);
    }
}
