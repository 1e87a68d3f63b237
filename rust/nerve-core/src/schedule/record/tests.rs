//! Tests of the recorders and their memory account.

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

/// A schedule recording `recorder` (3 neurons, 2 columns) on a clock at
/// `step` of `end`.
fn recording_schedule<'s>(
    clocks: &'s mut [super::super::Clock],
    ops: &'s [super::super::Operation<'static>],
    recorders: &'s [StateRecorder],
    pathways: &'s mut [super::super::Pathway<'s, 'static>],
) -> Schedule<'s, 'static> {
    Schedule {
        clocks,
        ops,
        state_recorders: recorders,
        event_recorders: &[],
        links: &[],
        pathways,
    }
}

fn three_of_two_columns() -> StateRecorder {
    StateRecorder {
        group: 0,
        columns: vec![0, 1],
        indices: vec![1, 2, 3],
    }
}

fn record_op() -> super::super::Operation<'static> {
    super::super::Operation {
        clock: 0,
        action: super::super::Action::RecordState { recorder: 0 },
    }
}

/// Columns `a` = 0..6 and `b` = 10 * `a`, plus `step` in both.
fn state_at(step: i64) -> (Vec<f64>, Vec<f64>) {
    let a: Vec<f64> = (0..6).map(|x| f64::from(x) + step as f64).collect();
    let b = a.iter().map(|x| x * 10.0).collect();
    (a, b)
}

/// One clock of step `dt`, at `step`, running until `end`.
fn clock(dt: f64, step: i64, end: i64) -> super::super::Clock {
    super::super::Clock { dt, step, end }
}

fn record_steps(r: &StateRecorder, steps: std::ops::Range<i64>, rec: &mut Recordings) -> bool {
    steps.into_iter().all(|step| {
        let (mut a, mut b) = state_at(step);
        let mut slices: Vec<&mut [f64]> = vec![&mut a, &mut b];
        let cols = Columns::new(&mut slices, 6).expect("columns");
        record_state(r, &cols, step, 0, rec)
    })
}

#[test]
fn a_state_recorder_reserves_its_run_exactly_once() {
    let recorders = [three_of_two_columns()];
    let ops = [record_op()];
    let mut clocks = [clock(0.1, 5, 15)];
    let s = recording_schedule(&mut clocks, &ops, &recorders, &mut []);
    assert_eq!(ahead::expected_rows(&s), vec![10]);
    let mut rec = Recordings::for_schedule(&s, &plan(usize::MAX));
    let out = &rec.state[0];
    assert_eq!(out.steps.capacity(), 10);
    assert!(out.values.iter().all(|v| v.capacity() == 30));
    let places: Vec<*const f64> = out.values.iter().map(|v| v.as_ptr()).collect();
    assert!(record_steps(&recorders[0], 5..15, &mut rec));
    let out = &rec.state[0];
    // written where it was reserved: no buffer moved or grew
    assert_eq!(
        out.values.iter().map(|v| v.as_ptr()).collect::<Vec<_>>(),
        places
    );
    assert!(out.values.iter().all(|v| v.capacity() == 30) && out.steps.capacity() == 10);
    assert_eq!(out.steps, (5..15).collect::<Vec<i64>>());
    let expected: Vec<f64> = (5..15)
        .flat_map(|step| (1..4).map(move |i| f64::from(i) + step as f64))
        .collect();
    assert_eq!(out.values[0], expected);
    let tens: Vec<f64> = expected.iter().map(|x| x * 10.0).collect();
    assert_eq!(out.values[1], tens);
    // one recording more than expected still fits (the buffers grow)
    assert!(record_steps(&recorders[0], 15..16, &mut rec));
    assert_eq!(rec.state[0].steps.len(), 11);
    assert_eq!(rec.state[0].values[0][30..], [16.0, 17.0, 18.0]);
    assert!(rec.overflow.is_none());
}

#[test]
fn growth_by_need_stops_at_what_the_run_still_needs() {
    let recorders = [three_of_two_columns()];
    let ops = [record_op()];
    let mut clocks = [clock(0.1, 0, 100)];
    let s = recording_schedule(&mut clocks, &ops, &recorders, &mut []);
    let mut rec = Recordings::for_schedule(&s, &plan(usize::MAX));
    assert!(record_steps(&recorders[0], 0..40, &mut rec));
    // a host call takes what was recorded: the rest grows by need, but
    // never past the 60 recordings the run still makes
    let taken = rec.take();
    assert_eq!(taken.state[0].steps.len(), 40);
    assert_eq!(rec.state[0].steps.capacity(), 0);
    assert!(record_steps(&recorders[0], 40..100, &mut rec));
    assert!(rec.state[0].steps.capacity() <= 60);
    assert!(rec.state[0].values.iter().all(|v| v.capacity() <= 180));
    assert_eq!(rec.state[0].values[0][..3], [41.0, 42.0, 43.0]);
}

