//! `Chunked<T>`: a sequence kept in shared chunks, so that a copy of it (a time-travel snapshot)
//! costs a list of pointers, not the elements. What grows with a session is stored this way:
//! replica logs, the ledger, the delivery counts, the journal.
//!
//! The shapes it serves are the log's: append at the end, delete from the front (retention), and
//! rarely cut the end (a follower truncating to a diverging epoch). Elements have positions (a log
//! uses offsets), and chunk `k` always holds positions `k*C .. (k+1)*C` (`C` elements of about 8 KB),
//! so the element at a position is found by one division, and two sequences over the same
//! positions (a partition's replicas) can share whole chunks: a follower's complete chunk equal to
//! its leader's is replaced by the leader's (`adopt`), so the three copies of a replicated log
//! cost about one. Each chunk is an `Rc<Vec<T>>`; a clone shares every chunk. Appending writes
//! into the last chunk in place while nobody else holds it, and copies it first when a snapshot
//! does (at most one partial chunk per sequence per snapshot). Deleting from the front drops whole
//! chunks (the first one may be partly dead until it goes). Cutting the end copies only the chunk
//! it cuts into, if shared.
//!
//! Chunks are `Rc`s, not `Arc`s: the model is single-threaded, and atomic reference counts cost
//! about a third of the simulation's throughput natively (every append and every ledger update
//! checks that it owns its chunk).
//!
//! Why not `imbl::Vector` (an RRB tree): these sequences are only ever appended to, trimmed at the
//! front and cut at the end, so chunks aligned on positions give slices to read from, O(1) lookup,
//! sharing between replicas, a clone that is one small allocation, and no dependency; and runs of
//! chunks are the unit the log's segments (retention and compaction by segment) can be built on.

use std::collections::VecDeque;
use std::rc::Rc;

/// A chunk holds about this many bytes of elements.
const CHUNK_BYTES: usize = 8 << 10;

pub struct Chunked<T> {
    /// Chunk `first + j` is `chunks[j]`: positions `(first + j) * C ..`. The first chunk may start
    /// later than its boundary (`lead` positions of it were never held, as after `starting_at`).
    chunks: VecDeque<Rc<Vec<T>>>,
    first: u64,
    lead: usize,
    /// Position of the first live element (elements before it in the first chunk are deleted).
    head: u64,
    /// Position one past the last element.
    end: u64,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: VecDeque::new(), first: 0, lead: 0, head: 0, end: 0 }
    }
}

impl<T> Clone for Chunked<T> {
    fn clone(&self) -> Self {
        Chunked { chunks: self.chunks.clone(), first: self.first, lead: self.lead, head: self.head, end: self.end }
    }
}

