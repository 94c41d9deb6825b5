//! Pattern's `Sentiment.assessments` + the averaging of `Sentiment.__call__`, for lower-cased words.
//!
//! The same floating-point operations in the same order as TextBlob, so results are equal bit for
//! bit: a known word starts an assessment (or, after a modifier, rescales the previous one by the
//! modifier's intensity, clamped to [-1, 1]); a pending negation inverts the intensity and marks
//! the assessment negated (its polarity counts × -0.5); a modifier or negation survives short
//! unknown words; "!" boosts the last polarity by 1.25; "(!)" and emoticons are assessments of
//! their own. Averages add left to right from 0 and divide by the count (or 1).

use pyo3::exceptions::PyZeroDivisionError;
use pyo3::PyResult;

/// What the tables say about one lower-cased word.
pub struct WordInfo {
    /// (polarity, subjectivity, intensity) when the word is in the lexicon.
    pub lexicon: Option<(f64, f64, f64)>,
    pub modifier: bool,
    pub negation: bool,
    pub emoticon: Option<f64>,
}

struct Assessment {
    polarity: f64,
    subjectivity: f64,
    intensity: f64,
    negated: bool,
}

#[inline]
fn clamp(x: f64) -> f64 {
    // max(-1.0, min(x, +1.0)), NaN included.
    if x > 1.0 {
        1.0
    } else if x > -1.0 {
        x
    } else {
        -1.0
    }
}

#[derive(Default)]
pub struct Walk {
    a: Vec<Assessment>,
    /// The pending modifier: `Some(ends with "ly")`.
    modifier: Option<bool>,
    negation: bool,
}

impl Walk {
    pub fn reset(&mut self) {
        self.a.clear();
        self.modifier = None;
        self.negation = false;
    }

    fn push(&mut self, polarity: f64) {
        self.a.push(Assessment {
            polarity,
            subjectivity: 1.0,
            intensity: 1.0,
            negated: false,
        });
    }

    pub fn feed(&mut self, w: &str, info: Option<&WordInfo>) -> PyResult<()> {
        if let Some(
            info @ WordInfo {
                lexicon: Some((p, s, i)),
                ..
            },
        ) = info
        {
            if self.modifier.is_none() {
                self.a.push(Assessment {
                    polarity: *p,
                    subjectivity: *s,
                    intensity: *i,
                    negated: false,
                });
            } else {
                let last = self.a.last_mut().expect("a modifier follows an assessment");
                last.polarity = clamp(p * last.intensity);
                last.subjectivity = clamp(s * last.intensity);
                last.intensity = *i;
            }
            if self.negation {
                let last = self.a.last_mut().expect("just pushed or updated");
                if last.intensity == 0.0 {
                    return Err(PyZeroDivisionError::new_err("float division by zero"));
                }
                last.intensity = 1.0 / last.intensity;
                last.negated = true;
            }
            self.modifier = if info.modifier {
                Some(w.ends_with("ly"))
            } else {
                None
            };
            self.negation = info.negation;
            return Ok(());
        }
        if info.is_some_and(|x| x.negation) {
            self.negation = true;
        } else if self.negation && w.trim_matches('\'').chars().count() > 1 {
            self.negation = false;
        }
        if self.negation && self.modifier == Some(true) {
            self.a
                .last_mut()
                .expect("a modifier follows an assessment")
                .negated = true;
            self.negation = false;
        } else if self.modifier.is_some() && w.chars().count() > 2 {
            self.modifier = None;
        }
        if w.as_bytes() == [b'!'] {
            if let Some(last) = self.a.last_mut() {
                last.polarity = clamp(last.polarity * 1.25);
            }
        } else if w == "(!)" {
            self.a.push(Assessment {
                polarity: 0.0,
                subjectivity: 1.0,
                intensity: 1.0,
                negated: false,
            });
        } else if let Some(mood) = info.and_then(|x| x.emoticon) {
            self.push(mood);
        }
        Ok(())
    }

    /// (polarity, subjectivity): the averages over the assessments.
    pub fn result(&self) -> (f64, f64) {
        let mut polarity = 0.0;
        let mut subjectivity = 0.0;
        for x in &self.a {
            polarity += if x.negated {
                x.polarity * -0.5
            } else {
                x.polarity
            };
            subjectivity += x.subjectivity;
        }
        let count = if self.a.is_empty() {
            1.0
        } else {
            self.a.len() as f64
        };
        (polarity / count, subjectivity / count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(lexicon: Option<(f64, f64, f64)>, modifier: bool, negation: bool) -> WordInfo {
        WordInfo {
            lexicon,
            modifier,
            negation,
            emoticon: None,
        }
    }

    fn walk(words: &[(&str, Option<&WordInfo>)]) -> (f64, f64) {
        let mut w = Walk::default();
        for (text, info) in words {
            w.feed(text, *info).expect("no zero intensity here");
        }
        w.result()
    }

    #[test]
    fn no_assessment_is_zero() {
        assert_eq!(walk(&[("hello", None)]), (0.0, 0.0));
    }

    #[test]
    fn a_known_word_is_its_own_assessment() {
        let good = word(Some((0.7, 0.6, 1.0)), false, false);
        assert_eq!(walk(&[("good", Some(&good))]), (0.7, 0.6));
    }

    #[test]
    fn a_modifier_rescales_the_next_word_by_its_intensity() {
        let very = word(Some((0.2, 0.3, 1.3)), true, false);
        let good = word(Some((0.7, 0.6, 1.0)), false, false);
        assert_eq!(
            walk(&[("very", Some(&very)), ("good", Some(&good))]),
            (0.7 * 1.3, 0.6 * 1.3)
        );
    }

    #[test]
    fn a_negation_halves_and_inverts_the_next_assessment() {
        let not = word(None, false, true);
        let good = word(Some((0.7, 0.6, 1.0)), false, false);
        assert_eq!(
            walk(&[("not", Some(&not)), ("good", Some(&good))]),
            (-0.35, 0.6)
        );
    }

    #[test]
    fn an_exclamation_mark_boosts_the_last_polarity_within_bounds() {
        let good = word(Some((0.7, 0.6, 1.0)), false, false);
        let best = word(Some((1.0, 0.3, 1.0)), false, false);
        assert_eq!(walk(&[("good", Some(&good)), ("!", None)]).0, 0.7 * 1.25);
        assert_eq!(walk(&[("best", Some(&best)), ("!", None)]).0, 1.0);
    }

    #[test]
    fn negating_a_zero_intensity_is_pythons_zero_division() {
        pyo3::Python::initialize();
        let not = word(None, false, true);
        let odd = word(Some((0.5, 0.5, 0.0)), false, false);
        let mut w = Walk::default();
        w.feed("not", Some(&not)).unwrap();
        assert!(w.feed("odd", Some(&odd)).is_err());
    }
}
