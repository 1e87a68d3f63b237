//! A team of helper threads kept for a whole run, for the per-step parallel
//! work of large groups.
//!
//! A step of a large group takes tens of microseconds; handing it to a
//! thread pool and joining costs a good part of that. The team's helpers
//! instead wait for the next round by spinning briefly, then park (sleep in
//! the kernel) so that they never hold a core another process could use.
//!
//! A round shares a slice of items (the chunks of a group) among whoever
//! takes part: the caller (the leader, member 0) and every helper that joins
//! while the round is open. Each member owns a contiguous range of the items
//! and claims them one at a time from its front; a member that runs out
//! takes the others' leftovers from the back of their ranges (see
//! [`Claims`]). So a helper that is late (parked, or descheduled because
//! another process uses its core) simply takes fewer items, and the leader
//! does the rest itself. Once every item is claimed the leader closes the round: a
//! helper that has not joined by then does not join at all, and the leader
//! waits only for items already being worked on (spinning briefly, then
//! parked until the last helper leaves).
//!
//! A helper that loses its core in the middle of an item still makes the
//! leader wait until it gets a core back (milliseconds when the machine is
//! overloaded), and two threads may also slow each other down (shared
//! caches, memory bandwidth). So the leader also times its rounds, with and
//! without the helpers, and runs alone while they do not pay: see
//! [`Tuner`].
//!
//! Which member works on which item is therefore not fixed; results must not
//! depend on it (each chunk has its own random stream, and its events are
//! gathered in chunk order by the caller).
//!
//! What a round costs beyond its items is a few cache lines moving between
//! cores: the gate (opened, entered, left, closed), each member's claim word
//! (its own line, touched by others only when they take its leftovers) and
//! whatever the caller's job shares. Nothing is reset or allocated per round
//! (see [`claims`] for how the claim words do without a reset).

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::Thread;
use std::time::{Duration, Instant};

mod claims;
mod tune;

pub use claims::Claims;
use claims::{tag, Range, Slots, MAX_ITEMS};
use tune::{Tuner, TEAM};

/// Keys of [`Team::share_timed_as`] start here (below: numbers of items).
pub const OWN_KEYS: u64 = 1 << 32;

/// The body of a round, run by each member taking part, with its index
/// and the round's number.
type Body<'j> = &'j (dyn Fn(usize, u64) + Sync);

/// How long a helper spins waiting for the next round before it parks.
/// Rounds of a run follow each other within microseconds; a longer gap means
/// the leader is busy elsewhere (small groups, monitors, Python).
const HELPER_SPIN: Duration = Duration::from_micros(50);

/// How long the leader spins waiting for helpers to finish their last items
/// before it parks (an item, one chunk, takes about a microsecond; a longer
/// wait means a helper lost its core).
const LEADER_SPIN: Duration = Duration::from_micros(20);

/// Bits of the gate word: the number of helpers inside the round (low 32
/// bits), whether the round is open, and the round number above.
const INSIDE: u64 = (1 << 32) - 1;
const OPEN: u64 = 1 << 32;
const EPOCH_SHIFT: u32 = 33;

/// Leader (member 0, the caller) plus `helpers` helper threads.
pub struct Team {
    helpers: usize,
    gate: Gate,
    /// Each helper's thread (set when it starts serving) and whether it is
    /// parked or about to park.
    threads: Vec<OnceLock<Thread>>,
    parked: Vec<AtomicBool>,
    /// The leader's thread (set before it parks) and whether it is parked or
    /// about to park.
    leader: Mutex<Option<Thread>>,
    leader_parked: AtomicBool,
    /// A tuner per size of round (number of items: a run's groups differ in
    /// cost per item) or per key ([`Team::share_timed_as`]); held by the
    /// leader for a whole `share`: one leader at a time.
    tuners: Mutex<Vec<(u64, Tuner)>>,
    /// The claims on each member's range of a round's items (tagged with
    /// the round: see [`claims`]).
    ranges: Box<[Range]>,
}

