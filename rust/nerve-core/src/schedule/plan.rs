//! Checking a schedule once before a run, and deciding which operations are
//! fused.

use super::{Action, Clock, Group, Operation, RecordingPlan, Schedule};
use crate::error::{CoreError, Result};
use crate::ir::decode::Program;

fn check_program(p: &Program, role: &'static str, n_cols: usize) -> Result<()> {
    if p.n_columns() > n_cols {
        return Err(CoreError::column_count(role, p.n_columns(), n_cols));
    }
    if !p.tables_ready() {
        return Err(CoreError::role(
            role,
            "the program's tables are not attached",
        ));
    }
    match (role, p.has_collect()) {
        ("threshold", false) => Err(CoreError::role(
            role,
            "a threshold program must end with `collect`",
        )),
        ("threshold", true) => Ok(()),
        (_, true) => Err(CoreError::role(
            role,
            "`collect` is only allowed in threshold programs",
        )),
        _ => Ok(()),
    }
}

fn group<'g, 'a, 'c>(
    groups: &'g [Group<'a, 'c>],
    g: usize,
    what: &'static str,
) -> Result<&'g Group<'a, 'c>> {
    groups
        .get(g)
        .ok_or_else(|| CoreError::index(what, g as i64, groups.len()))
}

fn event(g: &Group<'_, '_>, e: usize) -> Result<()> {
    if e >= g.n_events {
        return Err(CoreError::index("event buffer", e as i64, g.n_events));
    }
    Ok(())
}

