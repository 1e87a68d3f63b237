//! When the helpers are worth waking: the leader times its rounds.

/// The leader alone.
const SOLO: usize = 0;
/// The leader and the helpers that join.
pub(super) const TEAM: usize = 1;
/// Rounds of an exploration: the first is not timed (helpers parked during
/// solo rounds take a few microseconds to wake).
const BURST: u32 = 4;
/// An exploration starts in about one round in `every`, which doubles from
/// `EXPLORE_MIN` up to `EXPLORE_MAX` while explorations confirm the choice.
const EXPLORE_MIN: u64 = 128;
const EXPLORE_MAX: u64 = 4096;
/// Weight of the newest round in the moving averages.
const WEIGHT: f64 = 1.0 / 8.0;

/// Chooses, round by round, whether the helpers take part.
///
/// It keeps a moving average of the wall time per item of the rounds run
/// with the team and of those the leader ran alone, and picks the faster
/// mode, except in short bursts, at random, that time the other mode again
/// (the machine's load changes): about one round in 128, less often while
/// the bursts confirm the choice. On an idle machine the team wins; beside
/// processes that take the helpers' cores, the leader runs alone and the
/// helpers stay parked. Results do not depend on the choice.
pub(super) struct Tuner {
    /// Nanoseconds per item, `[SOLO, TEAM]`; NaN until measured.
    cost: [f64; 2],
    /// Rounds left in the current burst, its mode, and whether its next
    /// timed round replaces the mode's average (which may be stale).
    burst: u32,
    burst_mode: usize,
    fresh: bool,
    exploring: bool,
    /// About one round in `every` starts a burst.
    every: u64,
    /// State of a xorshift generator (the choice needs no quality).
    rng: u64,
}

impl Tuner {
    pub(super) fn new() -> Tuner {
        Tuner {
            cost: [f64::NAN; 2],
            burst: BURST,
            burst_mode: TEAM,
            fresh: true,
            exploring: true,
            every: EXPLORE_MIN,
            rng: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// The mode of the next round, and whether to time it.
    pub(super) fn choose(&mut self) -> (usize, bool) {
        if self.burst > 0 {
            self.burst -= 1;
            return (self.burst_mode, self.burst < BURST - 1);
        }
        let [solo, team] = self.cost;
        let (best, other) = if solo.is_nan() || team < solo {
            (TEAM, SOLO)
        } else {
            (SOLO, TEAM)
        };
        if self.exploring {
            // Explore more often after a change, less while nothing changes.
            self.exploring = false;
            self.every = if self.burst_mode == best {
                EXPLORE_MIN
            } else {
                (self.every * 2).min(EXPLORE_MAX)
            };
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        if self.cost[other].is_nan() || self.rng % self.every == 0 {
            self.burst = BURST - 1;
            self.burst_mode = other;
            self.fresh = true;
            self.exploring = true;
            return (other, false);
        }
        (best, true)
    }

    /// A timed round of `mode`: `ns` nanoseconds per item.
    pub(super) fn record(&mut self, mode: usize, ns: f64) {
        let replace = self.fresh && mode == self.burst_mode;
        if replace {
            self.fresh = false;
        }
        if let Some(c) = self.cost.get_mut(mode) {
            *c = if c.is_nan() || replace {
                ns
            } else {
                *c + WEIGHT * (ns - *c)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rounds chosen by a tuner whose rounds cost `cost[mode]` per item.
    fn team_share(cost: [f64; 2], rounds: usize) -> f64 {
        let mut t = Tuner::new();
        let mut team = 0;
        for _ in 0..rounds {
            let (mode, measured) = t.choose();
            team += usize::from(mode == TEAM);
            if measured {
                t.record(mode, cost[mode]);
            }
        }
        team as f64 / rounds as f64
    }

    /// The tuner settles on the faster mode, exploring the other one in
    /// fewer than one round in thirty.
    #[test]
    fn tuner_prefers_the_faster_mode() {
        let team_fast = team_share([1000.0, 550.0], 10_000);
        let team_slow = team_share([1000.0, 1700.0], 10_000);
        assert!(team_fast > 0.97 && team_fast < 1.0, "{team_fast}");
        assert!(team_slow > 0.0 && team_slow < 0.03, "{team_slow}");
    }

    /// After the costs change, the tuner follows, either way.
    #[test]
    fn tuner_follows_a_change_of_load() {
        for (before, after, team_wanted) in [
            // a neighbour takes the helpers' cores
            ([1000.0, 500.0], [1000.0, 3000.0], false),
            // the neighbour leaves
            ([1000.0, 3000.0], [1000.0, 500.0], true),
        ] {
            let mut t = Tuner::new();
            let mut team_late = 0;
            for round in 0..40_000 {
                let cost = if round < 20_000 { before } else { after };
                let (mode, measured) = t.choose();
                if round >= 30_000 {
                    team_late += usize::from(mode == TEAM);
                }
                if measured {
                    t.record(mode, cost[mode]);
                }
            }
            let share = team_late as f64 / 10_000.0;
            assert!(
                (share > 0.95) == team_wanted,
                "{share} team rounds at the end"
            );
            assert!(
                (share < 0.05) != team_wanted,
                "{share} team rounds at the end"
            );
        }
    }
}
