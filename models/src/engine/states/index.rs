//! `Index`: the states a search has seen, as a map from a state's 128-bit key to its id, by open
//! addressing with linear probing (Knuth, TAOCP vol. 3, 6.4, algorithm L). A key and its id
//! share one 24-byte bucket, so a lookup in a table of millions of states mostly touches one
//! cache line (two for the quarter of the buckets that straddle a line) where a table of
//! control bytes beside its entries (hashbrown's, `std`'s) touches two: every transition of the
//! state graph asks the index once, and most of them find a state seen.

/// A bucket: the key's low and high words, and the id (`EMPTY` in a bucket no key holds).
type Bucket = [u64; 3];

/// The id word of an empty bucket (no state has this id: ids count states).
const EMPTY: u64 = u64::MAX;

/// A map from state keys to ids.
///
/// # Invariants
/// `buckets.len()` is a power of two, at least [`Index::FIRST_CAPACITY`], and more than twice
/// `len` (so a probe always meets an empty bucket, and soon); each key is in one bucket, found
/// by probing from `key`'s low bits (keys are uniform: their bits are a hash already).
#[derive(Debug)]
pub(crate) struct Index {
    buckets: Vec<Bucket>,
    len: usize,
}

/// Where a key is, or would go.
pub(crate) enum Probe {
    /// The key is there, with this id.
    Found(usize),
    /// The key is not there: an insertion puts it in this bucket.
    Vacant(usize),
}

impl Default for Index {
    fn default() -> Self {
        Index {
            buckets: vec![[0, 0, EMPTY]; Self::FIRST_CAPACITY],
            len: 0,
        }
    }
}

impl Index {
    /// The buckets of an empty index.
    const FIRST_CAPACITY: usize = 16;

    /// The id of `key`, if it is there.
    pub(crate) fn get(&self, key: u128) -> Option<usize> {
        match self.probe(key) {
            Probe::Found(id) => Some(id),
            Probe::Vacant(_) => None,
        }
    }

    /// Where `key` is, or the bucket it would go in.
    pub(crate) fn probe(&self, key: u128) -> Probe {
        let (low, high) = (key as u64, (key >> 64) as u64);
        let mask = self.buckets.len() - 1;
        let mut at = low as usize & mask;
        loop {
            let [bucket_low, bucket_high, id] = self.buckets[at];
            if id == EMPTY {
                return Probe::Vacant(at);
            }
            if bucket_low == low && bucket_high == high {
                return Probe::Found(id as usize);
            }
            at = (at + 1) & mask;
        }
    }

    /// Puts `key` with `id` in bucket `vacant`, which [`Index::probe`] just gave for `key` (no
    /// insertion in between).
    ///
    /// # Panics
    /// If the bucket is not empty, or `id` is the empty bucket's mark.
    pub(crate) fn insert_at(&mut self, vacant: usize, key: u128, id: usize) {
        let id = id as u64;
        assert!(id != EMPTY, "state ids stay below u64::MAX");
        assert!(
            self.buckets[vacant][2] == EMPTY,
            "a key goes in the empty bucket its probe ended at"
        );
        self.buckets[vacant] = [key as u64, (key >> 64) as u64, id];
        self.len += 1;
        if self.len * 2 >= self.buckets.len() {
            self.grow();
        }
    }

    /// Adds `key` with `id`; returns the id `key` had if it was there already (then nothing
    /// changes).
    pub(crate) fn insert(&mut self, key: u128, id: usize) -> Option<usize> {
        match self.probe(key) {
            Probe::Found(had) => Some(had),
            Probe::Vacant(at) => {
                self.insert_at(at, key, id);
                None
            }
        }
    }

    /// Twice the buckets, every key probed into them again.
    fn grow(&mut self) {
        let capacity = self.buckets.len() * 2;
        let old = std::mem::replace(&mut self.buckets, vec![[0, 0, EMPTY]; capacity]);
        let mask = self.buckets.len() - 1;
        for bucket in old.into_iter().filter(|bucket| bucket[2] != EMPTY) {
            let mut at = bucket[0] as usize & mask;
            while self.buckets[at][2] != EMPTY {
                at = (at + 1) & mask;
            }
            self.buckets[at] = bucket;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_it_was_given_and_no_other_across_growth() {
        let mut index = Index::default();
        // Keys whose low words collide in the smaller tables (probing must go past them) and
        // keys that differ only in their high word.
        let keys: Vec<u128> = (0..5_000u128)
            .map(|k| ((k % 7) << 64) | (k * 1024) | 3)
            .collect();
        for (id, &key) in keys.iter().enumerate() {
            assert_eq!(index.insert(key, id), None, "key {key:#x} is new");
        }
        assert_eq!(index.len, keys.len());
        for (id, &key) in keys.iter().enumerate() {
            assert_eq!(index.get(key), Some(id));
            assert_eq!(
                index.insert(key, id + 1),
                Some(id),
                "a second insert keeps the first id"
            );
        }
        assert_eq!(index.len, keys.len());
        assert_eq!(index.get(1 << 100), None);
        assert_eq!(index.get(((7u128) << 64) | 3), None);
        assert!(index.buckets.len() > 2 * index.len);
    }

    #[test]
    #[should_panic(expected = "a key goes in the empty bucket its probe ended at")]
    fn refuses_to_overwrite_a_bucket() {
        let mut index = Index::default();
        let Probe::Vacant(at) = index.probe(5) else {
            unreachable!("an empty index has no key")
        };
        index.insert_at(at, 5, 0);
        index.insert_at(at, 5 + (1 << 64), 1);
    }
}
