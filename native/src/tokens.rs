//! TextBlob's `find_tokens` followed by `" ".join(sentences).split()`: the words the walk sees.
//!
//! Same steps, same order as TextBlob (textblob/_text.py):
//! 1. literal rewrites in order: contractions ("n't" -> " n't"), quotes padded with spaces,
//!    "\r\n" -> "\n" (the list comes from Python, see `tweetpulse.analyzers._textblob_native`);
//! 2. runs of two or more "\n" -> " END-OF-SENTENCE ";
//! 3. split on Python whitespace; split punctuation off each chunk (leading marks one by one,
//!    trailing marks, "..." and periods unless the chunk is an abbreviation);
//! 4. sentences end after ".", "!", "?", "..." or END-OF-SENTENCE and the run of closing marks
//!    after it (a quote always stops the run); END-OF-SENTENCE tokens are dropped;
//! 5. per sentence, the sarcasm regex `\( ?\! ?\)` -> "(!)", then the emoticon regex (its
//!    alternatives in TextBlob's own order, each character optionally followed by a space, then
//!    end of sentence or a space) joins spaced-out emoticons.
//!
//! Every token of steps 3-4 is a byte range of the prepared text; only sentences that step 5
//! can change are copied (into `Scratch::extra`).

use crate::chars::Chars;
use pyo3::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

type Span = (usize, usize);

/// Which buffer a word lives in: the prepared text, or a sentence rewritten by step 5.
#[derive(Clone, Copy)]
pub struct Word {
    pub rewritten: bool,
    pub start: usize,
    pub end: usize,
}

#[derive(Default)]
pub struct Scratch {
    prepared: String,
    swap: String,
    chunks: Vec<Span>,
    tokens: Vec<Span>,
    tail: Vec<Span>,
    sentence: Vec<Span>,
    joined: String,
    sarcasm: String,
    extra: String,
    pub words: Vec<Word>,
}

impl Scratch {
    #[inline]
    pub fn word(&self, w: Word) -> &str {
        if w.rewritten {
            &self.extra[w.start..w.end]
        } else {
            &self.prepared[w.start..w.end]
        }
    }
}

pub struct Tokenizer {
    rewrites: Vec<(String, String)>,
    /// Bytes one of which every rewrite's pattern holds: a text without any needs no rewrite.
    rewrite_bytes: [bool; 256],
    contraction_keys: Vec<String>,
    lead: [bool; 128],
    abbreviations: FxHashSet<String>,
    eos: String,
    emoticons: Vec<Vec<Utf8Char>>,
    by_first: FxHashMap<char, Vec<usize>>,
    pairs: FxHashSet<u64>,
}

#[inline]
fn pair_key(a: char, b: char) -> u64 {
    (u64::from(a as u32) << 32) | u64::from(b as u32)
}

impl Tokenizer {
    pub fn new(
        rewrites: Vec<(String, String)>,
        contraction_keys: Vec<String>,
        lead: &str,
        abbreviations: Vec<String>,
        eos: String,
        emoticons: Vec<String>,
    ) -> Self {
        let mut lead_table = [false; 128];
        for b in lead.bytes().filter(u8::is_ascii) {
            lead_table[usize::from(b)] = true;
        }
        let mut rewrite_bytes = [false; 256];
        for (old, _new) in &rewrites {
            // its first byte that is not a letter or digit (rarer in text), else its first byte
            let bytes = old.as_bytes();
            let key = bytes
                .iter()
                .find(|b| !b.is_ascii_alphanumeric())
                .or(bytes.first());
            if let Some(&b) = key {
                rewrite_bytes[usize::from(b)] = true;
            }
        }
        let emoticons: Vec<Vec<char>> = emoticons.iter().map(|e| e.chars().collect()).collect();
        let mut by_first: FxHashMap<char, Vec<usize>> = FxHashMap::default();
        // Pairs of characters that a match with an inner space joins: without such a pair in a
        // sentence, every match of step 5 gives back the text it matched.
        let mut pairs: FxHashSet<u64> = FxHashSet::default();
        pairs.insert(pair_key('(', '!'));
        pairs.insert(pair_key('!', ')'));
        for (k, e) in emoticons.iter().enumerate() {
            if let Some(&first) = e.first() {
                by_first.entry(first).or_default().push(k);
            }
            for w in e.windows(2) {
                pairs.insert(pair_key(w[0], w[1]));
            }
        }
        let emoticons = emoticons
            .iter()
            .map(|e| e.iter().map(|&c| Utf8Char::new(c)).collect())
            .collect();
        Tokenizer {
            rewrites,
            rewrite_bytes,
            contraction_keys,
            lead: lead_table,
            abbreviations: abbreviations.into_iter().collect(),
            eos,
            emoticons,
            by_first,
            pairs,
        }
    }