/// Check every index and program of a schedule against the groups.
pub(super) fn validate(groups: &[Group<'_, '_>], s: &Schedule<'_, '_>) -> Result<()> {
    for c in s.clocks.iter() {
        check_clock(c)?;
    }
    for op in s.ops {
        if op.clock >= s.clocks.len() {
            return Err(CoreError::index(
                "operation clock",
                op.clock as i64,
                s.clocks.len(),
            ));
        }
        match op.action {
            Action::Update { group: g, program } => {
                let g = group(groups, g, "updated group")?;
                check_program(program, "update", g.columns.len())?;
            }
            Action::Detect {
                group: g,
                event: e,
                program,
            } => {
                let g = group(groups, g, "thresholded group")?;
                event(g, e)?;
                check_program(program, "threshold", g.columns.len())?;
            }
            Action::OnEvent {
                group: g,
                event: e,
                program,
            } => {
                let g = group(groups, g, "reset group")?;
                event(g, e)?;
                check_program(program, "reset", g.columns.len())?;
            }
            Action::RecordState { recorder } => {
                if recorder >= s.state_recorders.len() {
                    return Err(CoreError::index(
                        "state recorder",
                        recorder as i64,
                        s.state_recorders.len(),
                    ));
                }
            }
            Action::RecordEvents { recorder } => {
                if recorder >= s.event_recorders.len() {
                    return Err(CoreError::index(
                        "event recorder",
                        recorder as i64,
                        s.event_recorders.len(),
                    ));
                }
            }
            Action::Link { link } => {
                if link >= s.links.len() {
                    return Err(CoreError::index("link", link as i64, s.links.len()));
                }
            }
            // (rate recorders are checked by `run_with`, which has them)
            Action::Host { .. } | Action::RecordRate { .. } => {}
            Action::Generate { group: g, table } => {
                let g = group(groups, g, "spike generator group")?;
                event(g, 0)?;
                if table.max_neuron() >= 0 && table.max_neuron() as usize >= g.columns.n() {
                    return Err(CoreError::index(
                        "generated spike's neuron",
                        i64::from(table.max_neuron()),
                        g.columns.n(),
                    ));
                }
            }
            Action::Binomial {
                group: g,
                column,
                start,
                stop,
                ..
            } => {
                let g = group(groups, g, "group receiving binomial input")?;
                if column >= g.columns.len() {
                    return Err(CoreError::index(
                        "binomial input column",
                        column as i64,
                        g.columns.len(),
                    ));
                }
                if start > stop || stop > g.columns.n() {
                    return Err(CoreError::invalid(format!(
                        "binomial input range {start}..{stop} does not lie in a group of {} \
                         neurons",
                        g.columns.n()
                    )));
                }
            }
            Action::Propagate { pathway } | Action::Synaptic { pathway } => {
                let Some(p) = s.pathways.get(pathway) else {
                    return Err(CoreError::index(
                        "pathway",
                        pathway as i64,
                        s.pathways.len(),
                    ));
                };
                if matches!(op.action, Action::Propagate { .. }) && p.trigger.is_none() {
                    return Err(CoreError::invalid(format!(
                        "pathway {pathway} is propagated but has no trigger"
                    )));
                }
            }
        }
    }
    for x in s.links {
        let from = group(groups, x.from_group, "linked group")?;
        let to = group(groups, x.to_group, "linking group")?;
        if x.from_column >= from.columns.len() || x.to_column >= to.columns.len() {
            return Err(CoreError::invalid(
                "a linked variable's column does not exist",
            ));
        }
        if x.to_group == x.from_group && x.to_column == x.from_column {
            return Err(CoreError::invalid("a variable cannot be linked to itself"));
        }
        if x.indices.len() != to.columns.n() {
            return Err(CoreError::invalid(format!(
                "a linked variable needs one index per neuron ({}), got {}",
                to.columns.n(),
                x.indices.len()
            )));
        }
        if let Some(&bad) = x
            .indices
            .iter()
            .find(|&&i| i < 0 || i as usize >= from.columns.n())
        {
            return Err(CoreError::index(
                "linked neuron index",
                i64::from(bad),
                from.columns.n(),
            ));
        }
    }
    for (k, p) in s.pathways.iter().enumerate() {
        p.validate(k, groups)?;
    }
    for r in s.state_recorders {
        let g = group(groups, r.group, "recorded group")?;
        for &c in &r.columns {
            if c >= g.columns.len() {
                return Err(CoreError::index(
                    "recorded column slot",
                    c as i64,
                    g.columns.len(),
                ));
            }
        }
        for &i in &r.indices {
            if i < 0 || i as usize >= g.columns.n() {
                return Err(CoreError::index(
                    "recorded neuron index",
                    i64::from(i),
                    g.columns.n(),
                ));
            }
        }
    }
    for r in s.event_recorders {
        let g = group(groups, r.group, "recorded group")?;
        event(g, r.event)?;
        if let Some(&c) = r.columns.iter().find(|&&c| c >= g.columns.len()) {
            return Err(CoreError::index(
                "recorded column slot",
                c as i64,
                g.columns.len(),
            ));
        }
        lanes(g, r.start, r.stop, "event recorder")?;
    }
    Ok(())
}

/// Lanes `start..stop` lie in `g`.
fn lanes(g: &Group<'_, '_>, start: i32, stop: i32, what: &str) -> Result<()> {
    if start < 0 || start > stop || stop as usize > g.columns.n() {
        return Err(CoreError::invalid(format!(
            "{what} range {start}..{stop} does not lie in a group of {} neurons",
            g.columns.n()
        )));
    }
    Ok(())
}

/// Check the rate recorders of `recording` against the groups, and the
/// schedule's `RecordRate` operations against the recorders.
pub(super) fn validate_rates(
    groups: &[Group<'_, '_>],
    s: &Schedule<'_, '_>,
    recording: &RecordingPlan<'_>,
) -> Result<()> {
    for (k, r) in recording.rate_recorders.iter().enumerate() {
        let g = group(groups, r.group, "rate recorder group")?;
        event(g, r.event)?;
        lanes(g, r.start, r.stop, &format!("rate recorder {k}:"))?;
    }
    let n = recording.rate_recorders.len();
    match s.ops.iter().find_map(|op| match op.action {
        Action::RecordRate { recorder } if recorder >= n => Some(recorder),
        _ => None,
    }) {
        Some(bad) => Err(CoreError::index("rate recorder", bad as i64, n)),
        None => Ok(()),
    }
}

