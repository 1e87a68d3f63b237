//! What recorders collect during a run, kept until the caller takes it.
//!
//! The caller may take a recorder's data whenever it is called
//! ([`super::Host::call`], [`super::Host::flush`]) and at the end of the
//! run; what it takes is gone from here, so memory grows only with what was
//! not yet taken.
//!
//! ## Memory
//!
//! Buffers grow by need, never by more than the run's memory limit allows
//! ([`RecordingPlan::limit`]), and through `try_reserve`: a recording that
//! would pass the limit, or an allocation the system refuses, stops the run
//! after the current tick with an [`Overflow`] (in [`Recordings::overflow`])
//! instead of aborting the process. Nothing is appended by a recording that
//! does not fit, so every recording stays whole (one row per recorded step).
//!
//! The limit counts, for each recorder kept in memory, everything it
//! recorded during the run (the caller keeps what it takes), and for each
//! *streamed* recorder only what it holds now (the caller writes what it
//! takes elsewhere). When streamed recorders hold [`RecordingPlan::flush_at`]
//! bytes, the caller is asked to take them ([`super::Host::flush`]).

use std::mem::size_of;

use super::{EventRecorder, Schedule, StateRecorder};
use crate::vm::Columns;

mod ahead;

use ahead::{reserve, Ahead};

/// Values recorded by a state recorder.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct StateRecording {
    /// The recorder clock's step of each recording.
    pub steps: Vec<i64>,
    /// Per recorded column: `steps.len() * indices.len()` values, one row
    /// per recording.
    pub values: Vec<Vec<f64>>,
}

/// Events recorded by an event recorder.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct EventRecording {
    /// Lane of each event, relative to the recorder's `start`.
    pub indices: Vec<i32>,
    /// The clock step of each event.
    pub steps: Vec<i64>,
    /// Per recorded column, its value at each event.
    pub values: Vec<Vec<f64>>,
    /// For a recorder that only counts ([`RecordingPlan::counted_events`]):
    /// events per lane of its range since the last take (empty until the
    /// first event); `indices`, `steps` and `values` stay empty.
    pub counts: Vec<u32>,
}

/// Counts of events per step recorded by a rate recorder.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RateRecording {
    /// The clock step of each recording.
    pub steps: Vec<i64>,
    /// Number of events in the recorder's range at that step.
    pub counts: Vec<u32>,
}

/// Count, at every step of its operation's clock, the lanes of event buffer
/// `event` of `group` that lie in `start..stop` (a population rate).
#[derive(Clone, Debug)]
pub struct RateRecorder {
    pub group: usize,
    pub event: usize,
    pub start: i32,
    pub stop: i32,
}

/// The kind of a recorder, to name it in an [`Overflow`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecorderKind {
    State,
    Events,
    Rate,
}

/// A recording that did not fit: it would have taken the recordings of the
/// run to `needed` bytes, over `limit` (or the system refused the memory:
/// `refused`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow {
    pub kind: RecorderKind,
    pub recorder: usize,
    pub step: i64,
    pub needed: usize,
    pub limit: usize,
    pub refused: bool,
}

/// How recordings may use memory during a run, and the recorders that only
/// rate recorders need (kept out of [`super::Schedule`] so that schedules
/// built without them stay valid).
#[derive(Clone, Debug)]
pub struct RecordingPlan<'s> {
    /// Recorders of `Action::RecordRate`.
    pub rate_recorders: &'s [RateRecorder],
    /// Bytes the recordings of the run may take (see the module doc).
    pub limit: usize,
    /// Ask the host to take the recordings when streamed recorders hold
    /// this many bytes.
    pub flush_at: usize,
    /// Which recorders are streamed (missing entries: kept in memory).
    pub streamed_state: &'s [bool],
    pub streamed_events: &'s [bool],
    pub streamed_rates: &'s [bool],
    /// Event recorders that only count events per lane (missing entries:
    /// they record every event).
    pub counted_events: &'s [bool],
}

impl Default for RecordingPlan<'_> {
    fn default() -> Self {
        RecordingPlan {
            rate_recorders: &[],
            limit: usize::MAX,
            flush_at: usize::MAX,
            streamed_state: &[],
            streamed_events: &[],
            streamed_rates: &[],
            counted_events: &[],
        }
    }
}