    /// Fill `sc.words` with the words of `text`.
    pub fn words(
        &self,
        py: Python<'_>,
        chars: &mut Chars,
        text: &str,
        sc: &mut Scratch,
    ) -> PyResult<()> {
        self.prepare(text, sc);
        sc.chunks.clear();
        chars.split_into(py, &sc.prepared, &mut sc.chunks)?;
        sc.tokens.clear();
        for k in 0..sc.chunks.len() {
            let (a, b) = sc.chunks[k];
            self.split_chunk(&sc.prepared, a, b, &mut sc.tokens, &mut sc.tail);
        }
        self.sentences(sc);
        Ok(())
    }

    fn prepare(&self, text: &str, sc: &mut Scratch) {
        sc.prepared.clear();
        sc.prepared.push_str(text);
        let mut newlines = false;
        let mut rewrite = false;
        for &b in text.as_bytes() {
            newlines |= b == b'\n';
            rewrite |= self.rewrite_bytes[usize::from(b)];
        }
        if rewrite {
            for (old, new) in &self.rewrites {
                if sc.prepared.contains(old.as_str()) {
                    sc.prepared = sc.prepared.replace(old.as_str(), new);
                }
            }
        }
        if newlines && sc.prepared.contains("\n\n") {
            sc.swap.clear();
            let bytes = sc.prepared.as_bytes();
            let mut last = 0;
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'\n' && i + 1 < bytes.len() && bytes[i + 1] == b'\n' {
                    let mut j = i + 2;
                    while j < bytes.len() && bytes[j] == b'\n' {
                        j += 1;
                    }
                    sc.swap.push_str(&sc.prepared[last..i]);
                    sc.swap.push(' ');
                    sc.swap.push_str(&self.eos);
                    sc.swap.push(' ');
                    last = j;
                    i = j;
                } else {
                    i += 1;
                }
            }
            sc.swap.push_str(&sc.prepared[last..]);
            std::mem::swap(&mut sc.prepared, &mut sc.swap);
        }
    }

    #[inline]
    fn is_lead(&self, b: u8) -> bool {
        b < 0x80 && self.lead[usize::from(b)]
    }

    #[inline]
    fn is_trail(&self, b: u8) -> bool {
        b == b'.' || self.is_lead(b)
    }

    fn is_contraction(&self, t: &str) -> bool {
        t.contains('\'') && self.contraction_keys.iter().any(|k| k == t)
    }

    /// `t in ABBREVIATIONS` or one of RE_ABBR1-3 matches (checked in Python to be the known ones).
    fn is_abbreviation(&self, t: &str) -> bool {
        if self.abbreviations.contains(t) {
            return true;
        }
        let b = t.as_bytes();
        // ^[A-Za-z]\.$ and ^([A-Za-z]\.)+$
        if !b.is_empty()
            && b.len().is_multiple_of(2)
            && b.chunks(2)
                .all(|p| p[0].is_ascii_alphabetic() && p[1] == b'.')
        {
            return true;
        }
        // ^[A-Z][b|c|d|f|g|h|j|k|l|m|n|p|q|r|s|t|v|w|x|z]+.$ (the last character is the period)
        b.len() >= 3
            && b[0].is_ascii_uppercase()
            && b[1..b.len() - 1]
                .iter()
                .all(|&c| b"bcdfghjklmnpqrstvwxz|".contains(&c))
    }

    /// TextBlob's punctuation loops for one chunk `s[a..b]`.
    fn split_chunk(
        &self,
        s: &str,
        mut a: usize,
        mut b: usize,
        out: &mut Vec<Span>,
        tail: &mut Vec<Span>,
    ) {
        let bytes = s.as_bytes();
        while a < b && self.is_lead(bytes[a]) && !self.is_contraction(&s[a..b]) {
            out.push((a, a + 1));
            a += 1;
        }
        tail.clear();
        while a < b && self.is_trail(bytes[b - 1]) && !self.is_contraction(&s[a..b]) {
            if self.is_lead(bytes[b - 1]) {
                tail.push((b - 1, b));
                b -= 1;
            }
            if s[a..b].ends_with("...") {
                tail.push((b - 3, b));
                b -= 3;
                while b > a && bytes[b - 1] == b'.' {
                    b -= 1;
                }
            }
            if b > a && bytes[b - 1] == b'.' {
                if self.is_abbreviation(&s[a..b]) {
                    break;
                }
                tail.push((b - 1, b));
                b -= 1;
            }
        }
        if a < b {
            out.push((a, b));
        }
        out.extend(tail.iter().rev());
    }

    fn is_eos(&self, t: &[u8]) -> bool {
        t.len() == self.eos.len() && t == self.eos.as_bytes()
    }

    /// ".", "!", "?", "..." or END-OF-SENTENCE (byte patterns: no call to memcmp for one byte).
    fn is_boundary(&self, t: &[u8]) -> bool {
        matches!(t, [b'.' | b'!' | b'?'] | [b'.', b'.', b'.']) || self.is_eos(t)
    }

    /// A closing mark other than a quote: a boundary, ")", "\u{201d}" or "\u{2019}".
    fn is_closer_not_quote(&self, t: &[u8]) -> bool {
        matches!(
            t,
            [b'.' | b'!' | b'?' | b')'] | [b'.', b'.', b'.'] | [0xe2, 0x80, 0x9d | 0x99]
        ) || self.is_eos(t)
    }

    /// Step 4: split `sc.tokens` into sentences and emit each one's words.
    fn sentences(&self, sc: &mut Scratch) {
        sc.words.clear();
        sc.extra.clear();
        let n = sc.tokens.len();
        let (mut i, mut j) = (0, 0);
        while j < n {
            let (a, b) = sc.tokens[j];
            if self.is_boundary(&sc.prepared.as_bytes()[a..b]) {
                while j < n {
                    let (a, b) = sc.tokens[j];
                    if !self.is_closer_not_quote(&sc.prepared.as_bytes()[a..b]) {
                        break; // not a closing mark, or a quote: TextBlob's balance test always stops
                    }
                    j += 1;
                }
                self.emit(sc, i, j);
                i = j;
            }
            j += 1;
        }
        self.emit(sc, i, n);
    }

    /// One sentence, tokens `i..j` without END-OF-SENTENCE, through step 5.
    fn emit(&self, sc: &mut Scratch, i: usize, j: usize) {
        sc.sentence.clear();
        for k in i..j.min(sc.tokens.len()) {
            let (a, b) = sc.tokens[k];
            if !self.is_eos(&sc.prepared.as_bytes()[a..b]) {
                sc.sentence.push((a, b));
            }
        }
        if sc.sentence.is_empty() {
            return;
        }
        let s = &sc.prepared;
        let changeable = sc.sentence.windows(2).any(|w| {
            let last = s[w[0].0..w[0].1]
                .chars()
                .next_back()
                .expect("non-empty token");
            let first = s[w[1].0..w[1].1].chars().next().expect("non-empty token");
            self.pairs.contains(&pair_key(last, first))
        });
        if !changeable {
            sc.words.extend(sc.sentence.iter().map(|&(a, b)| Word {
                rewritten: false,
                start: a,
                end: b,
            }));
            return;
        }
        sc.joined.clear();
        for (k, &(a, b)) in sc.sentence.iter().enumerate() {
            if k > 0 {
                sc.joined.push(' ');
            }
            sc.joined.push_str(&s[a..b]);
        }
        sc.sarcasm.clear();
        sarcasm(&sc.joined, &mut sc.sarcasm);
        let base = sc.extra.len();
        self.join_emoticons(&sc.sarcasm, &mut sc.extra);
        let mut start = base;
        for (k, byte) in sc.extra.as_bytes()[base..].iter().enumerate() {
            if *byte == b' ' {
                if start < base + k {
                    sc.words.push(Word {
                        rewritten: true,
                        start,
                        end: base + k,
                    });
                }
                start = base + k + 1;
            }
        }
        if start < sc.extra.len() {
            sc.words.push(Word {
                rewritten: true,
                start,
                end: sc.extra.len(),
            });
        }
        sc.extra.push(' ');
    }

    /// `RE_EMOTICONS.sub(lambda m: m.group(1).replace(" ", "") + m.group(2), s)`.
    fn join_emoticons(&self, s: &str, out: &mut String) {
        let mut i = 0;
        let mut last = 0;
        while i < s.len() {
            let c = s[i..].chars().next().expect("char boundary");
            let mut found = None;
            if let Some(alternatives) = self.by_first.get(&c) {
                found = alternatives
                    .iter()
                    .find_map(|&k| match_emoticon(s, i, &self.emoticons[k]));
            }
            match found {
                Some((group1_end, end)) => {
                    out.push_str(&s[last..i]);
                    out.extend(s[i..group1_end].chars().filter(|&ch| ch != ' '));
                    out.push_str(&s[group1_end..end]);
                    i = end;
                    last = end;
                }
                None => i += c.len_utf8(),
            }
        }
        out.push_str(&s[last..]);
    }
}

