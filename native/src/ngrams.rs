//! The trained scorer's counting step: scikit-learn's n-grams looked up in a fitted vocabulary.
//!
//! `NgramCounter` is built once from a fitted vectorizer's `vocabulary_` and `ngram_range`, and
//! counts a batch of documents into the three arrays of a CSR matrix, as `CountVectorizer._count_vocab`
//! builds it: `indptr` and `indices` as int32 and the counts as C int, the indices of each row sorted
//! (its `sort_indices`), out-of-vocabulary n-grams dropped. Python does everything that depends
//! on Python's text semantics (the preprocessor, `str.split()`, the token regex) and hands over
//! the words; Python's tf-idf and classifier do the arithmetic after. So the probabilities stay
//! scikit-learn's own, bit for bit.
//!
//! * `char_wb`: each word padded with one space each side, n-grams by code point from `min_n` to
//!   `max_n`, with scikit-learn's loop (`w[offset:offset + n]`, and a word shorter than `n`
//!   counted once, at the first `n` it is shorter than);
//! * `word`: the tokens, then the n-grams of 2 and more tokens joined by single spaces.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};
use rustc_hash::FxHashMap;

use crate::chars::Chars;

/// The longest char n-gram counted: six code points of 21 bits fit one `u128` key.
pub const MAX_CHAR_N: usize = 6;

/// A char n-gram as one number: each code point + 1 in 21 bits (0 = no code point), so
/// n-grams of different lengths never share a key.
fn pack(chars: &[u32]) -> u128 {
    let key = chars
        .iter()
        .fold(0u128, |key, &c| (key << 21) | u128::from(c + 1));
    // times an odd number (a bijection, so keys stay distinct): spreads the bits the hash
    // table indexes by, which the packed code points of similar n-grams share
    key.wrapping_mul(MIX)
}

const MIX: u128 = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835;

/// The fitted vocabulary: char n-grams by packed key, word n-grams by their text.
enum Vocabulary {
    Chars(FxHashMap<u128, u32>),
    Words(FxHashMap<Box<str>, u32>),
}

/// Counts n-grams of a fitted vocabulary (see the module's doc).
#[pyclass(module = "tweetpulse_native")]
pub struct NgramCounter {
    vocabulary: Vocabulary,
    grams: Grams,
    chars: Chars,
    spans: Vec<(usize, usize)>,
}

/// The n-gram range and the buffers reused from document to document.
struct Grams {
    min_n: usize,
    max_n: usize,
    padded: Vec<u32>,
    joined: String,
    row: Vec<u32>,
    tally: Vec<u32>,
}

/// Count column `j` in the current row: `row` lists the distinct columns, `tally` their counts.
fn hit(row: &mut Vec<u32>, tally: &mut [u32], j: u32) {
    let slot = &mut tally[j as usize];
    if *slot == 0 {
        row.push(j);
    }
    *slot += 1;
}

impl NgramCounter {
    fn build(
        vocabulary: Vec<(String, u32)>,
        analyzer: &str,
        min_n: usize,
        max_n: usize,
    ) -> PyResult<Self> {
        if min_n < 1 || max_n < min_n {
            return Err(PyValueError::new_err(
                "ngram_range must be 1 <= min_n <= max_n",
            ));
        }
        if vocabulary.iter().any(|&(_, j)| j > i32::MAX as u32) {
            return Err(PyValueError::new_err("a vocabulary column beyond int32"));
        }
        let vocabulary = match analyzer {
            "char_wb" if max_n <= MAX_CHAR_N => {
                let mut keys = FxHashMap::default();
                for (gram, j) in vocabulary {
                    let chars: Vec<u32> = gram.chars().map(u32::from).collect();
                    if chars.len() <= max_n {
                        keys.insert(pack(&chars), j); // a longer one is never generated
                    }
                }
                Vocabulary::Chars(keys)
            }
            "char_wb" => {
                return Err(PyValueError::new_err(format!(
                    "char n-grams longer than {MAX_CHAR_N} are not counted here"
                )))
            }
            "word" => Vocabulary::Words(
                vocabulary
                    .into_iter()
                    .map(|(k, v)| (k.into_boxed_str(), v))
                    .collect(),
            ),
            other => {
                return Err(PyValueError::new_err(format!(
                    "analyzer {other:?} is not counted here"
                )))
            }
        };
        let columns = match &vocabulary {
            Vocabulary::Chars(keys) => keys.values().max(),
            Vocabulary::Words(keys) => keys.values().max(),
        };
        let grams = Grams {
            tally: vec![0; columns.map_or(0, |&j| j as usize + 1)],
            min_n,
            max_n,
            padded: Vec::new(),
            joined: String::new(),
            row: Vec::new(),
        };
        Ok(NgramCounter {
            vocabulary,
            grams,
            chars: Chars::default(),
            spans: Vec::new(),
        })
    }

