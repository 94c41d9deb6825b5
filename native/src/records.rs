//! The tweet record's fast path in one call per poll batch: `decode_records(values, max_text)`.
//!
//! For each message value it returns the record's fields as a tuple in `RecordFields` order
//! (`id, text, created_at, author, author_id, followers, lang, keywords, source`), or `None` when
//! the value is not a record this fast path is sure about: then Python's `record_fields` decides
//! (and names the problem). So a tuple is returned only when `orjson.loads` + the rule in
//! `tweetpulse/models.py` would give the same fields; anything unusual (bad JSON, a wrong type, a
//! duplicate field, non-ASCII in the id, a text that may be only white space, a count out of range)
//! goes back to Python.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;

const SCHEMA_VERSION: i64 = 1;
const MAX_ID: usize = 256;

/// A JSON string, borrowed from the message value when it has no escapes (no copy, no allocation).
struct Text<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
        Ok(Text(Cow::Owned(v)))
    }
}

/// The record's fields; a field twice is an error (orjson would keep the last: Python decides).
#[derive(Default)]
struct Record<'de> {
    v: Option<i64>,
    id: Option<Text<'de>>,
    text: Option<Text<'de>>,
    created_at: Option<Option<Text<'de>>>,
    author: Option<Option<Text<'de>>>,
    author_id: Option<Option<Text<'de>>>,
    followers: Option<Option<u64>>,
    lang: Option<Option<Text<'de>>>,
    keywords: Option<Option<Vec<Text<'de>>>>,
    source: Option<Option<Text<'de>>>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    V,
    Id,
    Text,
    CreatedAt,
    Author,
    AuthorId,
    Followers,
    Lang,
    Keywords,
    Source,
    #[serde(other)]
    Other,
}

/// Any JSON value, checked the way orjson checks it: a number must be finite as a double
/// (serde_json refuses `1e400` only when it parses the number, which skipping does not).
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedVisitor)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Checked;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Checked, E> {
        if v.is_finite() {
            Ok(Checked)
        } else {
            Err(E::custom("number is not finite"))
        }
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

/// Set a field once; a second time is an error.
fn once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::custom("a field twice"));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Deserialize<'de> for Record<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a tweet record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record<'de>, A::Error> {
        let mut r = Record::default();
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::V => once(&mut r.v, map.next_value()?)?,
                Field::Id => once(&mut r.id, map.next_value()?)?,
                Field::Text => once(&mut r.text, map.next_value()?)?,
                Field::CreatedAt => once(&mut r.created_at, map.next_value()?)?,
                Field::Author => once(&mut r.author, map.next_value()?)?,
                Field::AuthorId => once(&mut r.author_id, map.next_value()?)?,
                Field::Followers => once(&mut r.followers, map.next_value()?)?,
                Field::Lang => once(&mut r.lang, map.next_value()?)?,
                Field::Keywords => once(&mut r.keywords, map.next_value()?)?,
                Field::Source => once(&mut r.source, map.next_value()?)?,
                Field::Other => {
                    map.next_value::<Checked>()?;
                }
            }
        }
        Ok(r)
    }
}

/// Python's `usable_id` for ids this path is sure about: 1 to MAX_ID printable ASCII characters,
/// not only spaces (anything non-ASCII is left to Python's `str.isprintable`).
fn usable_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && id.bytes().all(|b| (0x20..0x7f).contains(&b))
        && id.bytes().any(|b| b != b' ')
}

/// Whether `b` is an ASCII character Python's `str.isspace` calls white space.
fn ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ')
}

/// Python's `usable_text`: 1 to `max_text` characters, not only white space. `None` when only
/// Python can tell (no ASCII character that is not white space: Python's Unicode tables decide).
fn usable_text(text: &str, max_text: usize) -> Option<bool> {
    let chars = text.chars().count(); // = Python's len(): no lone surrogates get through serde_json
    if chars == 0 || chars > max_text {
        return Some(false);
    }
    if text.bytes().any(|b| b.is_ascii() && !ascii_space(b)) {
        Some(true)
    } else {
        None
    }
}

/// A record's fields, decoded and checked: what `record_fields` in Python would give. Its strings
/// are borrowed from the message value where they need no unescaping.
pub struct Decoded<'a> {
    pub id: Cow<'a, str>,
    pub text: Cow<'a, str>,
    pub created_at: Option<Cow<'a, str>>,
    pub author: Option<Cow<'a, str>>,
    pub author_id: Option<Cow<'a, str>>,
    pub followers: Option<u64>,
    pub lang: Option<Cow<'a, str>>,
    pub keywords: Vec<Cow<'a, str>>,
    pub source: Cow<'a, str>,
}

fn text<'a>(field: Option<Option<Text<'a>>>) -> Option<Cow<'a, str>> {
    field.flatten().map(|t| t.0)
}

/// The record in `raw`, or `None` when this fast path is not sure about it (Python decides).
pub fn decode(raw: &[u8], max_text: usize) -> Option<Decoded<'_>> {
    let r = serde_json::from_slice::<Record>(raw).ok()?;
    let (Some(id), Some(body)) = (r.id, r.text) else {
        return None;
    };
    let followers = r.followers.flatten();
    if r.v.unwrap_or(SCHEMA_VERSION) != SCHEMA_VERSION
        || !usable_id(&id.0)
        || usable_text(&body.0, max_text) != Some(true)
        || followers.is_some_and(|f| f > i64::MAX as u64)
    {
        return None;
    }
    let keywords = r.keywords.flatten().unwrap_or_default();
    Some(Decoded {
        id: id.0,
        text: body.0,
        created_at: text(r.created_at),
        author: text(r.author),
        author_id: text(r.author_id),
        followers,
        lang: text(r.lang),
        keywords: keywords.into_iter().map(|k| k.0).collect(),
        source: text(r.source).unwrap_or(Cow::Borrowed("unknown")),
    })
}

fn fields<'py>(
    py: Python<'py>,
    raw: &[u8],
    max_text: usize,
) -> PyResult<Option<Bound<'py, PyTuple>>> {
    let Some(d) = decode(raw, max_text) else {
        return Ok(None);
    };
    let keywords = PyList::new(py, d.keywords.iter().map(|k| k.as_ref()))?;
    let items = (
        d.id.as_ref(),
        d.text.as_ref(),
        d.created_at.as_deref(),
        d.author.as_deref(),
        d.author_id.as_deref(),
        d.followers,
        d.lang.as_deref(),
        keywords,
        d.source.as_ref(),
    );
    Ok(Some(items.into_pyobject(py)?))
}

/// For each value (bytes, or anything else: `None` back), the record's fields as a tuple or `None`.
#[pyfunction]
pub fn decode_records<'py>(
    py: Python<'py>,
    values: &Bound<'py, PyList>,
    max_text: usize,
) -> PyResult<Bound<'py, PyList>> {
    let mut out: Vec<Option<Bound<'py, PyTuple>>> = Vec::with_capacity(values.len());
    for value in values.iter() {
        match value.cast::<PyBytes>() {
            Ok(bytes) => out.push(fields(py, bytes.as_bytes(), max_text)?),
            Err(_) => out.push(None),
        }
    }
    PyList::new(py, out)
}
