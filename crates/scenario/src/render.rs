//! Plain-text rendering of diagnostics, in the style of rustc.

use std::fmt::Write;

use crate::diagnostic::Diagnostic;

/// Renders diagnostics as text, one block each, e.g.
///
/// ```text
/// error[unknown-field]: unknown field `capcity` in [[facility.line]]
///  --> scenario.toml:12:1
///    |
/// 12 | capcity = 5
///    | ^^^^^^^
///    = entity: facility "krusik" line "mortar-a"
///    = hint: did you mean `capacity`?
/// ```
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, diagnostic) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_one(&mut out, diagnostic);
    }
    out
}

fn render_one(out: &mut String, d: &Diagnostic) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{}[{}]: {}", d.severity, d.code, d.message);
    let gutter = d.line.map_or(0, |l| l.to_string().len());
    let pad = " ".repeat(gutter);
    match (d.line, d.column) {
        (Some(line), Some(column)) => {
            let _ = writeln!(out, "{pad}--> {}:{line}:{column}", d.file);
        }
        _ if !d.file.is_empty() => {
            let _ = writeln!(out, "{pad}--> {}", d.file);
        }
        _ => {}
    }
    if let (Some(line), Some(column), Some(text)) = (d.line, d.column, &d.source_line) {
        // Tabs become one space each so the caret stays under its column.
        let text = text.replace('\t', " ");
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{line} | {text}");
        let _ = writeln!(
            out,
            "{pad} | {}{}",
            " ".repeat(column.saturating_sub(1)),
            "^".repeat(d.width.max(1))
        );
    }
    if let Some(entity) = &d.entity {
        let _ = writeln!(out, "{pad} = entity: {entity}");
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "{pad} = hint: {hint}");
    }
}
