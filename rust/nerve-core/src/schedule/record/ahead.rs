//! Room for a run's state recordings, made before they are written.
//!
//! A state recorder records the same number of values at every step of its
//! clock, so the size of its recording in a run is known before the run:
//! [`Recordings::for_schedule`] reserves it once, exactly (a recorder
//! streamed to a file: one flush's worth), instead of growing the buffers
//! by doubling while the run goes. Nothing is reserved past the run's
//! memory limit, and through `try_reserve` only: a reservation that does
//! not fit, or that the system refuses, is simply not made, and the buffers
//! grow by need as before (where a recording that does not fit stops the
//! run with an [`super::Overflow`]); growing, they never reserve more than
//! the rest of the run needs.
//!
//! Writing a recording into memory costs mostly the first touch of each
//! page (a page fault: the kernel finds a page and zeroes it), then the
//! stores. Room the run will fill is therefore populated at once, in one
//! call (Linux's `MADV_POPULATE_WRITE`), and wide rows are written into it
//! with streaming stores, which go past the caches: the recording is not
//! read during the run, the simulation's state stays in the caches, and no
//! cache line is read before it is overwritten. (Streaming stores into
//! pages not yet populated are slower than plain ones: they are used only
//! where the population succeeded.) Measured with `benchmarks/monitors.py
//! state` (10^4 of 10^5 neurons, every step): the recording's cost fell from
//! 1.16-1.30x to 0.74-0.77x that of writing the same values once into fresh
//! memory with numpy.

use std::collections::TryReserveError;
use std::mem::size_of;

use super::super::{Action, Schedule};
use super::{Recordings, StateRecording};

/// What a state recorder still has to record in this run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Ahead {
    /// Recordings still to come (`None`: not known).
    pub rows_left: Option<usize>,
    /// Values per column per recording (the recorded indices).
    pub width: usize,
    /// Bytes per recording (its step and every column), as counted against
    /// the memory limit.
    pub row_bytes: usize,
    /// Whether the room left in the recorder's value buffers is populated.
    pub populated: bool,
}

impl Ahead {
    /// Grow a buffer of `per_row` elements per recording by at most what
    /// the rest of the run needs (no cap when that is not known, or when
    /// the run records more than it was expected to).
    pub fn most(&self, per_row: usize) -> usize {
        match self.rows_left {
            Some(rows) if rows > 0 => rows.saturating_mul(per_row),
            _ => usize::MAX,
        }
    }

    pub fn recorded(&mut self) {
        if let Some(rows) = self.rows_left.as_mut() {
            *rows = rows.saturating_sub(1);
        }
    }

    /// Recordings a streamed recorder holds at most before the host is
    /// asked to take them (`flush_at` bytes, with what all streamed
    /// recorders hold).
    pub fn chunk_rows(&self, flush_at: usize) -> usize {
        flush_at.div_ceil(self.row_bytes.max(1)).max(1)
    }
}

/// Per state recorder, the recordings the run of `s` will make: the steps
/// left on the clock of each operation recording with it.
pub(super) fn expected_rows(s: &Schedule<'_, '_>) -> Vec<usize> {
    let mut rows = vec![0usize; s.state_recorders.len()];
    for op in s.ops {
        if let Action::RecordState { recorder } = op.action {
            if let (Some(r), Some(c)) = (rows.get_mut(recorder), s.clocks.get(op.clock)) {
                let steps = usize::try_from(c.end.saturating_sub(c.step)).unwrap_or(0);
                *r = r.saturating_add(steps);
            }
        }
    }
    rows
}

impl Recordings {
    /// Reserve, for each state recorder that `wanted(k)`, what the rest of
    /// the run needs (streamed: one flush's worth), within the memory limit,
    /// and populate it; a reservation that does not fit or is refused is
    /// left out.
    pub(super) fn reserve_ahead(&mut self, wanted: impl Fn(usize) -> bool) {
        let mut spare = self.account.spare();
        let flush_at = self.account.flush_at;
        let streamed = &self.account.stream[0];
        for (k, (out, ahead)) in self
            .state
            .iter_mut()
            .zip(self.account.ahead.iter_mut())
            .enumerate()
        {
            let Some(left) = ahead.rows_left.filter(|&rows| rows > 0) else {
                continue;
            };
            if !wanted(k) {
                continue;
            }
            let rows = if streamed.get(k).copied().unwrap_or(false) {
                left.min(ahead.chunk_rows(flush_at))
            } else {
                left
            };
            let bytes = rows.saturating_mul(ahead.row_bytes);
            if bytes > spare {
                continue;
            }
            let values = rows.saturating_mul(ahead.width);
            let room = out.steps.try_reserve_exact(rows).is_ok()
                && out
                    .values
                    .iter_mut()
                    .all(|b| b.try_reserve_exact(values).is_ok());
            if room {
                spare -= bytes;
                ahead.populated = out.values.iter_mut().all(|b| populate(b, values));
            }
        }
    }
}