/// A character's UTF-8 bytes, compared without a call to memcmp when it is ASCII.
struct Utf8Char {
    bytes: [u8; 4],
    len: usize,
}

impl Utf8Char {
    fn new(c: char) -> Self {
        let mut bytes = [0u8; 4];
        let len = c.encode_utf8(&mut bytes).len();
        Utf8Char { bytes, len }
    }

    #[inline]
    fn is_at(&self, b: &[u8], q: usize) -> bool {
        if self.len == 1 {
            q < b.len() && b[q] == self.bytes[0]
        } else {
            b.get(q..q + self.len) == Some(&self.bytes[..self.len])
        }
    }
}

/// One emoticon alternative at byte `p` of a sentence: its characters, each after an optional
/// space, then the end or a space (the only whitespace a sentence holds). Returns the end of
/// group 1 and of the whole match.
fn match_emoticon(s: &str, p: usize, emoticon: &[Utf8Char]) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut q = p;
    for (k, ch) in emoticon.iter().enumerate() {
        if k > 0 && q < b.len() && b[q] == b' ' && ch.is_at(b, q + 1) {
            q += 1;
        }
        if ch.is_at(b, q) {
            q += ch.len;
        } else {
            return None;
        }
    }
    if q == b.len() {
        Some((q, q))
    } else if b[q] == b' ' {
        Some((q, q + 1))
    } else {
        None
    }
}