    /// Counts of `docs` (each a list of words), as a CSR matrix's arrays.
    fn count_words(&mut self, docs: &[Vec<&str>]) -> Csr {
        let mut csr = csr_with_rows(docs.len());
        for words in docs {
            match &self.vocabulary {
                Vocabulary::Chars(keys) => {
                    for w in words {
                        self.grams.char_wb_word(keys, w);
                    }
                }
                Vocabulary::Words(keys) => self.grams.word_ngrams(keys, words),
            }
            self.grams.end_row(&mut csr);
        }
        csr
    }
}

impl Grams {
    /// The char_wb n-grams of one word (sklearn's `_char_wb_ngrams` loop body), into `row`:
    /// `w = " " + word + " "`, then `w[offset:offset + n]` by code point.
    fn char_wb_word(&mut self, keys: &FxHashMap<u128, u32>, word: &str) {
        let w = &mut self.padded;
        w.clear();
        w.push(u32::from(' '));
        w.extend(word.chars().map(u32::from));
        w.push(u32::from(' '));
        let w_len = w.len();
        let (row, tally) = (&mut self.row, &mut self.tally);
        let mut look_up = |start: usize, end: usize| {
            if let Some(&j) = keys.get(&pack(&w[start..end.min(w_len)])) {
                hit(row, tally, j);
            }
        };
        for n in self.min_n..=self.max_n {
            let mut offset = 0;
            look_up(offset, offset + n);
            while offset + n < w_len {
                offset += 1;
                look_up(offset, offset + n);
            }
            if offset == 0 {
                break; // a short word (w_len < n) counts once
            }
        }
    }

    /// The word n-grams of one document's tokens (sklearn's `_word_ngrams`), into `self.row`.
    fn word_ngrams(&mut self, keys: &FxHashMap<Box<str>, u32>, tokens: &[&str]) {
        let n_tokens = tokens.len();
        let (row, tally) = (&mut self.row, &mut self.tally);
        if self.min_n == 1 {
            for &j in tokens.iter().filter_map(|t| keys.get(*t)) {
                hit(row, tally, j);
            }
        }
        let first = self.min_n.max(2);
        for n in first..=self.max_n.min(n_tokens) {
            for i in 0..=(n_tokens - n) {
                self.joined.clear();
                for (k, t) in tokens[i..i + n].iter().enumerate() {
                    if k > 0 {
                        self.joined.push(' ');
                    }
                    self.joined.push_str(t);
                }
                if let Some(&j) = keys.get(self.joined.as_str()) {
                    hit(row, tally, j);
                }
            }
        }
    }

    /// One document's counts (see [`hit`]) as the next row of `csr`, in index order; then a fresh row.
    fn end_row(&mut self, csr: &mut Csr) {
        self.row.sort_unstable();
        for &j in &self.row {
            let slot = &mut self.tally[j as usize];
            csr.1.push(j as i32);
            csr.2.push(*slot as i32);
            *slot = 0;
        }
        self.row.clear();
        csr.0.push(csr.1.len() as i32);
    }
}

/// A CSR matrix's `(indptr, indices, counts)`, as vectors and as native-endian int32 bytes.
type Csr = (Vec<i32>, Vec<i32>, Vec<i32>);
type CsrBytes<'py> = (
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
);

fn csr_with_rows(rows: usize) -> Csr {
    let mut indptr = Vec::with_capacity(rows + 1);
    indptr.push(0);
    (indptr, Vec::new(), Vec::new())
}

fn csr_bytes<'py>(py: Python<'py>, csr: &Csr) -> CsrBytes<'py> {
    let le = |values: &[i32]| {
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        PyBytes::new(py, &raw)
    };
    (le(&csr.0), le(&csr.1), le(&csr.2))
}

#[pymethods]
impl NgramCounter {
    /// `vocabulary` is the fitted `vocabulary_` (n-gram → column), `analyzer` `"char_wb"` or
    /// `"word"`, `ngram_range` the vectorizer's `(min_n, max_n)`.
    #[new]
    fn new(
        vocabulary: Vec<(String, u32)>,
        analyzer: &str,
        ngram_range: (usize, usize),
    ) -> PyResult<Self> {
        Self::build(vocabulary, analyzer, ngram_range.0, ngram_range.1)
    }

