//! The trained scorer's text normalisation (`tweetpulse.scorers.features`), with Python's semantics.
//!
//! `tweet_chars` is four regex substitutions, a `str.lower()` and a fifth substitution; each is
//! done here as Python's `re.sub` does it (scanning the input left to right, each match tried
//! alternative by alternative, lookarounds on the input), for these exact patterns:
//!
//! * links: `(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)+/\S*` → ` xurl `;
//! * mentions: `@\w+` → ` xuser `;
//! * emoticons: `(?<!\S)(?:[:;=8][-o*']?[)\]}dDpP3]|<3+|\^_*\^|xD+|XD+)(?!\S)` → ` xemopos `,
//!   `(?<!\S)(?:[:;=8][-o*']?[(\[{/\\|]|:'\(|D:|</3)(?!\S)` → ` xemoneg `;
//! * `str.lower()`, then repeats: `(.)\1\1+` → the character twice.
//!
//! `default_tokens` is `negation_words` (the `[\w']+|[.,:;!?]` tokens, `neg_` in a negation's
//! scope) cut at apostrophes into pieces of two or more code points: scikit-learn's default
//! `token_pattern` on `negation_marked`'s output.
//!
//! `\w` and `\s` are Python's (asked once per non-ASCII character, see [`crate::chars`]), and so
//! is `str.lower()`. Every pattern is deterministic once its alternatives are told apart by their
//! first character (the optional middle characters of the emoticons never close one), so each
//! scan looks ahead a bounded or linear distance and never backtracks: linear in the text.
//! `tests/unit/test_model_native.py` compares both functions with Python's on hostile text.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use rustc_hash::FxHashSet;

use crate::chars::Chars;

const EMOTICON_TOKENS: [&str; 2] = ["xemopos", "xemoneg"];

/// Normalises tweets as `tweetpulse.scorers.features` does.
#[pyclass(module = "tweetpulse_native")]
pub struct TweetText {
    chars: Chars,
    negations: FxHashSet<String>,
    text: Vec<char>,
    out: Vec<char>,
    space: Vec<bool>,
    word: Vec<bool>,
}

fn push_str(out: &mut Vec<char>, s: &str) {
    out.extend(s.chars());
}

/// `[\w-]`
fn wordish(t: &[char], word: &[bool], i: usize) -> bool {
    word[i] || t[i] == '-'
}

/// The end of the `\S` run from `i` (`i` itself when `t[i]` is whitespace or `i` is the end).
fn non_space_end(space: &[bool], mut i: usize) -> usize {
    while i < space.len() && !space[i] {
        i += 1;
    }
    i
}

fn starts_with(t: &[char], p: usize, s: &str) -> bool {
    let mut i = p;
    for c in s.chars() {
        if i >= t.len() || t[i] != c {
            return false;
        }
        i += 1;
    }
    true
}

/// `(?:https?://|www\.)\S+` at `p`: its end.
fn link_scheme(t: &[char], space: &[bool], p: usize) -> Option<usize> {
    let prefix = if starts_with(t, p, "https://") {
        8
    } else if starts_with(t, p, "http://") {
        7
    } else if starts_with(t, p, "www.") {
        4
    } else {
        return None;
    };
    let end = non_space_end(space, p + prefix);
    (end > p + prefix).then_some(end)
}

/// `[\w-]+(?:\.[\w-]+)+/\S*` at `p` (`t[p]` in `[\w-]`): its end. The runs of `[\w-]` hold no dot,
/// so the match is the maximal run, the maximal dotted runs after it, then a slash: the same end
/// from wherever in the first run it starts.
fn link_domain(t: &[char], space: &[bool], word: &[bool], p: usize) -> Option<usize> {
    let n = t.len();
    let mut i = p;
    while i < n && wordish(t, word, i) {
        i += 1;
    }
    let mut parts = 0;
    while i + 1 < n && t[i] == '.' && wordish(t, word, i + 1) {
        i += 1;
        while i < n && wordish(t, word, i) {
            i += 1;
        }
        parts += 1;
    }
    if parts == 0 || i >= n || t[i] != '/' {
        return None;
    }
    Some(non_space_end(space, i + 1))
}

fn links(t: &[char], space: &[bool], word: &[bool], out: &mut Vec<char>) {
    let n = t.len();
    let mut p = 0;
    // the first run of [\w-] tried at a word boundary, and what it came to (the same for all of it)
    let mut tried: Option<(usize, Option<usize>)> = None;
    while p < n {
        let mut end = link_scheme(t, space, p);
        if end.is_none() && wordish(t, word, p) {
            let before = p > 0 && word[p - 1];
            if before != word[p] {
                // \b holds here
                end = match tried {
                    Some((run_end, result)) if p < run_end => result,
                    _ => {
                        let mut run_end = p;
                        while run_end < n && wordish(t, word, run_end) {
                            run_end += 1;
                        }
                        let result = link_domain(t, space, word, p);
                        tried = Some((run_end, result));
                        result
                    }
                };
            }
        }
        match end {
            Some(e) => {
                push_str(out, " xurl ");
                p = e;
            }
            None => {
                out.push(t[p]);
                p += 1;
            }
        }
    }
}

