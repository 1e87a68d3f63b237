//! What recorders collect during a run, kept until the caller takes it.
//!
//! The caller may take a recorder's data whenever it is called
//! ([`super::Host::call`]) and at the end of the run; what it takes is gone
//! from here, so memory grows only with what was not yet taken.

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
}

/// The recordings of a run, one entry per recorder.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Recordings {
    pub state: Vec<StateRecording>,
    pub events: Vec<EventRecording>,
}

impl Recordings {
    pub(crate) fn new(state: &[StateRecorder], events: &[EventRecorder]) -> Recordings {
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
        }
    }

    /// Take everything recorded so far, leaving empty recordings.
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
        };
        std::mem::replace(self, empty)
    }
}

/// Append the current values of `r`'s columns at its indices.
pub(super) fn record_state(
    r: &StateRecorder,
    cols: &Columns<'_>,
    step: i64,
    out: &mut StateRecording,
) {
    out.steps.push(step);
    for (&c, buf) in r.columns.iter().zip(out.values.iter_mut()) {
        buf.extend(r.indices.iter().map(|&i| cols.get(c, i as usize)));
    }
}

/// Append the events of `lanes` that fall in `r.start..r.stop` (and the
/// values of the recorded columns there).
pub(super) fn record_events(
    r: &EventRecorder,
    lanes: &[i32],
    cols: &Columns<'_>,
    step: i64,
    out: &mut EventRecording,
) {
    // events are in increasing lane order: the range is one slice
    let part = if r.start == 0 && lanes.last().is_none_or(|&l| l < r.stop) {
        lanes
    } else {
        let lo = lanes.partition_point(|&l| l < r.start);
        let hi = lanes.partition_point(|&l| l < r.stop);
        lanes.get(lo..hi).unwrap_or_default()
    };
    if r.start == 0 {
        out.indices.extend_from_slice(part);
    } else {
        out.indices.extend(part.iter().map(|&l| l - r.start));
    }
    out.steps.extend(std::iter::repeat_n(step, part.len()));
    for (&c, buf) in r.columns.iter().zip(out.values.iter_mut()) {
        buf.extend(part.iter().map(|&l| cols.get(c, l as usize)));
    }
}
