//! A small JSON reader that keeps byte spans (serde_json does not), so
//! JSON scenarios get the same located diagnostics as TOML ones.

use crate::tree::{Array, Entry, Node, Span, SyntaxError, Table, Value};

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

/// Parses JSON text into the value tree.
pub(crate) fn parse_json(source: &str) -> std::result::Result<Node<'static>, Vec<SyntaxError>> {
    let mut parser = Parser {
        text: source.as_bytes(),
        source,
        pos: 0,
    };
    let result = parser.document();
    result.map_err(|e| vec![e])
}

struct Parser<'s> {
    text: &'s [u8],
    source: &'s str,
    pos: usize,
}

type Result<T> = std::result::Result<T, SyntaxError>;

impl Parser<'_> {
    fn error<T>(&self, message: impl Into<String>, start: usize) -> Result<T> {
        let end = (start + 1).min(self.text.len()).max(start);
        Err(SyntaxError {
            message: message.into(),
            span: Span { start, end },
        })
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn document(&mut self) -> Result<Node<'static>> {
        self.skip_ws();
        let node = self.value(0)?;
        self.skip_ws();
        if self.pos < self.text.len() {
            return self.error("unexpected text after the JSON value", self.pos);
        }
        Ok(node)
    }

    fn value(&mut self, depth: usize) -> Result<Node<'static>> {
        if depth > MAX_DEPTH {
            return self.error("JSON nested too deeply", self.pos);
        }
        let start = self.pos;
        let value = match self.peek() {
            None => return self.error("unexpected end of JSON", start),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?.into()),
            Some(b't') => self.keyword("true", Value::Bool(true))?,
            Some(b'f') => self.keyword("false", Value::Bool(false))?,
            Some(b'n') => self.keyword("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return self.error("expected a JSON value", start),
        };
        Ok(Node {
            value,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    fn keyword(&mut self, word: &str, value: Value<'static>) -> Result<Value<'static>> {
        if self.text[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            self.error("expected a JSON value", self.pos)
        }
    }

    fn number(&mut self) -> Result<Value<'static>> {
        let start = self.pos;
        let mut integer = true;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while let Some(b'0'..=b'9') = p.peek() {
                p.pos += 1;
            }
            p.pos > s
        };
        if !digits(self) {
            return self.error("expected digits in a number", self.pos);
        }
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if !digits(self) {
                return self.error("expected digits after the decimal point", self.pos);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return self.error("expected digits in the exponent", self.pos);
            }
        }
        let text = &self.source[start..self.pos];
        match text.parse::<f64>() {
            Ok(value) => Ok(Value::Number { value, integer }),
            Err(_) => self.error("malformed number", start),
        }
    }

    fn string(&mut self) -> Result<String> {
        let start = self.pos;
        self.pos += 1; // the opening quote
        let mut out = String::new();
        loop {
            let Some(b) = self.peek() else {
                return self.error("unterminated string", start);
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let escape = self.peek();
                    self.pos += 1;
                    match escape {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let c = self.unicode_escape()?;
                            out.push(c);
                        }
                        _ => return self.error("invalid escape in string", self.pos - 1),
                    }
                }
                0..=0x1f => return self.error("control character in string", self.pos),
                _ => {
                    // Copy one whole UTF-8 character (the source is a str,
                    // so boundaries are valid).
                    let rest = &self.source[self.pos..];
                    let Some(c) = rest.chars().next() else {
                        return self.error("unterminated string", start);
                    };
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let start = self.pos;
        let Some(digits) = self.source.get(self.pos..self.pos + 4) else {
            return self.error("expected four hex digits", start);
        };
        let value = u32::from_str_radix(digits, 16);
        match value {
            Ok(v) if digits.bytes().all(|b| b.is_ascii_hexdigit()) => {
                self.pos += 4;
                Ok(v)
            }
            _ => self.error("expected four hex digits", start),
        }
    }

    fn unicode_escape(&mut self) -> Result<char> {
        let start = self.pos;
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if !self.text[self.pos..].starts_with(b"\\u") {
                return self.error("unpaired surrogate in string", start);
            }
            self.pos += 2;
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return self.error("unpaired surrogate in string", start);
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => self.error("invalid unicode escape", start),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'static>> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(Array {
                items,
                of_tables: false,
            }));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(Array {
                        items,
                        of_tables: false,
                    }));
                }
                _ => return self.error("expected `,` or `]` in an array", self.pos),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'static>> {
        self.pos += 1;
        let mut entries: Vec<Entry<'static>> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Table(Table::new(entries)));
        }
        loop {
            self.skip_ws();
            let key_start = self.pos;
            if self.peek() != Some(b'"') {
                return self.error("expected a string key in an object", self.pos);
            }
            let key = self.string()?;
            let key_span = Span {
                start: key_start,
                end: self.pos,
            };
            if entries.iter().any(|e| e.key == key) {
                return Err(SyntaxError {
                    message: format!("duplicate key \"{key}\""),
                    span: key_span,
                });
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return self.error("expected `:` after an object key", self.pos);
            }
            self.pos += 1;
            self.skip_ws();
            let node = self.value(depth + 1)?;
            entries.push(Entry {
                key: key.into(),
                key_span,
                node,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Table(Table::new(entries)));
                }
                _ => return self.error("expected `,` or `}` in an object", self.pos),
            }
        }
    }
}