fn mentions(t: &[char], word: &[bool], out: &mut Vec<char>) {
    let n = t.len();
    let mut p = 0;
    while p < n {
        if t[p] == '@' && p + 1 < n && word[p + 1] {
            let mut e = p + 1;
            while e < n && word[e] {
                e += 1;
            }
            push_str(out, " xuser ");
            p = e;
        } else {
            out.push(t[p]);
            p += 1;
        }
    }
}

const EYES: &str = ":;=8";
const NOSES: &str = "-o*'";

/// `[:;=8][-o*']?[<mouths>]` at `p`: its end (a nose is never a mouth, so never backtracked over).
fn face(t: &[char], p: usize, mouths: &str) -> Option<usize> {
    let n = t.len();
    if !EYES.contains(t[p]) || p + 1 >= n {
        return None;
    }
    let at = if NOSES.contains(t[p + 1]) {
        p + 2
    } else {
        p + 1
    };
    (at < n && mouths.contains(t[at])).then_some(at + 1)
}

/// The end of one `c` and the run of `more` after it at `p`, when the run holds at least `min`.
fn run_after(t: &[char], p: usize, c: char, more: char, min: usize) -> Option<usize> {
    if t[p] != c {
        return None;
    }
    let mut e = p + 1;
    while e < t.len() && t[e] == more {
        e += 1;
    }
    (e - p - 1 >= min).then_some(e)
}

fn positive_face(t: &[char], p: usize) -> Option<usize> {
    match t[p] {
        '<' => run_after(t, p, '<', '3', 1),
        '^' => {
            let e = run_after(t, p, '^', '_', 0)?;
            (e < t.len() && t[e] == '^').then_some(e + 1)
        }
        'x' | 'X' => run_after(t, p, t[p], 'D', 1),
        _ => face(t, p, ")]}dDpP3"),
    }
}

fn negative_face(t: &[char], p: usize) -> Option<usize> {
    let n = t.len();
    match t[p] {
        // ":'(" is also the first alternative with a nose: tried there already
        'D' => (p + 1 < n && t[p + 1] == ':').then_some(p + 2),
        '<' => (starts_with(t, p, "</3")).then_some(p + 3),
        _ => face(t, p, "([{/\\|"),
    }
}

/// Every emoticon `face` finds, standing alone between whitespace or the ends, as `token`.
fn emoticons(
    t: &[char],
    space: &[bool],
    face: fn(&[char], usize) -> Option<usize>,
    token: &str,
    out: &mut Vec<char>,
) {
    let n = t.len();
    let mut p = 0;
    while p < n {
        if p == 0 || space[p - 1] {
            if let Some(e) = face(t, p).filter(|&e| e == n || space[e]) {
                push_str(out, token);
                p = e;
                continue;
            }
        }
        out.push(t[p]);
        p += 1;
    }
}

/// `(.)\1\1+` → the character twice (`.` is anything but a newline).
fn repeats(t: &[char], out: &mut String) {
    let n = t.len();
    let mut p = 0;
    while p < n {
        let c = t[p];
        let mut e = p + 1;
        while e < n && t[e] == c {
            e += 1;
        }
        if c != '\n' && e - p >= 3 {
            out.push(c);
            out.push(c);
        } else {
            out.extend(std::iter::repeat_n(c, e - p));
        }
        p = e;
    }
}

impl TweetText {
    fn load(&mut self, text: &str) {
        self.text.clear();
        self.text.extend(text.chars());
    }

    fn classify(&mut self, py: Python<'_>) -> PyResult<()> {
        self.space.clear();
        self.word.clear();
        for &c in &self.text {
            self.space.push(self.chars.is_space(py, c)?);
            self.word.push(self.chars.is_word(py, c)?);
        }
        Ok(())
    }

    /// The output of the last pass becomes the input of the next.
    fn next_pass(&mut self) {
        std::mem::swap(&mut self.text, &mut self.out);
        self.out.clear();
    }

