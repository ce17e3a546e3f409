//! A small JSON writer: the command's output is a few flat objects, written by hand.

use std::fmt::Write;

/// One JSON object being written.
pub struct Object {
    out: String,
    first: bool,
}

impl Object {
    pub fn new() -> Self {
        Object {
            out: String::from("{"),
            first: true,
        }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_string(&mut self.out, key);
        self.out.push(':');
    }

    pub fn str(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        push_string(&mut self.out, value);
        self
    }

    pub fn u64(mut self, key: &str, value: u64) -> Self {
        self.key(key);
        let _ = write!(self.out, "{value}");
        self
    }

    pub fn opt_u64(mut self, key: &str, value: Option<u64>) -> Self {
        self.key(key);
        match value {
            Some(value) => {
                let _ = write!(self.out, "{value}");
            }
            None => self.out.push_str("null"),
        }
        self
    }

    /// A value already in JSON (an object or array).
    pub fn raw(mut self, key: &str, json: &str) -> Self {
        self.key(key);
        self.out.push_str(json);
        self
    }

    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// A JSON array of values already in JSON.
pub fn array(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(","))
}

/// A JSON string.
pub fn string(value: &str) -> String {
    let mut out = String::new();
    push_string(&mut out, value);
    out
}

fn push_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(string("a\"b\\c\nd\u{1}é"), r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn objects_nest() {
        let inner = Object::new().u64("n", 1).opt_u64("none", None).finish();
        let outer = Object::new()
            .str("s", "x")
            .raw("inner", &inner)
            .raw("list", &array([inner.clone(), inner.clone()]))
            .finish();
        assert_eq!(
            outer,
            r#"{"s":"x","inner":{"n":1,"none":null},"list":[{"n":1,"none":null},{"n":1,"none":null}]}"#
        );
    }
}
