//! A team of helper threads kept for a whole run, for the per-step parallel
//! work of large groups.
//!
//! A step of a large group takes tens of microseconds; handing it to a
//! thread pool and joining costs a good part of that (waking sleeping
//! workers, work-stealing traffic). The team's helpers instead wait for the
//! next round by spinning (then yielding) on a shared counter, and the
//! caller (member 0) works on its own part of every round. A round is a
//! function of the member index, so the caller decides the split: the same
//! member gets the same neurons every step.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The work of one round: called once per member with the member's index.
pub type Job<'j> = &'j (dyn Fn(usize) + Sync);

/// Spins before a waiting member starts yielding its core.
const SPINS: u32 = 1 << 12;

/// Leader (member 0, the caller) plus `helpers` helper threads.
pub struct Team {
    helpers: usize,
    /// The current round's job; written only by the leader while no helper
    /// reads it (see `round`).
    job: UnsafeCell<Option<Job<'static>>>,
    /// Bumped by the leader to start a round.
    epoch: AtomicUsize,
    /// Helpers that have finished the current round.
    done: AtomicUsize,
    quit: AtomicBool,
}

// SAFETY: the only non-`Sync` field is `job`. The leader writes it before
// publishing a round (Release store to `epoch`) and after every helper has
// finished the round (Acquire loads of `done`); helpers read it only between
// seeing the new epoch (Acquire) and bumping `done` (Release). So writes and
// reads never overlap, and the job itself is `Sync`.
unsafe impl Sync for Team {}

impl Team {
    /// A team of `helpers` helpers; they must be started with [`Team::serve`].
    pub fn new(helpers: usize) -> Team {
        Team {
            helpers,
            job: UnsafeCell::new(None),
            epoch: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            quit: AtomicBool::new(false),
        }
    }

    /// Number of members (helpers and the leader).
    pub fn members(&self) -> usize {
        self.helpers + 1
    }

    /// Run `job(i)` for every member `i`, the leader's part on this thread;
    /// returns when all are done.
    pub fn round(&self, job: Job<'_>) {
        if self.helpers == 0 {
            job(0);
            return;
        }
        // SAFETY: only the lifetime is erased. The job is cleared and every
        // helper has finished with it before this function returns or
        // unwinds (the `Join` guard below waits in its `drop`).
        let erased: Job<'static> = unsafe { std::mem::transmute::<Job<'_>, Job<'static>>(job) };
        // SAFETY: no helper reads `job` now: every helper finished the
        // previous round (we waited) and none starts before the epoch bump.
        unsafe { *self.job.get() = Some(erased) };
        self.done.store(0, Ordering::Relaxed);
        self.epoch.fetch_add(1, Ordering::Release);
        let _join = Join(self);
        job(0);
    }

    /// A helper's loop: run every round as member `index` until [`Team::stop`].
    pub fn serve(&self, index: usize) {
        let mut seen = 0;
        loop {
            let mut spins = 0;
            let epoch = loop {
                if self.quit.load(Ordering::Acquire) {
                    return;
                }
                let e = self.epoch.load(Ordering::Acquire);
                if e != seen {
                    break e;
                }
                pause(&mut spins);
            };
            seen = epoch;
            // Counts the round as done even if the job unwinds.
            let _done = Done(self);
            // SAFETY: the leader wrote `job` before the epoch we saw and does
            // not touch it until we bump `done` (see `unsafe impl Sync`).
            if let Some(job) = unsafe { *self.job.get() } {
                job(index);
            }
        }
    }

    /// Make every helper return from [`Team::serve`].
    pub fn stop(&self) {
        self.quit.store(true, Ordering::Release);
    }
}

/// Waits for the helpers at the end of a round (also when unwinding).
struct Join<'t>(&'t Team);

impl Drop for Join<'_> {
    fn drop(&mut self) {
        let t = self.0;
        let mut spins = 0;
        while t.done.load(Ordering::Acquire) < t.helpers {
            pause(&mut spins);
        }
        // SAFETY: every helper has finished this round; none reads `job`
        // until the next epoch bump, which only this thread does.
        unsafe { *t.job.get() = None };
    }
}

/// Marks a helper's round done.
struct Done<'t>(&'t Team);

impl Drop for Done<'_> {
    fn drop(&mut self) {
        self.0.done.fetch_add(1, Ordering::Release);
    }
}

fn pause(spins: &mut u32) {
    if *spins < SPINS {
        *spins += 1;
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}