/// `RE_SARCASM.sub("(!)", s)` with `RE_SARCASM = \( ?\! ?\)`.
fn sarcasm(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let at = |q: usize, c: u8| q < b.len() && b[q] == c;
    let (mut i, mut last) = (0, 0);
    while i < b.len() {
        if b[i] == b'(' {
            let mut q = i + 1;
            if at(q, b' ') && at(q + 1, b'!') {
                q += 1;
            }
            if at(q, b'!') {
                q += 1;
                if at(q, b' ') && at(q + 1, b')') {
                    q += 1;
                }
                if at(q, b')') {
                    out.push_str(&s[last..i]);
                    out.push_str("(!)");
                    i = q + 1;
                    last = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    out.push_str(&s[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sarcasm_of(s: &str) -> String {
        let mut out = String::new();
        sarcasm(s, &mut out);
        out
    }

    #[test]
    fn sarcasm_marks_become_one_token_as_in_re_sarcasm() {
        assert_eq!(
            sarcasm_of("great (!) really ( ! ) ok"),
            "great (!) really (!) ok"
        );
        assert_eq!(sarcasm_of("(! ) and ( !)"), "(!) and (!)");
        assert_eq!(sarcasm_of("(  !) (!"), "(  !) (!");
    }

    #[test]
    fn pair_keys_tell_the_order_apart() {
        assert_ne!(pair_key('(', '!'), pair_key('!', '('));
    }
}
