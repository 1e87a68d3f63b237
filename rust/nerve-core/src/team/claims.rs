//! Who works on which item of a round: one contiguous range of items per
//! member, claimed one at a time from the front by its owner (on an idle
//! machine each member keeps the same items round after round, and their
//! data stays in its core's cache) and from the back by members that ran
//! out of their own (a member that is late takes fewer).

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bits of a range's claim word: the round's tag (the round number modulo
/// 2^16) above the items taken from the back and from the front.
const COUNT_BITS: u32 = 24;
const COUNT: u64 = (1 << COUNT_BITS) - 1;
const TAG_SHIFT: u32 = 2 * COUNT_BITS;

/// The most items a round may have (counts of a range fit in 24 bits).
pub(super) const MAX_ITEMS: usize = COUNT as usize;

/// The tag of round number `round` in a claim word.
pub(super) fn tag(round: u64) -> u64 {
    round & ((1 << (64 - TAG_SHIFT)) - 1)
}

/// The claims on one member's range, on its own cache line: one word with
/// the items taken from its front by its owner, those taken from its back
/// by other members, and the tag of the round they were taken in. A word
/// with another round's tag counts as empty, so nobody resets the ranges
/// between rounds (the leader would pull each helper's line to its core,
/// and the helper back, at the start of every round). In a team round every
/// non-empty range is claimed from at least once, so a word's tag is at most
/// one round old and never mistaken for the current one.
#[derive(Default)]
#[repr(align(128))]
pub(super) struct Range {
    taken: AtomicU64,
}

impl Range {
    /// The next item of `start..end` in round `tag`: from the front for the
    /// owner, from the back for another member; `None` once all are taken.
    fn claim(&self, tag: u64, start: usize, end: usize, owner: bool) -> Option<usize> {
        let mut cur = self.taken.load(Ordering::Relaxed);
        loop {
            let (front, back) = if cur >> TAG_SHIFT == tag {
                (
                    (cur & COUNT) as usize,
                    ((cur >> COUNT_BITS) & COUNT) as usize,
                )
            } else {
                (0, 0)
            };
            if start + front + back >= end {
                return None;
            }
            let (f, b) = if owner {
                (front + 1, back)
            } else {
                (front, back + 1)
            };
            let new = (tag << TAG_SHIFT) | ((b as u64) << COUNT_BITS) | f as u64;
            match self
                .taken
                .compare_exchange_weak(cur, new, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return Some(if owner { start + front } else { end - 1 - back }),
                Err(now) => cur = now,
            }
        }
    }
}

/// The items of one round, shared by its members.
pub(super) struct Slots<T> {
    ptr: *mut T,
    len: usize,
    _items: PhantomData<T>,
}

// SAFETY: `Slots` stands for the `&mut [T]` borrowed by `Team::share`; the
// members reach its items only through `Claims`, which hands each item to
// one member only, so sharing it is sending each `T` to one thread.
unsafe impl<T: Send> Sync for Slots<T> {}

impl<T> Slots<T> {
    /// The items of `items`, for the duration of its borrow.
    pub(super) fn new(items: &mut [T]) -> Slots<T> {
        Slots {
            ptr: items.as_mut_ptr(),
            len: items.len(),
            _items: PhantomData,
        }
    }

    /// Member `member`'s claims on the items in round `tag` (see [`tag`]):
    /// one range of `ranges` per member, equal and contiguous. The ranges'
    /// words must hold no claim of this tag from another round (they hold
    /// the last round's, or nothing).
    pub(super) fn claims<'r>(
        &'r self,
        ranges: &'r [Range],
        member: usize,
        tag: u64,
    ) -> Claims<'r, T> {
        let per = self.len.div_ceil(ranges.len().max(1));
        let mut claims = Claims {
            ranges,
            tag,
            per,
            range: member,
            bounds: (0, 0),
            visited: 0,
            ptr: self.ptr,
            len: self.len,
            _items: PhantomData,
        };
        claims.bounds = claims.bounds_of(member);
        claims
    }
}

/// One member's share of a round's items: yields `(index, item)` pairs,
/// first from the front of its own contiguous range, then from the back of
/// the ranges of the others, until none is left. Every index is handed out
/// once (each range's claims are one atomic word).
pub struct Claims<'r, T> {
    ranges: &'r [Range],
    tag: u64,
    /// Items per range (the last one may have fewer).
    per: usize,
    /// The range claimed from now, and its items.
    range: usize,
    bounds: (usize, usize),
    /// Ranges looked at before this one (0: the member's own).
    visited: usize,
    ptr: *mut T,
    len: usize,
    _items: PhantomData<&'r mut [T]>,
}

impl<T> Claims<'_, T> {
    /// The items of range `r`.
    fn bounds_of(&self, r: usize) -> (usize, usize) {
        (
            (r * self.per).min(self.len),
            ((r + 1) * self.per).min(self.len),
        )
    }
}

impl<'r, T> Iterator for Claims<'r, T> {
    type Item = (usize, &'r mut T);

    fn next(&mut self) -> Option<(usize, &'r mut T)> {
        while let Some(range) = self.ranges.get(self.range) {
            let (start, end) = self.bounds;
            if let Some(i) = range.claim(self.tag, start, end, self.visited == 0) {
                // SAFETY: `i < len` indexes the slice borrowed mutably by
                // `Team::share` for the whole round, and each range hands out
                // each of its indices once per round (front and back claims
                // meet without overlapping; the ranges do not overlap), so
                // no other reference to item `i` exists.
                return Some((i, unsafe { &mut *self.ptr.add(i) }));
            }
            // this range is done: the next one, cyclically, until all were seen
            self.visited += 1;
            if self.visited >= self.ranges.len() {
                break;
            }
            self.range = if self.range + 1 == self.ranges.len() {
                0
            } else {
                self.range + 1
            };
            self.bounds = self.bounds_of(self.range);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An owner claiming from the front and another member from the back
    /// take every index of a range once, meeting in the middle; the next
    /// round (another tag) starts afresh.
    #[test]
    fn range_claims_meet_without_overlap() {
        let range = Range::default();
        for round in [1, 2] {
            let (mut front, mut back) = (Vec::new(), Vec::new());
            loop {
                let a = range.claim(tag(round), 10, 17, true);
                let b = range.claim(tag(round), 10, 17, false);
                front.extend(a);
                back.extend(b);
                if a.is_none() && b.is_none() {
                    break;
                }
            }
            assert_eq!(front, vec![10, 11, 12, 13]);
            assert_eq!(back, vec![16, 15, 14]);
        }
    }

    /// Claims yield every index once: a member's own range from the front,
    /// then the others' from the back.
    #[test]
    fn claims_cover_every_range() {
        let mut items: Vec<u32> = vec![0; 23];
        let slots = Slots::new(&mut items);
        let ranges: Vec<Range> = (0..3).map(|_| Range::default()).collect();
        // ranges of 8: 0..8, 8..16, 16..23; member 2 first, then the backs
        // of member 0's and member 1's
        let order: Vec<usize> = slots.claims(&ranges, 2, 5).map(|(i, _)| i).collect();
        let mut expect: Vec<usize> = (16..23).collect();
        expect.extend((0..8).rev());
        expect.extend((8..16).rev());
        assert_eq!(order, expect);
        assert!(slots.claims(&ranges, 0, 5).next().is_none());
        assert_eq!(slots.claims(&ranges, 0, 6).count(), 23);
    }
}