/// What the helpers poll between rounds, on cache lines of its own: the
/// leader's other bookkeeping (e.g. locking the tuners) does not pull the
/// line away from spinning helpers just before a round opens.
#[repr(align(128))]
struct Gate {
    /// Round number, open flag and count of helpers inside (see [`INSIDE`]).
    word: AtomicU64,
    quit: AtomicBool,
    /// The current round's body; written only by the leader while no helper
    /// is inside a round (see `Team::round`).
    body: UnsafeCell<Option<Body<'static>>>,
}

// SAFETY: the only non-`Sync` field is `gate.body`. The leader writes it before
// opening a round (SeqCst store to `gate`) and after closing it and seeing
// no helper inside (Acquire loads of `gate`); a helper reads it only between
// entering the open round (AcqRel compare-exchange on `gate`) and leaving it
// (Release decrement). Entering fails once the leader closes or reopens the
// gate, so writes and reads never overlap; the body itself is `Sync`.
unsafe impl Sync for Team {}

impl Team {
    /// A team of `helpers` helpers; they must be started with [`Team::serve`]
    /// (a round does not wait for helpers that have not started).
    pub fn new(helpers: usize) -> Team {
        Team {
            helpers,
            gate: Gate {
                word: AtomicU64::new(0),
                quit: AtomicBool::new(false),
                body: UnsafeCell::new(None),
            },
            threads: (0..helpers).map(|_| OnceLock::new()).collect(),
            parked: (0..helpers).map(|_| AtomicBool::new(false)).collect(),
            leader: Mutex::new(None),
            leader_parked: AtomicBool::new(false),
            tuners: Mutex::new(Vec::new()),
            ranges: (0..=helpers).map(|_| Range::default()).collect(),
        }
    }

    /// The number of helpers (members besides the caller).
    pub fn helpers(&self) -> usize {
        self.helpers
    }