/// The memory account of a run's recordings.
#[derive(Debug, Default, Clone, PartialEq)]
struct Account {
    limit: usize,
    flush_at: usize,
    /// Bytes counted against the limit (see the module doc).
    used: usize,
    /// Bytes held by streamed recorders (part of `used`).
    streamed: usize,
    /// Per kind (state, events, rates), which recorders are streamed.
    stream: [Vec<bool>; 3],
    /// Which event recorders only count.
    counted: Vec<bool>,
    /// Per state recorder, `(first, len)` when its indices are consecutive
    /// (then a recording is one copy of a slice of each column).
    runs: Vec<Option<(usize, usize)>>,
    /// Per state recorder, what it still has to record in the run.
    ahead: Vec<Ahead>,
}

impl Account {
    fn is_streamed(&self, kind: RecorderKind, k: usize) -> bool {
        let list = match kind {
            RecorderKind::State => &self.stream[0],
            RecorderKind::Events => &self.stream[1],
            RecorderKind::Rate => &self.stream[2],
        };
        list.get(k).copied().unwrap_or(false)
    }

    /// Bytes a buffer may still grow by within the limit.
    fn spare(&self) -> usize {
        self.limit.saturating_sub(self.used)
    }
}

/// The recordings of a run, one entry per recorder.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Recordings {
    pub state: Vec<StateRecording>,
    pub events: Vec<EventRecording>,
    pub rates: Vec<RateRecording>,
    /// The recording that did not fit, if one did not (the run stopped).
    pub overflow: Option<Overflow>,
    account: Account,
}

impl Recordings {
    pub(crate) fn new(
        state: &[StateRecorder],
        events: &[EventRecorder],
        plan: &RecordingPlan<'_>,
    ) -> Recordings {
        Recordings {
            state: state
                .iter()
                .map(|r| StateRecording {
                    steps: Vec::new(),
                    values: vec![Vec::new(); r.columns.len()],
                })
                .collect(),
            events: events
                .iter()
                .map(|r| EventRecording {
                    values: vec![Vec::new(); r.columns.len()],
                    ..EventRecording::default()
                })
                .collect(),
            rates: vec![RateRecording::default(); plan.rate_recorders.len()],
            overflow: None,
            account: Account {
                limit: plan.limit,
                flush_at: plan.flush_at,
                used: 0,
                streamed: 0,
                stream: [
                    plan.streamed_state.to_vec(),
                    plan.streamed_events.to_vec(),
                    plan.streamed_rates.to_vec(),
                ],
                counted: plan.counted_events.to_vec(),
                runs: state.iter().map(|r| consecutive(&r.indices)).collect(),
                ahead: state
                    .iter()
                    .map(|r| Ahead {
                        rows_left: None,
                        populated: false,
                        width: r.indices.len(),
                        row_bytes: size_of::<i64>()
                            + r.indices.len() * r.columns.len() * size_of::<f64>(),
                    })
                    .collect(),
            },
        }
    }

    /// The recordings of the run of `s`, with room for what its state
    /// recorders will record reserved at once (see [`ahead`]).
    pub(crate) fn for_schedule(s: &Schedule<'_, '_>, plan: &RecordingPlan<'_>) -> Recordings {
        let mut rec = Recordings::new(s.state_recorders, s.event_recorders, plan);
        for (a, rows) in rec.account.ahead.iter_mut().zip(ahead::expected_rows(s)) {
            a.rows_left = Some(rows);
        }
        rec.reserve_ahead(|_| true);
        rec
    }