    /// `tweet_chars(text)`. A pass runs only when the text holds what each of its matches holds
    /// (Python's `tweet_chars` skips the same ones): the others can't change it.
    pub fn normalise(&mut self, py: Python<'_>, text: &str) -> PyResult<String> {
        let eyes = text.contains([':', ';', '=', '8']);
        let passes = [
            text.contains('/') || text.contains("www."),
            text.contains('@'),
            eyes || text.contains(['^', '<']) || text.contains("xD") || text.contains("XD"),
            eyes || text.contains("</3"),
        ];
        self.load(text);
        self.out.clear();
        if passes.iter().any(|&run| run) {
            for (pass, _) in passes.iter().enumerate().filter(|(_, &run)| run) {
                self.classify(py)?;
                let (t, space, word, out) = (&self.text, &self.space, &self.word, &mut self.out);
                match pass {
                    0 => links(t, space, word, out),
                    1 => mentions(t, word, out),
                    2 => emoticons(t, space, positive_face, " xemopos ", out),
                    _ => emoticons(t, space, negative_face, " xemoneg ", out),
                }
                self.next_pass();
            }
        }
        let mut lowered = String::with_capacity(text.len());
        if self.text.iter().all(char::is_ascii) {
            lowered.extend(self.text.iter().map(char::to_ascii_lowercase));
        } else {
            let subbed: String = self.text.iter().collect();
            self.chars.lower_into(py, &subbed, &mut lowered)?;
        }
        self.load(&lowered);
        let mut done = String::with_capacity(lowered.len());
        repeats(&self.text, &mut done);
        Ok(done)
    }

    /// `default_tokens(chars)`: the words of `negation_words`, cut at apostrophes, pieces of 2+.
    pub fn tokens(&mut self, py: Python<'_>, chars: &str) -> PyResult<Vec<String>> {
        self.load(chars);
        self.classify(py)?;
        let (t, word) = (&self.text, &self.word);
        let n = t.len();
        let mut out = Vec::new();
        let mut negated = false;
        let mut p = 0;
        while p < n {
            if word[p] || t[p] == '\'' {
                let mut e = p + 1;
                while e < n && (word[e] || t[e] == '\'') {
                    e += 1;
                }
                let token: String = t[p..e].iter().collect();
                let marked = if EMOTICON_TOKENS.contains(&token.as_str()) {
                    negated = false;
                    token
                } else if self.negations.contains(&token) {
                    negated = true;
                    token
                } else if negated {
                    format!("neg_{token}")
                } else {
                    token
                };
                out.extend(
                    marked
                        .split('\'')
                        .filter(|piece| piece.chars().nth(1).is_some())
                        .map(str::to_owned),
                );
                p = e;
            } else {
                if ".,:;!?".contains(t[p]) {
                    negated = false;
                }
                p += 1;
            }
        }
        Ok(out)
    }
}

#[pymethods]
impl TweetText {
    /// `negations`: the words that open a negation's scope (`features.NEGATIONS`).
    #[new]
    fn new(negations: Vec<String>) -> Self {
        TweetText {
            chars: Chars::default(),
            negations: negations.into_iter().collect(),
            text: Vec::new(),
            out: Vec::new(),
            space: Vec::new(),
            word: Vec::new(),
        }
    }

    /// `[features.tweet_chars(t) for t in texts]`. UnicodeEncodeError for lone surrogates.
    fn tweet_chars<'py>(
        &mut self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
    ) -> PyResult<Vec<String>> {
        let mut out = Vec::with_capacity(texts.len());
        for item in texts.iter() {
            let text = item.cast_into::<PyString>()?;
            out.push(self.normalise(py, text.to_str()?)?);
        }
        Ok(out)
    }

    /// `[_model_native.default_tokens(c) for c in chars]` (each `c` a `tweet_chars` result).
    fn default_tokens<'py>(
        &mut self,
        py: Python<'py>,
        chars: &Bound<'py, PyList>,
    ) -> PyResult<Vec<Vec<String>>> {
        let mut out = Vec::with_capacity(chars.len());
        for item in chars.iter() {
            let text = item.cast_into::<PyString>()?;
            out.push(self.tokens(py, text.to_str()?)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> TweetText {
        TweetText::new(vec!["not".into(), "don't".into()])
    }

    #[test]
    fn links_mentions_emoticons_and_repeats_become_tokens() {
        Python::attach(|py| {
            let mut t = text();
            let got = t
                .normalise(py, "SOOOO good :) see https://x.co/a @bob btc.com/x :(")
                .unwrap();
            // the runs of three spaces around the tokens are repeats too: cut to two
            assert_eq!(got, "soo good  xemopos  see  xurl  xuser  xurl  xemoneg ");
        });
    }

    #[test]
    fn negation_marks_words_up_to_punctuation() {
        Python::attach(|py| {
            let mut t = text();
            let got = t.tokens(py, "i don't like it, it's fine").unwrap();
            assert_eq!(got, vec!["don", "neg_like", "neg_it", "it", "fine"]);
        });
    }
}