/// Room for one more recording of `width` values per column in `out`
/// (growing by need, within `spare` bytes and what the run still needs);
/// false when it could not be made. New room the run is known to fill is
/// populated.
pub(super) fn make_room(
    out: &mut StateRecording,
    ahead: &mut Ahead,
    width: usize,
    spare: usize,
) -> bool {
    let before = out.values.first().map(Vec::capacity);
    let room = reserve(&mut out.steps, 1, spare, ahead.most(1)).is_ok()
        && out
            .values
            .iter_mut()
            .all(|b| reserve(b, width, spare, ahead.most(width)).is_ok());
    if out.values.first().map(Vec::capacity) != before {
        ahead.populated = ahead.rows_left.is_some()
            && out.values.iter_mut().all(|b| {
                let n = b.capacity() - b.len();
                populate(b, n)
            });
    }
    room
}

/// Room for `extra` more elements in `v`: doubling while the limit allows,
/// never reserving past the bytes still `spare` nor past `most` elements
/// (what the run still needs), and never aborting.
pub(super) fn reserve<T>(
    v: &mut Vec<T>,
    extra: usize,
    spare: usize,
    most: usize,
) -> Result<(), TryReserveError> {
    if v.capacity() - v.len() >= extra {
        return Ok(());
    }
    let ahead = v
        .len()
        .max(extra)
        .min(spare / size_of::<T>().max(1))
        .min(most);
    v.try_reserve_exact(ahead.max(extra))
        .or_else(|_| v.try_reserve_exact(extra))
}

/// Rooms of at least this many bytes are populated at once.
const POPULATE_FROM: usize = 1 << 20;

/// Fault in the pages of the first `elements` of `v`'s spare capacity now,
/// in one call (Linux's `MADV_POPULATE_WRITE`), rather than one page fault
/// at a time while the run writes them: for room the run is known to fill.
/// Contents are not changed. False when nothing was populated (a small
/// room, or a refusal: a kernel before 5.14).
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
fn populate<T>(v: &mut Vec<T>, elements: usize) -> bool {
    /// `MADV_POPULATE_WRITE` of Linux (asm-generic/mman-common.h).
    const MADV_POPULATE_WRITE: std::ffi::c_int = 23;
    /// The smallest page size of these systems (a larger one makes the call
    /// fail with EINVAL, harmlessly).
    const PAGE: usize = 4096;
    extern "C" {
        fn madvise(
            addr: *mut std::ffi::c_void,
            len: usize,
            advice: std::ffi::c_int,
        ) -> std::ffi::c_int;
    }
    let spare = v.spare_capacity_mut();
    let bytes = elements.min(spare.len()).saturating_mul(size_of::<T>());
    if bytes < POPULATE_FROM {
        return false;
    }
    let start = spare.as_mut_ptr() as usize;
    let first = start.next_multiple_of(PAGE);
    let end = start.saturating_add(bytes) & !(PAGE - 1);
    if end <= first {
        return false;
    }
    // SAFETY: `first..end` are whole pages inside the spare capacity of
    // `v`'s own allocation (rounded inwards); MADV_POPULATE_WRITE maps them
    // as if written, without writing: no byte changes, none becomes
    // invalid.
    unsafe {
        madvise(
            first as *mut std::ffi::c_void,
            end - first,
            MADV_POPULATE_WRITE,
        ) == 0
    }
}

#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
fn populate<T>(_v: &mut Vec<T>, _elements: usize) -> bool {
    false
}

/// Parts of at least this many values are written with streaming stores.
const STREAM_FROM: usize = 512;

/// Append `part` to `buf`: into `populated` room, long parts with
/// streaming stores, which go past the caches (see the module doc).
pub(super) fn append(buf: &mut Vec<f64>, part: &[f64], populated: bool) {
    #[cfg(target_arch = "x86_64")]
    if populated && part.len() >= STREAM_FROM && buf.capacity() - buf.len() >= part.len() {
        use std::arch::x86_64::{_mm_loadu_pd, _mm_sfence, _mm_stream_pd};
        let n = part.len();
        let Some(spare) = buf.spare_capacity_mut().get_mut(..n) else {
            return buf.extend_from_slice(part);
        };
        let dst = spare.as_mut_ptr().cast::<f64>();
        let mut i = 0;
        if dst as usize % 16 != 0 {
            spare[0].write(part[0]);
            i = 1;
        }
        while i + 2 <= n {
            // SAFETY: `i + 2 <= n`: both values lie in `part` and in the `n`
            // elements of spare capacity; `dst + i` is 16-byte aligned (`dst`
            // is 8-byte aligned: aligned, or aligned from `dst + 1`, where
            // `i` starts, and `i` moves by 2); SSE2 is part of every x86_64.
            unsafe { _mm_stream_pd(dst.add(i), _mm_loadu_pd(part.as_ptr().add(i))) };
            i += 2;
        }
        if i < n {
            spare[i].write(part[i]);
        }
        // SAFETY: SSE2 (every x86_64). Orders the streaming stores before
        // every later store, as plain stores are ordered.
        unsafe { _mm_sfence() };
        // SAFETY: the `n` elements after `len` were all written above.
        unsafe { buf.set_len(buf.len() + n) };
        return;
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = populated;
    buf.extend_from_slice(part);
}