    /// Take everything recorded so far, leaving empty recordings (and the
    /// memory account: what streamed recorders held no longer counts).
    /// A streamed state recorder taken about a flush's worth gets room for
    /// the next one at once; the others grow by need again.
    pub fn take(&mut self) -> Recordings {
        let empty = Recordings {
            state: self
                .state
                .iter()
                .map(|r| StateRecording {
                    steps: Vec::new(),
                    values: vec![Vec::new(); r.values.len()],
                })
                .collect(),
            events: self
                .events
                .iter()
                .map(|r| EventRecording {
                    values: vec![Vec::new(); r.values.len()],
                    ..EventRecording::default()
                })
                .collect(),
            rates: vec![RateRecording::default(); self.rates.len()],
            overflow: self.overflow,
            account: Account {
                used: self.account.used - self.account.streamed,
                streamed: 0,
                ..self.account.clone()
            },
        };
        let taken = std::mem::replace(self, empty);
        for a in self.account.ahead.iter_mut() {
            a.populated = false; // (new, empty buffers)
        }
        let flush_at = self.account.flush_at;
        let ahead = &self.account.ahead;
        let full: Vec<bool> = taken
            .state
            .iter()
            .zip(ahead)
            .enumerate()
            .map(|(k, (r, a))| {
                self.account.is_streamed(RecorderKind::State, k)
                    && r.steps.len().saturating_mul(2) >= a.chunk_rows(flush_at)
            })
            .collect();
        self.reserve_ahead(|k| full.get(k).copied().unwrap_or(false));
        taken
    }

    /// Whether streamed recorders hold enough to be handed to the host.
    #[inline]
    pub fn flush_due(&self) -> bool {
        self.account.streamed >= self.account.flush_at
    }

    /// Bytes counted against the run's memory limit so far.
    pub fn bytes_used(&self) -> usize {
        self.account.used
    }

    /// Make room for `bytes` more bytes of recorder (`kind`, `k`), or record
    /// why not.
    fn admit(&mut self, kind: RecorderKind, k: usize, step: i64, bytes: usize) -> bool {
        let needed = self.account.used.saturating_add(bytes);
        if needed > self.account.limit {
            self.overflow.get_or_insert(Overflow {
                kind,
                recorder: k,
                step,
                needed,
                limit: self.account.limit,
                refused: false,
            });
            return false;
        }
        true
    }

    fn refused(&mut self, kind: RecorderKind, k: usize, step: i64, bytes: usize) {
        self.overflow.get_or_insert(Overflow {
            kind,
            recorder: k,
            step,
            needed: self.account.used.saturating_add(bytes),
            limit: self.account.limit,
            refused: true,
        });
    }

    fn spend(&mut self, kind: RecorderKind, k: usize, bytes: usize) {
        self.account.used += bytes;
        if self.account.is_streamed(kind, k) {
            self.account.streamed += bytes;
        }
    }
}

/// `(first, len)` when `indices` are `first, first + 1, ...` (not empty).
fn consecutive(indices: &[i32]) -> Option<(usize, usize)> {
    let &first = indices.first()?;
    let ok = first >= 0
        && indices
            .iter()
            .zip(first..)
            .all(|(&i, expected)| i == expected);
    ok.then_some((first as usize, indices.len()))
}

/// Append the current values of `r`'s columns at its indices (recorder
/// `k`); false when it did not fit (then nothing was appended).
pub(super) fn record_state(
    r: &StateRecorder,
    cols: &Columns<'_>,
    step: i64,
    k: usize,
    rec: &mut Recordings,
) -> bool {
    let width = r.indices.len();
    let bytes = size_of::<i64>() + width * r.columns.len() * size_of::<f64>();
    if !rec.admit(RecorderKind::State, k, step, bytes) {
        return false;
    }
    let spare = rec.account.spare();
    let (Some(out), Some(ahead)) = (rec.state.get_mut(k), rec.account.ahead.get_mut(k)) else {
        return true;
    };
    let room = ahead::make_room(out, ahead, width, spare);
    let populated = ahead.populated;
    if !room {
        rec.refused(RecorderKind::State, k, step, bytes);
        return false;
    }
    out.steps.push(step);
    let run = rec.account.runs.get(k).copied().flatten();
    for (&c, buf) in r.columns.iter().zip(out.values.iter_mut()) {
        let column = cols.column(c).unwrap_or_default();
        match run.and_then(|(first, len)| column.get(first..first + len)) {
            // consecutive neurons (record=True, a slice): one copy
            Some(part) => ahead::append(buf, part, populated),
            None => buf.extend(
                r.indices
                    .iter()
                    .map(|&i| column.get(i as usize).copied().unwrap_or(f64::NAN)),
            ),
        }
    }
    rec.spend(RecorderKind::State, k, bytes);
    if let Some(a) = rec.account.ahead.get_mut(k) {
        a.recorded();
    }
    true
}

