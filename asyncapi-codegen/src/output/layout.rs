//! Laying out what prettyplease cannot: the bodies of the runtime macros
//! that declare string types (`rt::string_enum!`, `rt::pattern_string!`).
//! prettyplease prints a macro's body as a stream of tokens, filled to the
//! line width (`#[doc = "…"] pub enum Side { Buy = "buy",` on one line,
//! `Sell = "sell" }` on the next); these bodies are declarations, so they
//! are written here the way a person writes them: docs as `///` lines, one
//! variant a line.

use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Visibility};

/// The macros whose bodies are declarations, as prettyplease opens them.
const DECLARING: [&str; 2] = ["rt::string_enum! {", "rt::pattern_string! {"];

/// `text` (prettyplease's output) with the body of every declaring macro
/// laid out by [`Declaration`]; a body that does not parse as one stays as
/// it was.
pub(super) fn declarations(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let indent = &line[..line.len() - line.trim_start().len()];
        let close = format!("{indent}}}");
        let end = DECLARING
            .contains(&line.trim_start())
            .then(|| lines[i + 1..].iter().position(|l| *l == close))
            .flatten()
            .map(|n| i + 1 + n);
        let laid_out = end.and_then(|end| {
            let body = lines[i + 1..end].join("\n");
            let declaration = syn::parse_str::<Declaration>(&body).ok()?;
            declaration.write(&format!("{indent}    "))
        });
        match (end, laid_out) {
            (Some(end), Some(body)) => {
                out.push_str(line);
                out.push('\n');
                out.push_str(&body);
                out.push_str(&close);
                out.push('\n');
                i = end + 1;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
                i += 1;
            }
        }
    }
    out
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
        assert_eq!(declarations(text), want);
    }

    #[test]
    fn docs_that_would_not_read_back_stay_attributes() {
        let text =
            "    rt::string_enum! {\n        #[doc = \"/path\"] pub enum A { X = \"x\" }\n    }\n";
        assert_eq!(declarations(text), text);
        let unclosed = "    rt::string_enum! {\n        pub enum A { X = \"x\" }\n";
        assert_eq!(declarations(unclosed), unclosed);
    }
}