impl<T: Clone> Chunked<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty sequence whose first element will have position `pos`.
    pub fn starting_at(pos: u64) -> Self {
        Chunked { head: pos, end: pos, ..Self::default() }
    }

    /// Elements per chunk.
    pub const fn capacity() -> usize {
        let n = CHUNK_BYTES / if std::mem::size_of::<T>() == 0 { 1 } else { std::mem::size_of::<T>() };
        if n < 32 {
            32
        } else {
            n
        }
    }

    const C: u64 = Self::capacity() as u64;

    pub fn len(&self) -> usize {
        (self.end - self.head) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.head
    }

    /// Position of the first element.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// Position the next element will have.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Where position `pos` (held) is: chunk index in `chunks`, index inside it.
    #[inline]
    fn locate(&self, pos: u64) -> (usize, usize) {
        let k = (pos / Self::C - self.first) as usize;
        let at = (pos % Self::C) as usize - if k == 0 { self.lead } else { 0 };
        (k, at)
    }

    /// First position chunk `k` (of `chunks`) holds.
    fn chunk_start(&self, k: usize) -> u64 {
        (self.first + k as u64) * Self::C + if k == 0 { self.lead as u64 } else { 0 }
    }

    pub fn push_back(&mut self, v: T) {
        let cap = Self::capacity();
        if self.chunks.is_empty() {
            self.first = self.end / Self::C;
            self.lead = (self.end % Self::C) as usize;
            self.chunks.push_back(Rc::new(Vec::with_capacity(8.min(cap - self.lead))));
        } else if self.end % Self::C == 0 {
            self.chunks.push_back(Rc::new(Vec::with_capacity(8)));
        }
        let room = cap - if self.chunks.len() == 1 { self.lead } else { 0 };
        let last = self.chunks.back_mut().expect("a chunk to append to");
        match Rc::get_mut(last) {
            Some(own) => {
                if own.len() == own.capacity() {
                    own.reserve_exact(own.len().max(8).min(room - own.len())); // double, never past the chunk
                }
                own.push(v);
            }
            None => {
                // A snapshot holds this chunk: it keeps the old one, we go on with a copy.
                let mut copy = Vec::with_capacity(room.min(last.len() * 2 + 8));
                copy.extend_from_slice(last);
                copy.push(v);
                *last = Rc::new(copy);
            }
        }
        self.end += 1;
    }

    pub fn push(&mut self, v: T) {
        self.push_back(v)
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len() {
            return None;
        }
        let (k, at) = self.locate(self.head + i as u64);
        self.chunks[k].get(at)
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&T> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// Mutable access to one element: copies its chunk first if a snapshot shares it.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.len() {
            return None;
        }
        let (k, at) = self.locate(self.head + i as u64);
        Rc::make_mut(&mut self.chunks[k]).get_mut(at)
    }

    /// The index of the first element for which `pred` is false, assuming it is true for a
    /// prefix and false after (like `slice::partition_point`): a binary search.
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).is_some_and(&mut pred) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    pub fn iter(&self) -> Iter<'_, T> {
        self.iter_from(0)
    }

    /// Elements from index `i` on.
    pub fn iter_from(&self, i: usize) -> Iter<'_, T> {
        if i >= self.len() {
            return Iter { chunks: self.chunks.range(0..0), front: [].iter(), back: [].iter() };
        }
        let (k, at) = self.locate(self.head + i as u64);
        let mut chunks = self.chunks.range(k..);
        let front = chunks.next().map_or([].iter(), |c| c[at..].iter());
        Iter { chunks, front, back: [].iter() }
    }

    /// Deletes the first `n` elements (fewer if there are fewer).
    pub fn drop_front(&mut self, n: usize) {
        self.head = (self.head + n as u64).min(self.end);
        while !self.chunks.is_empty() && (self.first + 1) * Self::C <= self.head {
            self.chunks.pop_front();
            self.first += 1;
            self.lead = 0;
        }
        if self.is_empty() {
            self.chunks.clear();
        }
    }

    /// Keeps the first `keep` elements and returns the ones cut off, in order.
    pub fn truncate(&mut self, keep: usize) -> Vec<T> {
        if keep >= self.len() {
            return Vec::new();
        }
        let removed: Vec<T> = self.iter_from(keep).cloned().collect();
        let cut = self.head + keep as u64;
        let (k, at) = if keep == 0 { (0, 0) } else { self.locate(cut - 1) };
        let at = if keep == 0 { 0 } else { at + 1 };
        self.chunks.truncate(k + 1);
        if let Some(last) = self.chunks.back_mut() {
            match Rc::get_mut(last) {
                Some(own) => own.truncate(at),
                None => *last = Rc::new(last[..at].to_vec()),
            }
        }
        self.end = cut;
        if self.is_empty() {
            self.chunks.clear();
        }
        removed
    }

    /// Deletes everything; the next element gets position `pos` (at or after the end).
    pub fn restart_at(&mut self, pos: u64) {
        *self = Self::starting_at(pos.max(self.end));
    }

    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }

    /// Elements in the last chunk: what a snapshot keeps for itself once the sequence is appended to
    /// (the live copy goes on with a copy of that chunk).
    pub fn tail_len(&self) -> usize {
        self.chunks.back().map_or(0, |c| c.len())
    }

    /// How many chunks hold the elements (a copy of the sequence allocates one pointer each).
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// Whether positions `from .. to` end a chunk (so `adopt` may find something to share).
    pub fn completes_chunk(from: u64, to: u64) -> bool {
        from / Self::C != to / Self::C
    }

    /// Makes every complete chunk touching positions `from .. to` that is equal in `other` the very
    /// chunk `other` holds, so the two share it (a follower's log and its leader's).
    pub fn adopt(&mut self, other: &Chunked<T>, from: u64, to: u64)
    where
        T: PartialEq,
    {
        let full = |c: &Chunked<T>, pos: u64| -> Option<usize> {
            let k = (pos / Self::C).checked_sub(c.first)? as usize;
            let start = c.chunk_start(k);
            (start == pos && c.chunks.get(k)?.len() == Self::capacity()).then_some(k)
        };
        let mut pos = from.max(self.head).max(other.head) / Self::C * Self::C;
        while pos + Self::C <= to.min(self.end).min(other.end) {
            if let (Some(a), Some(b)) = (full(self, pos), full(other, pos)) {
                if !Rc::ptr_eq(&self.chunks[a], &other.chunks[b]) && self.chunks[a] == other.chunks[b] {
                    self.chunks[a] = other.chunks[b].clone();
                }
            }
            pos += Self::C;
        }
    }
}

impl<T: Clone> std::ops::Index<usize> for Chunked<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        self.get(i).expect("index within the sequence")
    }
}