    /// Call `job(member, claims)` on this thread (member 0) and on every
    /// helper that joins in time (none while the [`Tuner`] finds that the
    /// helpers do not pay); together the `claims` iterators yield every item of
    /// `items` exactly once, with its index. Returns when every item is done.
    pub fn share<T: Send>(&self, items: &mut [T], job: &(dyn Fn(usize, Claims<'_, T>) + Sync)) {
        self.share_timed_as(items.len() as u64, items, job);
    }

    /// [`Team::share`], with the rounds timed under `key` (at least
    /// [`OWN_KEYS`]) rather than under their number of items: rounds whose
    /// items cost differently (say, two batches of as many groups' steps)
    /// are judged apart.
    pub fn share_timed_as<T: Send>(
        &self,
        key: u64,
        items: &mut [T],
        job: &(dyn Fn(usize, Claims<'_, T>) + Sync),
    ) {
        let n = items.len();
        let slots = Slots::new(items);
        if self.helpers == 0 || n > MAX_ITEMS {
            return alone(&slots, job);
        }
        let mut tuners = self.tuners.lock().unwrap_or_else(PoisonError::into_inner);
        let k = match tuners.iter().position(|(k, _)| *k == key) {
            Some(k) => k,
            None => {
                tuners.push((key, Tuner::new()));
                tuners.len() - 1
            }
        };
        let Some((_, tuner)) = tuners.get_mut(k) else {
            return alone(&slots, job); // unreachable: found or pushed above
        };
        let mode = tuner.choose();
        let start = Instant::now();
        if mode == TEAM {
            self.round(&|member, round| {
                job(member, slots.claims(&self.ranges, member, tag(round)));
            });
        } else {
            alone(&slots, job);
        }
        tuner.record(mode, start.elapsed().as_nanos() as f64, n);
    }

    /// Open round `r`: run `body(0, r)` here, and `body(i, r)` on each
    /// helper `i` that enters the round before `body(0, r)` returns; return
    /// when all have left. The caller must hold `tuners` (one leader at a
    /// time).
    fn round(&self, body: Body<'_>) {
        // SAFETY: only the lifetime is erased. The body is cleared and no
        // helper is inside the round before this function returns or unwinds
        // (the `Close` guard below waits in its `drop`).
        let erased: Body<'static> = unsafe { std::mem::transmute::<Body<'_>, Body<'static>>(body) };
        // SAFETY: no helper is inside a round (the previous round was closed
        // and emptied), and none can enter before the gate opens below.
        unsafe { *self.gate.body.get() = Some(erased) };
        let epoch = (self.gate.word.load(Ordering::Relaxed) >> EPOCH_SHIFT).wrapping_add(1);
        self.gate
            .word
            .store((epoch << EPOCH_SHIFT) | OPEN, Ordering::SeqCst);
        for (t, parked) in self.threads.iter().zip(&self.parked) {
            if parked.load(Ordering::SeqCst) {
                if let Some(t) = t.get() {
                    t.unpark();
                }
            }
        }
        let _close = Close(self);
        body(0, epoch);
    }

    /// A helper's loop: take part in rounds as member `index` until
    /// [`Team::stop`].
    pub fn serve(&self, index: usize) {
        let me = index.wrapping_sub(1);
        let (Some(thread), Some(parked)) = (self.threads.get(me), self.parked.get(me)) else {
            return;
        };
        let _ = thread.get_or_init(std::thread::current);
        let mut seen = self.gate.word.load(Ordering::Acquire) >> EPOCH_SHIFT;
        loop {
            let start = Instant::now();
            let mut spins = 0u32;
            loop {
                if self.gate.quit.load(Ordering::Acquire) {
                    return;
                }
                if self.enter(&mut seen) {
                    // Leaves the round even if the body unwinds.
                    let _leave = Leave(self);
                    // SAFETY: we are inside the round: the leader wrote the
                    // body before opening it and keeps it until we leave.
                    if let Some(body) = unsafe { *self.gate.body.get() } {
                        body(index, seen);
                    }
                    break;
                }
                spins = spins.wrapping_add(1);
                std::hint::spin_loop();
                if spins % 64 == 0 && start.elapsed() > HELPER_SPIN {
                    // Announce the park, then look once more: the leader
                    // opens the gate before it looks for parked helpers, so
                    // one of us sees the other (both SeqCst).
                    parked.store(true, Ordering::SeqCst);
                    let g = self.gate.word.load(Ordering::SeqCst);
                    if !self.gate.quit.load(Ordering::SeqCst) && !joinable(g, seen) {
                        std::thread::park();
                    }
                    parked.store(false, Ordering::Relaxed);
                    break;
                }
            }
        }
    }

    /// Enter the open round if it is one we have not taken part in.
    fn enter(&self, seen: &mut u64) -> bool {
        let g = self.gate.word.load(Ordering::Acquire);
        if !joinable(g, *seen) {
            return false;
        }
        let ok = self
            .gate
            .word
            .compare_exchange_weak(g, g + 1, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok();
        if ok {
            *seen = g >> EPOCH_SHIFT;
        }
        ok
    }

    /// Make every helper return from [`Team::serve`].
    pub fn stop(&self) {
        self.gate.quit.store(true, Ordering::SeqCst);
        // A helper not parked sees `quit` itself (it looks before parking).
        for (t, parked) in self.threads.iter().zip(&self.parked) {
            if parked.load(Ordering::SeqCst) {
                if let Some(t) = t.get() {
                    t.unpark();
                }
            }
        }
    }
}

/// Whether a helper that took part in round `seen` may enter the round of
/// gate word `g`.
fn joinable(g: u64, seen: u64) -> bool {
    g & OPEN != 0 && g >> EPOCH_SHIFT != seen
}

/// Every item of `slots` to the leader, in order.
fn alone<T>(slots: &Slots<T>, job: &(dyn Fn(usize, Claims<'_, T>) + Sync)) {
    let mine = [Range::default()];
    job(0, slots.claims(&mine, 0, 0));
}

/// Closes the round and waits for the helpers inside (also when unwinding).
struct Close<'t>(&'t Team);

impl Drop for Close<'_> {
    fn drop(&mut self) {
        let t = self.0;
        t.gate.word.fetch_and(!OPEN, Ordering::SeqCst);
        let start = Instant::now();
        let mut spins = 0u32;
        while t.gate.word.load(Ordering::Acquire) & INSIDE != 0 {
            spins = spins.wrapping_add(1);
            if spins % 64 != 0 || start.elapsed() < LEADER_SPIN {
                std::hint::spin_loop();
                continue;
            }
            // As for helpers: announce, look again, park (the last helper
            // to leave a closed round unparks us).
            *t.leader.lock().unwrap_or_else(PoisonError::into_inner) = Some(std::thread::current());
            t.leader_parked.store(true, Ordering::SeqCst);
            if t.gate.word.load(Ordering::SeqCst) & INSIDE != 0 {
                std::thread::park();
            }
            t.leader_parked.store(false, Ordering::Relaxed);
        }
        // SAFETY: the round is closed and empty: no helper reads `body`
        // until the next round opens, which only this thread does.
        unsafe { *t.gate.body.get() = None };
    }
}

/// Leaves a round (the last helper out of a closed round wakes the leader).
struct Leave<'t>(&'t Team);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let t = self.0;
        let before = t.gate.word.fetch_sub(1, Ordering::SeqCst);
        if before & INSIDE == 1 && before & OPEN == 0 && t.leader_parked.load(Ordering::SeqCst) {
            if let Some(l) = &*t.leader.lock().unwrap_or_else(PoisonError::into_inner) {
                l.unpark();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Every item is claimed exactly once per round, by whichever members
    /// turn up, over many rounds.
    #[test]
    fn every_item_once() {
        let team = Team::new(2);
        let mut items = vec![0u32; 1000];
        let by_helpers = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for i in 1..3 {
                let team = &team;
                s.spawn(move || team.serve(i));
            }
            for _ in 0..2000 {
                team.share(&mut items, &|member, claims| {
                    for (_, x) in claims {
                        *x += 1;
                        if member > 0 {
                            by_helpers.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                });
            }
            team.stop();
        });
        assert!(items.iter().all(|&x| x == 2000));
        // (how much the helpers did depends on the machine's load)
        println!("helpers did {} items", by_helpers.load(Ordering::Relaxed));
    }

    /// A helper that never turns up (here: never started) does not hold the
    /// leader up: the leader does every item itself.
    #[test]
    fn absent_helper_is_not_waited_for() {
        let team = Team::new(3);
        let mut items: Vec<usize> = vec![0; 77];
        for _ in 0..3 {
            team.share(&mut items, &|member, claims| {
                for (i, x) in claims {
                    assert_eq!(member, 0);
                    *x += i;
                }
            });
        }
        assert!(items.iter().enumerate().all(|(i, &x)| x == 3 * i));
    }

    /// Helpers that park between rounds (gaps longer than their spin) are
    /// woken for the next round and the team stops cleanly.
    #[test]
    fn parked_helpers_wake_and_stop() {
        let team = Team::new(1);
        let mut items = vec![0u8; 64];
        std::thread::scope(|s| {
            let t = &team;
            s.spawn(move || t.serve(1));
            for _ in 0..20 {
                std::thread::sleep(Duration::from_millis(1));
                team.share(&mut items, &|_, claims| {
                    for (_, x) in claims {
                        *x += 1;
                    }
                });
            }
            team.stop();
        });
        assert!(items.iter().all(|&x| x == 20));
    }
}