#[test]
fn a_run_over_the_limit_reserves_nothing_and_overflows_where_it_did() {
    let recorders = [three_of_two_columns()];
    let ops = [record_op()];
    let mut clocks = [clock(0.1, 0, 10)];
    let s = recording_schedule(&mut clocks, &ops, &recorders, &mut []);
    // 56 bytes a recording (a step, 2 x 3 values): room for 4 of the 10
    let mut rec = Recordings::for_schedule(&s, &plan(4 * 56 + 10));
    assert_eq!(rec.state[0].steps.capacity(), 0);
    assert!(record_steps(&recorders[0], 0..4, &mut rec));
    assert!(!record_steps(&recorders[0], 4..5, &mut rec));
    assert_eq!(rec.state[0].steps, vec![0, 1, 2, 3]);
    let o = rec.overflow.expect("an overflow");
    assert_eq!((o.kind, o.step, o.needed), (RecorderKind::State, 4, 5 * 56));
    assert!(rec.state[0]
        .values
        .iter()
        .all(|v| v.capacity() * 8 <= 4 * 56 + 10));
}

#[test]
fn a_streamed_recorder_reserves_one_flush_at_a_time() {
    let recorders = [three_of_two_columns()];
    let ops = [record_op()];
    let mut clocks = [clock(0.1, 0, 1000)];
    let s = recording_schedule(&mut clocks, &ops, &recorders, &mut []);
    let p = RecordingPlan {
        flush_at: 4 * 56,
        streamed_state: &[true],
        ..plan(usize::MAX)
    };
    let mut rec = Recordings::for_schedule(&s, &p);
    assert_eq!(rec.state[0].steps.capacity(), 4);
    let mut got = Vec::new();
    for step in 0..1000 {
        assert!(record_steps(&recorders[0], step..step + 1, &mut rec));
        if rec.flush_due() {
            let taken = rec.take();
            assert_eq!(taken.state[0].steps.len(), 4);
            assert_eq!(taken.state[0].steps.capacity(), 4);
            got.extend(taken.state[0].steps.iter().copied());
            // room for the next flush at once (none after the last)
            let next = if step < 999 { 4 } else { 0 };
            assert_eq!(rec.state[0].steps.capacity(), next);
            assert!(rec.state[0].values.iter().all(|v| v.capacity() == 3 * next));
        }
    }
    assert_eq!(got, (0..1000).collect::<Vec<i64>>());
}

#[test]
fn streaming_stores_append_exactly_the_part_at_any_alignment() {
    let part: Vec<f64> = (0..1001).map(|x| f64::from(x) * 0.5 - 3.0).collect();
    for offset in 0..3 {
        for n in [512, 513, 1000, 1001] {
            let mut buf: Vec<f64> = Vec::with_capacity(offset + n + 5);
            buf.extend((0..offset).map(|x| -f64::from(x as u32) - 1.0));
            ahead::append(&mut buf, &part[..n], true);
            assert_eq!(buf.len(), offset + n, "offset {offset}, n {n}");
            assert_eq!(&buf[offset..], &part[..n], "offset {offset}, n {n}");
            assert!(buf[..offset].iter().all(|&x| x < 0.0));
        }
    }
    // without room reserved: a plain append that grows
    let mut buf = vec![1.0];
    ahead::append(&mut buf, &part, true);
    assert_eq!(buf.len(), 1002);
    assert_eq!(buf[1..], part[..]);
}

#[test]
fn a_wide_recording_into_populated_room_is_exact() {
    // 600 values a row for 300 recordings: 1.4 MB, populated where the
    // system can, and written with streaming stores then
    let width = 600;
    let col: Vec<f64> = (0..700).map(|x| f64::from(x).sqrt()).collect();
    let recorders = [StateRecorder {
        group: 0,
        columns: vec![0],
        indices: (50..650).collect(),
    }];
    let ops = [record_op()];
    let mut clocks = [clock(0.1, 0, 300)];
    let s = recording_schedule(&mut clocks, &ops, &recorders, &mut []);
    let mut rec = Recordings::for_schedule(&s, &plan(usize::MAX));
    assert_eq!(rec.state[0].values[0].capacity(), 300 * width);
    for step in 0..300 {
        let mut c = col.clone();
        c[50] = step as f64;
        let mut slices: Vec<&mut [f64]> = vec![&mut c];
        let cols = Columns::new(&mut slices, 700).expect("columns");
        assert!(record_state(&recorders[0], &cols, step, 0, &mut rec));
    }
    let v = &rec.state[0].values[0];
    assert_eq!(v.len(), 300 * width);
    for (step, row) in v.chunks(width).enumerate() {
        assert_eq!(row[0], step as f64);
        assert_eq!(row[1..], col[51..650]);
    }
}
