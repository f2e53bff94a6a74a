//! Descriptions (CommonMark) as HTML for the docs page, with nothing that
//! reaches outside the page: a link shows its text and its address as
//! text, an image its alternative text, and raw HTML in a description is
//! shown as text, not interpreted (so a document cannot inject a script or
//! a remote resource into its own docs page).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// `text` (CommonMark) as an HTML fragment.
pub(super) fn to_html(text: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut links: Vec<String> = Vec::new();
    let mut in_image = 0usize;
    let events = Parser::new_ext(text, options).flat_map(|event| -> Vec<Event<'_>> {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push(dest_url.to_string());
                vec![Event::InlineHtml("<span class=\"link\">".into())]
            }
            Event::End(TagEnd::Link) => {
                let url = links.pop().unwrap_or_default();
                let mut events = vec![Event::InlineHtml("</span>".into())];
                if !url.is_empty() && !url.starts_with('#') {
                    events.push(Event::Text(format!(" ({url})").into()));
                }
                events
            }
            Event::Start(Tag::Image { .. }) => {
                in_image += 1;
                vec![Event::InlineHtml("<span class=\"image\">".into())]
            }
            Event::End(TagEnd::Image) => {
                in_image = in_image.saturating_sub(1);
                vec![Event::InlineHtml("</span>".into())]
            }
            Event::Html(html) | Event::InlineHtml(html) => vec![Event::Text(html)],
            other => vec![other],
        }
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn renders_markdown_without_reaching_outside() {
        let html = to_html(
            "## Title\n\n- **bold** `code`\n\nSee [the docs](https://example.com/docs) and ![logo](http://example.com/l.png).\n\n<script src=\"https://evil.example/x.js\"></script>",
        );
        assert!(html.contains("<h2>Title</h2>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
        assert!(
            html.contains("<span class=\"link\">the docs</span> (https://example.com/docs)"),
            "{html}"
        );
        assert!(html.contains("<span class=\"image\">logo</span>"), "{html}");
        assert!(!html.contains("href="), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script"), "{html}");
    }
}
