//! Writes the page: a static shell, the document as inert JSON, ECharts and
//! the layout script, all inline.

use std::fmt::Write;

use crate::assets::{ECHARTS, ECHARTS_VERSION, NOTICES, SCRIPT, STYLE};
use crate::document::ReportDocument;

/// The ECharts version embedded in every report.
pub fn echarts_version() -> &'static str {
    ECHARTS_VERSION.trim()
}

/// The content security policy of the page: nothing may be fetched, only
/// the inline scripts and styles run.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; \
                   style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'none'";

/// Renders the report as one self-contained HTML page.
pub fn render(doc: &ReportDocument) -> String {
    let data = embed_json(doc);
    let title = escape_html(&doc.title);
    let generator = escape_html(&doc.generator);
    let mut page = String::with_capacity(ECHARTS.len() + SCRIPT.len() + data.len() + 16_384);
    // `write!` into a String cannot fail.
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="{generator}">
<title>{title}</title>
<style>
{STYLE}
</style>
</head>
<body>
<header class="page-header">
<h1>{title}</h1>
<p class="byline">Written by {generator}. Charts drawn with Apache ECharts {version} (Apache-2.0), embedded in this file: the page works offline and fetches nothing.</p>
<nav id="toc" aria-label="Contents"></nav>
</header>
<main id="report"></main>
<noscript><p class="warning">This report lays out its tables and charts with JavaScript; enable it to see them.</p></noscript>
<script type="application/json" id="caisson-data">{data}</script>
<script>
/* Apache ECharts {version}, from its npm package, unmodified.
{NOTICES}*/
{ECHARTS}
</script>
<script>
{SCRIPT}
</script>
</body>
</html>
"#,
        version = echarts_version(),
    );
    page
}

/// The document as JSON that cannot end its `<script>` element: `<`, `>`
/// and `&` only occur inside JSON strings, where `\u003c` and friends mean
/// the same.
fn embed_json(doc: &ReportDocument) -> String {
    // A document of plain data always serialises.
    let json = serde_json::to_string(doc).unwrap_or_else(|_| "null".to_owned());
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML content and double-quoted attributes.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_assets_cannot_close_their_elements() {
        for (name, text) in [
            ("report.js", SCRIPT),
            ("notices", NOTICES),
            ("echarts", ECHARTS),
        ] {
            assert!(!text.to_ascii_lowercase().contains("</script"), "{name}");
        }
        assert!(
            !NOTICES.contains("*/"),
            "the notices sit in a block comment"
        );
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
        assert!(
            !STYLE.contains("@import") && !STYLE.contains("url("),
            "the style sheet fetches nothing"
        );
    }

    #[test]
    fn embedded_json_cannot_close_the_script() {
        let mut doc = ReportDocument::new("x </script><script>alert(1)</script> & <!--");
        doc.generator = "</SCRIPT>".to_owned();
        let data = embed_json(&doc);
        assert!(!data.contains('<') && !data.contains('>'));
        let back: serde_json::Value = serde_json::from_str(&data).expect("still JSON");
        assert_eq!(back["title"], "x </script><script>alert(1)</script> & <!--");
        let page = render(&doc);
        assert!(page.contains(
            "<title>x &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!--</title>"
        ));
        // Exactly the three script elements of the shell.
        assert_eq!(page.to_ascii_lowercase().matches("</script").count(), 3);
    }
}
