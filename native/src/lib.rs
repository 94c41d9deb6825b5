//! tweetpulse's optional compiled scoring core: `TextBlob(text).sentiment`, bit for bit.
//!
//! Python builds the tables from TextBlob's own loader (`tweetpulse.scorers._textblob_native`)
//! and hands them over once, to [`Engine`]; nothing of TextBlob's lexicon lives in this crate.
//! `Engine.score(text)` runs the tokenizer ([`tokens`]) and the assessment walk ([`walk`]);
//! `decode_records(values, max_text)` is the tweet record's fast path for a whole poll batch ([`records`]);
//! `NgramCounter` counts a trained model's n-grams for its tf-idf ([`ngrams`]).

mod cache;
mod chars;
mod ngrams;
mod records;
mod tokens;
mod tweettext;
mod walk;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use cache::ResultCache;
use chars::Chars;
use rustc_hash::FxHashMap;
use tokens::{Scratch, Tokenizer};
use walk::{Walk, WordInfo};

/// The TextBlob-exact scorer, built once per process from Python-made tables.
#[pyclass(module = "tweetpulse_native")]
struct Engine {
    tokenizer: Tokenizer,
    table: FxHashMap<Box<str>, WordInfo>,
    chars: Chars,
    scratch: Scratch,
    walk: Walk,
    lower: String,
    cache: ResultCache,
}

#[pymethods]
impl Engine {
    /// Tables, all from the installed TextBlob:
    /// `lexicon` {word: (polarity, subjectivity, intensity)}, `modifiers` and `negations` (words),
    /// `emoticons` {lower-cased emoticon: polarity}, `rewrites` (literal (old, new) replacements in
    /// order), `contraction_keys`, `lead` (leading punctuation marks), `abbreviations`,
    /// `end_of_sentence` (TextBlob's marker) and `emoticon_alternatives` (RE_EMOTICONS' order).
    #[new]
    #[pyo3(signature = (*, lexicon, modifiers, negations, emoticons, rewrites, contraction_keys, lead,
                        abbreviations, end_of_sentence, emoticon_alternatives))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        lexicon: Vec<(String, (f64, f64, f64))>,
        modifiers: Vec<String>,
        negations: Vec<String>,
        emoticons: Vec<(String, f64)>,
        rewrites: Vec<(String, String)>,
        contraction_keys: Vec<String>,
        lead: String,
        abbreviations: Vec<String>,
        end_of_sentence: String,
        emoticon_alternatives: Vec<String>,
    ) -> Self {
        let mut table: FxHashMap<Box<str>, WordInfo> = FxHashMap::default();
        let blank = || WordInfo {
            lexicon: None,
            modifier: false,
            negation: false,
            emoticon: None,
        };
        for (word, entry) in lexicon {
            table
                .entry(word.into_boxed_str())
                .or_insert_with(blank)
                .lexicon = Some(entry);
        }
        for word in modifiers {
            table
                .entry(word.into_boxed_str())
                .or_insert_with(blank)
                .modifier = true;
        }
        for word in negations {
            table
                .entry(word.into_boxed_str())
                .or_insert_with(blank)
                .negation = true;
        }
        for (word, polarity) in emoticons {
            table
                .entry(word.into_boxed_str())
                .or_insert_with(blank)
                .emoticon = Some(polarity);
        }
        let tokenizer = Tokenizer::new(
            rewrites,
            contraction_keys,
            &lead,
            abbreviations,
            end_of_sentence,
            emoticon_alternatives,
        );
        Engine {
            tokenizer,
            table,
            chars: Chars::default(),
            scratch: Scratch::default(),
            walk: Walk::default(),
            lower: String::new(),
            cache: ResultCache::default(),
        }
    }

    /// `(polarity, subjectivity)` of `text`, equal to `tuple(TextBlob(text).sentiment)`.
    ///
    /// Raises UnicodeEncodeError for a text with lone surrogates (the caller scores it in Python).
    fn score(&mut self, py: Python<'_>, text: &str) -> PyResult<(f64, f64)> {
        self.walk_text(py, text)
    }

    /// [`Engine::score`] through the result cache (see [`Engine::set_cache`]).
    fn sentiment(&mut self, py: Python<'_>, text: &str) -> PyResult<(f64, f64)> {
        self.cached(py, text)
    }

    /// Empty the result cache and its counters, and bound it at `capacity` texts (0: no cache).
    fn set_cache(&mut self, capacity: usize) {
        self.cache.reset(capacity);
    }

    /// The result cache's `(hits, misses, size)`.
    fn cache_info(&self) -> (u64, u64, usize) {
        (self.cache.hits, self.cache.misses, self.cache.len())
    }

    /// A listener's poll batch from message to row in one call: for each Kafka message of
    /// `messages` (error-free), its `ScoredTweet` fields as a tuple in column order, or `None`
    /// where Python must decide (a value the record decoder is not sure about: see [`records`],
    /// or a text whose scoring raised). The rule is Python's, operation for operation:
    /// `weight = ln(followers + 1)` (1.0 when unknown), `score = weight × polarity`, the label by
    /// `neutral_band`, `produced_at` = the message timestamp in seconds (None without one),
    /// `scored_at = now`, `scorer` as given.
    fn rows<'py>(
        &mut self,
        py: Python<'py>,
        messages: &Bound<'py, PyList>,
        max_text: usize,
        now: f64,
        scorer: &Bound<'py, PyString>,
        neutral_band: f64,
    ) -> PyResult<Bound<'py, PyList>> {
        let (positive, negative, neutral) = (
            intern!(py, "positive"),
            intern!(py, "negative"),
            intern!(py, "neutral"),
        );
        let scored_at = now.into_pyobject(py)?.into_any();
        let mut out: Vec<Option<Bound<'py, PyTuple>>> = Vec::with_capacity(messages.len());
        for msg in messages.iter() {
            let value = msg.call_method0(intern!(py, "value"))?;
            let Some(d) = value
                .cast::<PyBytes>()
                .ok()
                .and_then(|b| records::decode(b.as_bytes(), max_text))
            else {
                out.push(None);
                continue;
            };
            let Ok((polarity, subjectivity)) = self.cached(py, &d.text) else {
                out.push(None); // Python scores it again, and sets it aside with the error
                continue;
            };
            let weight = match d.followers {
                None => 1.0,
                Some(f) => ((f + 1) as f64).ln(), // f <= i64::MAX: no overflow; Python's int → float rounding
            };
            let label = if polarity > neutral_band {
                positive
            } else if polarity < -neutral_band {
                negative
            } else {
                neutral
            };
            let (ts_type, ts_ms): (i64, i64) = msg.call_method0(intern!(py, "timestamp"))?.extract()?;
            let produced_at = (ts_type != 0).then(|| ts_ms as f64 / 1000.0);
            let items: [Bound<'py, PyAny>; 19] = [
                d.id.as_ref().into_pyobject(py)?.into_any(),
                d.text.as_ref().into_pyobject(py)?.into_any(),
                d.created_at.as_deref().into_pyobject(py)?,
                d.author.as_deref().into_pyobject(py)?,
                d.author_id.as_deref().into_pyobject(py)?,
                d.followers.into_pyobject(py)?,
                d.lang.as_deref().into_pyobject(py)?,
                PyList::new(py, d.keywords.iter().map(|k| k.as_ref()))?.into_any(),
                d.source.as_ref().into_pyobject(py)?.into_any(),
                polarity.into_pyobject(py)?.into_any(),
                subjectivity.into_pyobject(py)?.into_any(),
                weight.into_pyobject(py)?.into_any(),
                (weight * polarity).into_pyobject(py)?.into_any(),
                label.clone().into_any(),
                msg.call_method0(intern!(py, "partition"))?,
                msg.call_method0(intern!(py, "offset"))?,
                produced_at.into_pyobject(py)?,
                scored_at.clone(),
                scorer.clone().into_any(),
            ];
            out.push(Some(PyTuple::new(py, items)?));
        }
        PyList::new(py, out)
    }

    /// The words TextBlob assesses, before lower-casing: `" ".join(find_tokens(text)).split()`.
    fn words(&mut self, py: Python<'_>, text: &str) -> PyResult<Vec<String>> {
        self.tokenizer
            .words(py, &mut self.chars, text, &mut self.scratch)?;
        Ok(self
            .scratch
            .words
            .iter()
            .map(|&w| self.scratch.word(w).to_owned())
            .collect())
    }

    /// `word.lower()` as the engine computes it (for tests against Python's).
    fn lower(&mut self, py: Python<'_>, word: &str) -> PyResult<String> {
        let mut out = String::new();
        self.chars.lower_into(py, word, &mut out)?;
        Ok(out)
    }
}

