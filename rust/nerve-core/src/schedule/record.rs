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

use std::collections::TryReserveError;
use std::mem::size_of;

use super::{EventRecorder, StateRecorder};
use crate::vm::Columns;

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
            },
        }
    }

    /// Take everything recorded so far, leaving empty recordings (and the
    /// memory account: what streamed recorders held no longer counts).
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
        std::mem::replace(self, empty)
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

/// Room for `extra` more elements in `v`: doubling while the limit allows,
/// never reserving past the bytes still `spare`, and never aborting.
fn reserve<T>(v: &mut Vec<T>, extra: usize, spare: usize) -> Result<(), TryReserveError> {
    if v.capacity() - v.len() >= extra {
        return Ok(());
    }
    let ahead = v.len().max(extra).min(spare / size_of::<T>().max(1));
    v.try_reserve_exact(ahead.max(extra))
        .or_else(|_| v.try_reserve_exact(extra))
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
    let Some(out) = rec.state.get_mut(k) else {
        return true;
    };
    let room = reserve(&mut out.steps, 1, spare).is_ok()
        && out
            .values
            .iter_mut()
            .all(|b| reserve(b, width, spare).is_ok());
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
            Some(part) => buf.extend_from_slice(part),
            None => buf.extend(
                r.indices
                    .iter()
                    .map(|&i| column.get(i as usize).copied().unwrap_or(f64::NAN)),
            ),
        }
    }
    rec.spend(RecorderKind::State, k, bytes);
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
    let room = reserve(&mut out.indices, n, spare).is_ok()
        && reserve(&mut out.steps, n, spare).is_ok()
        && out.values.iter_mut().all(|b| reserve(b, n, spare).is_ok());
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
    if reserve(&mut out.steps, 1, spare).is_err() || reserve(&mut out.counts, 1, spare).is_err() {
        rec.refused(RecorderKind::Rate, k, step, bytes);
        return false;
    }
    out.steps.push(step);
    out.counts.push(count);
    rec.spend(RecorderKind::Rate, k, bytes);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rate recorder of lanes `start..stop` of group 0's spikes.
    fn lanes(start: i32, stop: i32) -> RateRecorder {
        RateRecorder {
            group: 0,
            event: 0,
            start,
            stop,
        }
    }

    fn plan(limit: usize) -> RecordingPlan<'static> {
        RecordingPlan {
            limit,
            ..RecordingPlan::default()
        }
    }

    #[test]
    fn rate_counts_the_events_in_range() {
        let r = lanes(2, 5);
        let rr = [r.clone()];
        let p = RecordingPlan {
            rate_recorders: &rr,
            ..plan(usize::MAX)
        };
        let mut rec = Recordings::new(&[], &[], &p);
        assert!(record_rate(&r, &[0, 2, 3, 5, 7], 4, 0, &mut rec));
        assert!(record_rate(&r, &[], 5, 0, &mut rec));
        assert_eq!(rec.rates[0].steps, vec![4, 5]);
        assert_eq!(rec.rates[0].counts, vec![2, 0]);
    }

    #[test]
    fn a_recording_over_the_limit_is_refused_whole() {
        let r = lanes(0, 10);
        let rr = [r.clone()];
        // room for exactly two recordings of 12 bytes
        let p = RecordingPlan {
            rate_recorders: &rr,
            ..plan(24)
        };
        let mut rec = Recordings::new(&[], &[], &p);
        assert!(record_rate(&r, &[1], 0, 0, &mut rec));
        assert!(record_rate(&r, &[1, 2], 1, 0, &mut rec));
        assert!(!record_rate(&r, &[1, 2, 3], 2, 0, &mut rec));
        assert_eq!(rec.rates[0].counts, vec![1, 2]);
        let o = rec.overflow.expect("an overflow");
        assert_eq!(
            (o.kind, o.recorder, o.step, o.needed, o.limit),
            (RecorderKind::Rate, 0, 2, 36, 24)
        );
        assert!(!o.refused);
        // the buffers never reserved past the limit
        assert!(rec.rates[0].steps.capacity() <= 3 && rec.rates[0].counts.capacity() <= 6);
    }

    #[test]
    fn state_recordings_of_consecutive_and_scattered_indices() {
        let mut a: Vec<f64> = (0..6).map(f64::from).collect();
        let mut b: Vec<f64> = (0..6).map(|x| f64::from(x) * 10.0).collect();
        let mut slices: Vec<&mut [f64]> = vec![&mut a, &mut b];
        let cols = Columns::new(&mut slices, 6).expect("columns");
        let recorders = [
            StateRecorder {
                group: 0,
                columns: vec![0, 1],
                indices: vec![2, 3, 4],
            },
            StateRecorder {
                group: 0,
                columns: vec![1],
                indices: vec![5, 0, 3],
            },
        ];
        assert_eq!(consecutive(&recorders[0].indices), Some((2, 3)));
        assert_eq!(consecutive(&recorders[1].indices), None);
        let mut rec = Recordings::new(&recorders, &[], &plan(usize::MAX));
        for (k, r) in recorders.iter().enumerate() {
            assert!(record_state(r, &cols, 7, k, &mut rec));
            assert!(record_state(r, &cols, 8, k, &mut rec));
        }
        assert_eq!(rec.state[0].steps, vec![7, 8]);
        assert_eq!(rec.state[0].values[0], vec![2.0, 3.0, 4.0, 2.0, 3.0, 4.0]);
        assert_eq!(
            rec.state[0].values[1],
            vec![20.0, 30.0, 40.0, 20.0, 30.0, 40.0]
        );
        assert_eq!(
            rec.state[1].values[0],
            vec![50.0, 0.0, 30.0, 50.0, 0.0, 30.0]
        );
    }

    #[test]
    fn a_counting_recorder_keeps_counts_per_lane_only() {
        let r = EventRecorder {
            group: 0,
            event: 0,
            start: 2,
            stop: 6,
            columns: vec![],
        };
        let p = RecordingPlan {
            counted_events: &[true],
            ..plan(usize::MAX)
        };
        let mut rec = Recordings::new(&[], std::slice::from_ref(&r), &p);
        let mut slices: Vec<&mut [f64]> = Vec::new();
        let cols = Columns::new(&mut slices, 8).expect("columns");
        assert!(record_events(&r, &[0, 2, 5, 7], &cols, 0, 0, &mut rec));
        assert!(record_events(&r, &[2, 3], &cols, 1, 0, &mut rec));
        assert!(record_events(&r, &[], &cols, 2, 0, &mut rec));
        let e = &rec.events[0];
        assert_eq!(e.counts, vec![2, 1, 0, 1]);
        assert!(e.indices.is_empty() && e.steps.is_empty());
        let taken = rec.take();
        assert_eq!(taken.events[0].counts, vec![2, 1, 0, 1]);
        assert!(rec.events[0].counts.is_empty());
    }

    #[test]
    fn streamed_recorders_count_only_what_they_hold() {
        let r = lanes(0, 10);
        let rr = [r.clone()];
        let p = RecordingPlan {
            rate_recorders: &rr,
            flush_at: 24,
            streamed_rates: &[true],
            ..plan(36)
        };
        let mut rec = Recordings::new(&[], &[], &p);
        for step in 0..100 {
            assert!(record_rate(&r, &[1], step, 0, &mut rec), "step {step}");
            if rec.flush_due() {
                let taken = rec.take();
                assert_eq!(taken.rates[0].counts.len(), 2);
                assert_eq!(rec.bytes_used(), 0);
            }
        }
        assert!(rec.overflow.is_none());
    }
}
