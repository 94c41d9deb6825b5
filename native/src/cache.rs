//! The scorer's bounded result cache: text → (polarity, subjectivity), the oldest entry evicted
//! first when it is full (the order texts were first scored in, as `tweetpulse.scorers.base.ResultCache`).

use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Default)]
pub struct ResultCache {
    capacity: usize,
    map: FxHashMap<Arc<str>, (f64, f64)>,
    order: VecDeque<Arc<str>>,
    pub hits: u64,
    pub misses: u64,
}

impl ResultCache {
    /// An empty cache of `capacity` texts (0: nothing is kept), its counters at 0.
    pub fn reset(&mut self, capacity: usize) {
        *self = ResultCache {
            capacity,
            ..ResultCache::default()
        };
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn get(&mut self, text: &str) -> Option<(f64, f64)> {
        let found = self.map.get(text).copied();
        if found.is_some() {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        found
    }

    pub fn keep(&mut self, text: &str, result: (f64, f64)) {
        if self.capacity == 0 {
            return;
        }
        if self.map.len() >= self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.map.remove(&oldest);
            }
        }
        let key: Arc<str> = Arc::from(text);
        self.order.push_back(Arc::clone(&key));
        self.map.insert(key, result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_text_goes_first_and_the_counts_add_up() {
        let mut c = ResultCache::default();
        c.reset(2);
        assert_eq!(c.get("a"), None);
        c.keep("a", (1.0, 0.5));
        c.keep("b", (2.0, 0.5));
        assert_eq!(c.get("a"), Some((1.0, 0.5)));
        c.keep("c", (3.0, 0.5)); // evicts "a", the first kept, although it was just read
        assert_eq!(c.get("a"), None);
        assert_eq!(c.get("b"), Some((2.0, 0.5)));
        assert_eq!((c.len(), c.hits, c.misses), (2, 2, 2));
        c.reset(0);
        c.keep("a", (1.0, 0.5));
        assert_eq!((c.len(), c.hits, c.misses), (0, 0, 0));
    }
}