impl Engine {
    /// The tokenizer and the walk over one text.
    fn walk_text(&mut self, py: Python<'_>, text: &str) -> PyResult<(f64, f64)> {
        self.tokenizer
            .words(py, &mut self.chars, text, &mut self.scratch)?;
        self.walk.reset();
        for k in 0..self.scratch.words.len() {
            let word = self.scratch.word(self.scratch.words[k]);
            self.lower.clear();
            self.chars.lower_into(py, word, &mut self.lower)?;
            let info = self.table.get(self.lower.as_str());
            self.walk.feed(&self.lower, info)?;
        }
        Ok(self.walk.result())
    }

    fn cached(&mut self, py: Python<'_>, text: &str) -> PyResult<(f64, f64)> {
        if let Some(found) = self.cache.get(text) {
            return Ok(found);
        }
        let result = self.walk_text(py, text)?;
        self.cache.keep(text, result);
        Ok(result)
    }
}

#[pymodule]
fn tweetpulse_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add_class::<ngrams::NgramCounter>()?;
    m.add_class::<tweettext::TweetText>()?;
    m.add_function(wrap_pyfunction!(records::decode_records, m)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::new(
            vec![
                ("good".into(), (0.7, 0.6, 1.0)),
                ("very".into(), (0.2, 0.3, 1.3)),
            ],
            vec!["very".into()],
            vec!["not".into()],
            vec![(":)".into(), 0.5)],
            vec![],
            vec![],
            String::new(),
            vec![],
            "\n".into(),
            vec![":)".into()],
        )
    }

    #[test]
    fn the_engine_scores_words_from_its_tables() {
        Python::attach(|py| {
            let mut e = engine();
            assert_eq!(e.words(py, "Very GOOD").unwrap(), vec!["Very", "GOOD"]);
            assert_eq!(e.lower(py, "GOOD").unwrap(), "good");
            assert_eq!(e.score(py, "Very GOOD").unwrap(), (0.7 * 1.3, 0.6 * 1.3));
            assert_eq!(e.score(py, "not good").unwrap(), (-0.35, 0.6));
            assert_eq!(e.score(py, "nothing known").unwrap(), (0.0, 0.0));
        });
    }
}
