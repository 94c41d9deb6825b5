//! tweetpulse's optional compiled scoring core: `TextBlob(text).sentiment`, bit for bit.
//!
//! Python builds the tables from TextBlob's own loader (`tweetpulse.scorers._textblob_native`)
//! and hands them over once, to [`Engine`]; nothing of TextBlob's lexicon lives in this crate.
//! `Engine.score(text)` runs the tokenizer ([`tokens`]) and the assessment walk ([`walk`]);
//! `decode_records(values, max_text)` is the tweet record's fast path for a whole poll batch ([`records`]);
//! `NgramCounter` counts a trained model's n-grams for its tf-idf ([`ngrams`]).

mod chars;
mod ngrams;
mod records;
mod tokens;
mod tweettext;
mod walk;

use pyo3::prelude::*;

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
        }
    }

    /// `(polarity, subjectivity)` of `text`, equal to `tuple(TextBlob(text).sentiment)`.
    ///
    /// Raises UnicodeEncodeError for a text with lone surrogates (the caller scores it in Python).
    fn score(&mut self, py: Python<'_>, text: &str) -> PyResult<(f64, f64)> {
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
