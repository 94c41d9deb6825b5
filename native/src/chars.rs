//! Python's own character semantics, asked once per character and remembered.
//!
//! The tokenizer splits on what Python calls whitespace (`str.split()` and the regex `\s` of a
//! `str` pattern: the same set) and the walk looks words up by `str.lower()`. Rust's Unicode
//! tables follow a newer Unicode version than a given Python may, so for every non-ASCII
//! character the engine asks the running Python (`isspace`, `lower`) the first time it sees it.
//! ASCII is answered inline. The one context-dependent mapping of `str.lower()`, the final sigma
//! of U+03A3, is left to Python for the whole word (see [`Chars::lower_into`]).

use pyo3::prelude::*;
use pyo3::types::PyString;

use rustc_hash::FxHashMap;

const CAPITAL_SIGMA: char = '\u{3a3}';

struct CharInfo {
    space: bool,
    /// The regex `\w` of a `str` pattern: `str.isalnum()` (or the underscore, which is ASCII).
    word: bool,
    /// `None` when `str.lower()` leaves the character as it is.
    lower: Option<Box<str>>,
}

#[derive(Default)]
pub struct Chars {
    memo: FxHashMap<u32, CharInfo>,
}

#[inline]
fn ascii_space(b: u8) -> bool {
    // str.isspace() for ASCII: \t \n \v \f \r, the separators \x1c-\x1f, and the space.
    matches!(b, 0x09..=0x0d | 0x1c..=0x1f | b' ')
}

#[inline]
fn ascii_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Chars {
    /// Whether Python's `str.isspace()` (the regex `\s`) holds for `c`.
    pub fn is_space(&mut self, py: Python<'_>, c: char) -> PyResult<bool> {
        if c.is_ascii() {
            return Ok(ascii_space(c as u8));
        }
        Ok(self.info(py, c)?.space)
    }

    /// Whether the regex `\w` of a Python `str` pattern matches `c`.
    pub fn is_word(&mut self, py: Python<'_>, c: char) -> PyResult<bool> {
        if c.is_ascii() {
            return Ok(ascii_word(c as u8));
        }
        Ok(self.info(py, c)?.word)
    }

    fn info(&mut self, py: Python<'_>, c: char) -> PyResult<&CharInfo> {
        let key = c as u32;
        if let std::collections::hash_map::Entry::Vacant(slot) = self.memo.entry(key) {
            let mut utf8 = [0u8; 4];
            let s = PyString::new(py, c.encode_utf8(&mut utf8));
            let space: bool = s.call_method0("isspace")?.extract()?;
            let word: bool = s.call_method0("isalnum")?.extract()?;
            let lower: String = s.call_method0("lower")?.extract()?;
            let mut one = [0u8; 4];
            let same = lower == *c.encode_utf8(&mut one);
            let info = CharInfo {
                space,
                word,
                lower: if same {
                    None
                } else {
                    Some(lower.into_boxed_str())
                },
            };
            slot.insert(info);
        }
        Ok(&self.memo[&key])
    }

    /// Byte ranges of `s`'s whitespace-separated chunks, as Python's `str.split()` gives them.
    pub fn split_into(
        &mut self,
        py: Python<'_>,
        s: &str,
        out: &mut Vec<(usize, usize)>,
    ) -> PyResult<()> {
        let bytes = s.as_bytes();
        let mut start: Option<usize> = None;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let (space, width) = if b < 0x80 {
                (ascii_space(b), 1)
            } else {
                let c = s[i..].chars().next().expect("char boundary");
                (self.info(py, c)?.space, c.len_utf8())
            };
            if space {
                if let Some(a) = start.take() {
                    out.push((a, i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
            i += width;
        }
        if let Some(a) = start {
            out.push((a, bytes.len()));
        }
        Ok(())
    }

    /// Append `word.lower()` (Python's) to `out`.
    pub fn lower_into(&mut self, py: Python<'_>, word: &str, out: &mut String) -> PyResult<()> {
        if word.is_ascii() {
            out.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
            return Ok(());
        }
        if word.contains(CAPITAL_SIGMA) {
            // Final sigma depends on the cased/case-ignorable characters around it: ask Python.
            let lowered: String = PyString::new(py, word).call_method0("lower")?.extract()?;
            out.push_str(&lowered);
            return Ok(());
        }
        for c in word.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                match &self.info(py, c)?.lower {
                    Some(lower) => out.push_str(lower),
                    None => out.push(c),
                }
            }
        }
        Ok(())
    }
}