    /// For a batch of texts (char_wb only): each split as Python's `str.split()` splits it (what
    /// scikit-learn's whitespace normalisation + `split()` give), then counted as [`Self::count`] does.
    ///
    /// Raises UnicodeEncodeError for a text with lone surrogates (the caller counts in Python).
    fn count_texts<'py>(
        &mut self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
    ) -> PyResult<CsrBytes<'py>> {
        let Vocabulary::Chars(keys) = &self.vocabulary else {
            return Err(PyValueError::new_err("count_texts counts char_wb n-grams"));
        };
        let mut csr = csr_with_rows(texts.len());
        for item in texts.iter() {
            let text = item.cast_into::<PyString>()?;
            let text = text.to_str()?;
            self.spans.clear();
            self.chars.split_into(py, text, &mut self.spans)?;
            for &(a, b) in &self.spans {
                self.grams.char_wb_word(keys, &text[a..b]);
            }
            self.grams.end_row(&mut csr);
        }
        Ok(csr_bytes(py, &csr))
    }

    /// For a batch of documents, each a list of str (words for char_wb, tokens for word), the
    /// CSR arrays `(indptr, indices, counts)` as native-endian int32 bytes (for `numpy.frombuffer`).
    ///
    /// Raises UnicodeEncodeError for a word with lone surrogates (the caller counts in Python).
    fn count<'py>(
        &mut self,
        py: Python<'py>,
        docs: &Bound<'py, PyList>,
    ) -> PyResult<CsrBytes<'py>> {
        let mut held: Vec<Vec<Bound<'py, PyString>>> = Vec::with_capacity(docs.len());
        for doc in docs.iter() {
            let words = doc.cast::<PyList>()?;
            let mut row = Vec::with_capacity(words.len());
            for w in words.iter() {
                row.push(w.cast_into::<PyString>()?);
            }
            held.push(row);
        }
        let mut texts: Vec<Vec<&str>> = Vec::with_capacity(held.len());
        for row in &held {
            let mut words = Vec::with_capacity(row.len());
            for w in row {
                words.push(w.to_str()?);
            }
            texts.push(words);
        }
        Ok(csr_bytes(py, &self.count_words(&texts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(vocab: &[&str], analyzer: &str, range: (usize, usize)) -> NgramCounter {
        let vocabulary = vocab
            .iter()
            .enumerate()
            .map(|(i, w)| (w.to_string(), i as u32))
            .collect();
        NgramCounter::build(vocabulary, analyzer, range.0, range.1).unwrap()
    }

    #[test]
    fn char_wb_pads_words_and_counts_a_short_word_once() {
        // " a " has 3 code points: for n=4 it is counted once (as " a "), then the loop stops
        let mut c = counter(&[" a ", " a", "a ", "ab", " ab ", "é "], "char_wb", (2, 4));
        let (indptr, indices, counts) = c.count_words(&[vec!["a", "ab", "a"], vec![], vec!["é"]]);
        assert_eq!(indptr, vec![0, 5, 5, 6]);
        // " a " once per "a" (at n=3, then the loop breaks), " a" from both "a" and "ab", "a " per "a"
        assert_eq!(indices, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(counts, vec![2, 3, 2, 1, 1, 1]);
        assert_eq!(c.count_words(&[vec!["é"]]).1, vec![5]);
        // code points, not bytes, and n-grams of different lengths never share a key
        let mut wide = counter(
            &["😀", " 😀", "😀😀", "\u{0}", "\u{0}\u{0}"],
            "char_wb",
            (1, 2),
        );
        let (_, indices, counts) = wide.count_words(&[vec!["😀😀"], vec!["\u{0}"]]);
        assert_eq!(indices, vec![0, 1, 2, 3]);
        assert_eq!(counts, vec![2, 1, 1, 1]);
    }

    #[test]
    fn word_ngrams_join_tokens_with_one_space() {
        let mut c = counter(
            &["good", "not good", "not", "very not good"],
            "word",
            (1, 3),
        );
        let (indptr, indices, counts) =
            c.count_words(&[vec!["very", "not", "good", "good"], vec!["good"]]);
        assert_eq!(indptr, vec![0, 4, 5]);
        assert_eq!(indices, vec![0, 1, 2, 3, 0]);
        assert_eq!(counts, vec![2, 1, 1, 1, 1]);
        let mut bigrams = counter(&["good", "not good"], "word", (2, 2));
        assert_eq!(
            bigrams.count_words(&[vec!["not", "good"], vec!["good"]]).1,
            vec![1]
        );
    }

    #[test]
    fn count_texts_splits_where_python_splits() {
        Python::attach(|py| {
            let mut c = counter(&[" a ", " b ", " c\u{200b}d "], "char_wb", (3, 5));
            // U+0085 and U+1680 are Python whitespace, U+200B is not
            let texts = PyList::new(py, ["a\u{85}b\u{1680} a", "c\u{200b}d", ""]).unwrap();
            let (indptr, indices, counts) = c.count_texts(py, &texts).unwrap();
            let ints = |b: Bound<'_, PyBytes>| -> Vec<i32> {
                b.as_bytes()
                    .chunks(4)
                    .map(|w| i32::from_ne_bytes(w.try_into().unwrap()))
                    .collect()
            };
            assert_eq!(ints(indptr), vec![0, 2, 3, 3]);
            assert_eq!(ints(indices), vec![0, 1, 2]);
            assert_eq!(ints(counts), vec![2, 1, 1]);
            let mut words = counter(&["a"], "word", (1, 1));
            assert!(words
                .count_texts(py, &PyList::new(py, ["a"]).unwrap())
                .is_err());
        });
    }

    #[test]
    fn unknown_analyzers_and_ranges_are_refused() {
        assert!(NgramCounter::build(vec![], "char", 1, 2).is_err());
        assert!(NgramCounter::build(vec![], "word", 2, 1).is_err());
        assert!(NgramCounter::build(vec![], "word", 0, 1).is_err());
        assert!(NgramCounter::build(vec![], "char_wb", 1, MAX_CHAR_N + 1).is_err());
        assert!(NgramCounter::build(vec![("a".into(), 1 << 31)], "word", 1, 1).is_err());
    }
}