/// The lanes of `lanes` (increasing) that lie in `start..stop`.
#[inline]
fn in_range(lanes: &[i32], start: i32, stop: i32) -> &[i32] {
    if start == 0 && lanes.last().is_none_or(|&l| l < stop) {
        return lanes;
    }
    let lo = lanes.partition_point(|&l| l < start);
    let hi = lanes.partition_point(|&l| l < stop);
    lanes.get(lo..hi).unwrap_or_default()
}

/// Append the events of `lanes` that fall in `r.start..r.stop` (and the
/// values of the recorded columns there); false when they did not fit.
pub(super) fn record_events(
    r: &EventRecorder,
    lanes: &[i32],
    cols: &Columns<'_>,
    step: i64,
    k: usize,
    rec: &mut Recordings,
) -> bool {
    // events are in increasing lane order: the range is one slice
    let part = in_range(lanes, r.start, r.stop);
    if part.is_empty() {
        return true;
    }
    if rec.account.counted.get(k).copied().unwrap_or(false) {
        return count_events(r, part, step, k, rec);
    }
    let n = part.len();
    let bytes = n * (size_of::<i32>() + size_of::<i64>() + r.columns.len() * size_of::<f64>());
    if !rec.admit(RecorderKind::Events, k, step, bytes) {
        return false;
    }
    let spare = rec.account.spare();
    let Some(out) = rec.events.get_mut(k) else {
        return true;
    };
    let room = reserve(&mut out.indices, n, spare, usize::MAX).is_ok()
        && reserve(&mut out.steps, n, spare, usize::MAX).is_ok()
        && out
            .values
            .iter_mut()
            .all(|b| reserve(b, n, spare, usize::MAX).is_ok());
    if !room {
        rec.refused(RecorderKind::Events, k, step, bytes);
        return false;
    }
    if r.start == 0 {
        out.indices.extend_from_slice(part);
    } else {
        out.indices.extend(part.iter().map(|&l| l - r.start));
    }
    out.steps.extend(std::iter::repeat_n(step, n));
    for (&c, buf) in r.columns.iter().zip(out.values.iter_mut()) {
        buf.extend(part.iter().map(|&l| cols.get(c, l as usize)));
    }
    rec.spend(RecorderKind::Events, k, bytes);
    true
}

/// Add the events of `part` (lanes in `r.start..r.stop`) to the counts per
/// lane of a counting recorder.
fn count_events(
    r: &EventRecorder,
    part: &[i32],
    step: i64,
    k: usize,
    rec: &mut Recordings,
) -> bool {
    let Some(out) = rec.events.get(k) else {
        return true;
    };
    if out.counts.is_empty() {
        // (4 bytes per neuron, replaced rather than grown: not counted
        // against the limit, which is about recordings that grow)
        let size = (r.stop - r.start).max(0) as usize;
        let Some(out) = rec.events.get_mut(k) else {
            return true;
        };
        if out.counts.try_reserve_exact(size).is_err() {
            rec.refused(RecorderKind::Events, k, step, size * size_of::<u32>());
            return false;
        }
        out.counts.resize(size, 0);
    }
    let Some(out) = rec.events.get_mut(k) else {
        return true;
    };
    for &l in part {
        if let Some(c) = out.counts.get_mut((l - r.start) as usize) {
            *c += 1;
        }
    }
    true
}

/// Append the number of events of `lanes` in `r.start..r.stop`; false when
/// it did not fit.
pub(super) fn record_rate(
    r: &RateRecorder,
    lanes: &[i32],
    step: i64,
    k: usize,
    rec: &mut Recordings,
) -> bool {
    let count = in_range(lanes, r.start, r.stop).len() as u32;
    let bytes = size_of::<i64>() + size_of::<u32>();
    if !rec.admit(RecorderKind::Rate, k, step, bytes) {
        return false;
    }
    let spare = rec.account.spare();
    let Some(out) = rec.rates.get_mut(k) else {
        return true;
    };
    if reserve(&mut out.steps, 1, spare, usize::MAX).is_err()
        || reserve(&mut out.counts, 1, spare, usize::MAX).is_err()
    {
        rec.refused(RecorderKind::Rate, k, step, bytes);
        return false;
    }
    out.steps.push(step);
    out.counts.push(count);
    rec.spend(RecorderKind::Rate, k, bytes);
    true
}

#[cfg(test)]
mod tests;