fn check_clock(c: &Clock) -> Result<()> {
    if !(c.dt.is_finite() && c.dt > 0.0) {
        return Err(CoreError::invalid(format!(
            "a clock's dt must be a positive finite number of seconds, got {}",
            c.dt
        )));
    }
    if c.end < c.step {
        return Err(CoreError::invalid(format!(
            "a clock ends (step {}) before it starts (step {})",
            c.end, c.step
        )));
    }
    Ok(())
}

/// The group an operation writes, and the event buffer it reads or writes.
fn effects(a: &Action<'_>, s: &Schedule<'_, '_>) -> (Option<usize>, Option<(usize, usize)>) {
    match *a {
        Action::Link { link } => (s.links.get(link).map(|x| x.to_group), None),
        Action::Update { group, .. } => (Some(group), None),
        Action::Detect { group, event, .. } => (None, Some((group, event))),
        Action::OnEvent { group, event, .. } => (Some(group), Some((group, event))),
        Action::RecordState { .. } => (None, None),
        Action::RecordEvents { .. } => (None, None),
        Action::Host { .. } | Action::RecordRate { .. } => (None, None),
        Action::Generate { group, .. } => (None, Some((group, 0))),
        Action::Binomial { group, .. } => (Some(group), None),
        // (handled in `fuse`: they may write several groups)
        Action::Propagate { .. } | Action::Synaptic { .. } => (None, None),
    }
}

/// For each operation, the `Detect` it is fused with (`fused[i] = Some(j)`,
/// then `absorbed[j]` is true).
pub(super) struct Fusion {
    pub fused: Vec<Option<usize>>,
    pub absorbed: Vec<bool>,
}

/// Fuse each `Update` with the next `Detect` of the same group and clock
/// when nothing in between could see the difference: no operation in
/// between writes the group, reads or writes the event buffer, records
/// events of that group, or hands control to the caller.
pub(super) fn fuse(ops: &[Operation<'_>], s: &Schedule<'_, '_>) -> Fusion {
    let mut fused = vec![None; ops.len()];
    let mut absorbed = vec![false; ops.len()];
    for (i, op) in ops.iter().enumerate() {
        let Action::Update { group: g, .. } = op.action else {
            continue;
        };
        for (j, later) in ops.iter().enumerate().skip(i + 1) {
            let blocks = match later.action {
                Action::Detect { group, .. } if group == g => {
                    if later.clock == op.clock && !absorbed[j] {
                        fused[i] = Some(j);
                        absorbed[j] = true;
                    }
                    break;
                }
                // (a rate recorder's group is not known here: never fused across)
                Action::Host { .. } | Action::RecordRate { .. } => true,
                Action::RecordEvents { recorder } => {
                    s.event_recorders.get(recorder).is_none_or(|r| r.group == g)
                }
                Action::Propagate { pathway } | Action::Synaptic { pathway } => s
                    .pathways
                    .get(pathway)
                    .is_none_or(|p| p.writes(g) || p.trigger.is_some_and(|t| t.group == g)),
                ref a => {
                    let (writes, events) = effects(a, s);
                    writes == Some(g) || events.is_some_and(|(h, _)| h == g)
                }
            };
            if blocks {
                break;
            }
        }
    }
    Fusion { fused, absorbed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Rng;
    use crate::vm::Columns;

    #[test]
    fn recorded_lanes_must_lie_in_the_group() {
        let mut rng = Rng::new(1, 0);
        let g = Group {
            columns: Columns::new(&mut [], 10).unwrap(),
            rng: &mut rng,
            n_events: 1,
        };
        assert!(lanes(&g, 0, 10, "event recorder").is_ok());
        assert!(lanes(&g, 4, 4, "event recorder").is_ok());
        for (start, stop) in [(-1, 3), (5, 4), (0, 11)] {
            let err = lanes(&g, start, stop, "rate recorder 2:").unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "rate recorder 2: range {start}..{stop} does not lie in a group of 10 neurons"
                )
            );
        }
    }
}