/// Iterates a `Chunked` front to back (or back to front), chunk by chunk.
#[derive(Clone)]
pub struct Iter<'a, T> {
    chunks: std::collections::vec_deque::Iter<'a, Rc<Vec<T>>>,
    front: std::slice::Iter<'a, T>,
    back: std::slice::Iter<'a, T>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;
    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        loop {
            if let Some(x) = self.front.next() {
                return Some(x);
            }
            match self.chunks.next() {
                Some(c) => self.front = c.iter(),
                None => return self.back.next(),
            }
        }
    }
}

impl<'a, T> DoubleEndedIterator for Iter<'a, T> {
    fn next_back(&mut self) -> Option<&'a T> {
        loop {
            if let Some(x) = self.back.next_back() {
                return Some(x);
            }
            match self.chunks.next_back() {
                Some(c) => self.back = c.iter(),
                None => return self.front.next_back(),
            }
        }
    }
}

impl<'a, T: Clone> IntoIterator for &'a Chunked<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: Clone> FromIterator<T> for Chunked<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut c = Chunked::new();
        for v in iter {
            c.push_back(v);
        }
        c
    }
}

impl<T: Clone + PartialEq> PartialEq for Chunked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Clone + Eq> Eq for Chunked<T> {}

impl<T: Clone + PartialEq> PartialEq<Vec<T>> for Chunked<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Clone + std::fmt::Debug> std::fmt::Debug for Chunked<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Clone + serde::Serialize> serde::Serialize for Chunked<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: Clone + serde::Deserialize<'de>> serde::Deserialize<'de> for Chunked<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<T>::deserialize(d)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every operation agrees with a plain VecDeque, with snapshots (clones) taken along the way
    /// that never change afterwards.
    #[test]
    fn behaves_as_a_deque_and_snapshots_stay_as_they_were() {
        let mut rng = crate::rng::Rng::new(3);
        let mut c: Chunked<u64> = Chunked::new();
        let mut model: VecDeque<u64> = VecDeque::new();
        let mut snaps: Vec<(Chunked<u64>, Vec<u64>)> = Vec::new();
        let mut next = 0;
        for step in 0..20_000 {
            match rng.below(100) {
                0..=69 => {
                    c.push_back(next);
                    model.push_back(next);
                    next += 1;
                }
                70..=79 => {
                    let n = rng.below(40) as usize;
                    c.drop_front(n);
                    model.drain(..n.min(model.len()));
                }
                80..=83 => {
                    let keep = rng.below(model.len() as u64 + 1) as usize;
                    let cut = c.truncate(keep);
                    let want: Vec<u64> = model.drain(keep..).collect();
                    assert_eq!(cut, want);
                }
                84..=86 if !model.is_empty() => {
                    let i = rng.below(model.len() as u64) as usize;
                    *c.get_mut(i).unwrap() += 1_000_000;
                    model[i] += 1_000_000;
                }
                _ => snaps.push((c.clone(), model.iter().copied().collect())),
            }
            assert_eq!(c.len(), model.len(), "step {step}");
            if step % 97 == 0 {
                assert!(c.iter().eq(model.iter()));
                assert!(c.iter().rev().eq(model.iter().rev()));
                let i = rng.below(model.len() as u64 + 1) as usize;
                assert!(c.iter_from(i).eq(model.range(i.min(model.len())..)));
                assert_eq!(c.get(i), model.get(i));
                assert!((&c).into_iter().eq(model.iter()));
            }
        }
        for (s, want) in &snaps {
            assert_eq!(s, want, "a snapshot is never changed by later operations");
        }
    }

    #[test]
    fn replicas_share_complete_chunks_and_start_anywhere() {
        let n = Chunked::<u64>::capacity() as u64;
        let leader: Chunked<u64> = (0..5 * n + 7).collect();
        let mut follower = Chunked::starting_at(n / 2);
        for v in n / 2..5 * n + 3 {
            follower.push_back(v);
        }
        assert_eq!(follower.head(), n / 2);
        assert!(follower.iter().copied().eq(n / 2..5 * n + 3));
        follower.adopt(&leader, 0, u64::MAX);
        let shared =
            (0..follower.chunk_count()).filter(|&k| Rc::ptr_eq(&follower.chunks[k], &leader.chunks[k])).count();
        assert_eq!(shared, 4, "the partial first chunk and the unfinished last one stay its own");
        assert!(follower.iter().copied().eq(n / 2..5 * n + 3), "sharing changes nothing visible");
        let mut different = follower.clone();
        *different.get_mut(n as usize).unwrap() += 1;
        different.adopt(&leader, 0, u64::MAX);
        assert_eq!(different.get(n as usize), Some(&(n + n / 2 + 1)), "unequal chunks are never shared");
    }
}
