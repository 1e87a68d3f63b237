//! When the helpers are worth waking: the leader weighs what they saved it
//! against what it waited for them.

/// The leader alone.
pub(super) const SOLO: usize = 0;
/// The leader and the helpers that join.
pub(super) const TEAM: usize = 1;
/// A team phase lasts at least this many timed rounds.
const MIN_PHASE: u32 = 4;
/// A team phase starts in about one solo round in `every`, which doubles
/// from `EXPLORE_MIN` up to `EXPLORE_MAX` while phases lose time.
const EXPLORE_MIN: u64 = 128;
const EXPLORE_MAX: u64 = 4096;
/// Weight of the newest round in the moving average of the leader's speed.
const WEIGHT: f64 = 1.0 / 8.0;
/// Weight of the newest round in the moving average of the team's gain:
/// long enough that an occasional wait does not end a phase the team pays
/// for.
const GAIN_WEIGHT: f64 = 1.0 / 64.0;

/// What the leader saw of a team round.
#[derive(Clone, Copy, Debug)]
pub(super) struct TeamRound {
    /// Items of the round, and how many the leader did itself.
    pub items: usize,
    pub by_leader: usize,
    /// Nanoseconds the leader spent on its own items.
    pub work_ns: f64,
    /// Nanoseconds spent opening the round (waking helpers) and waiting for
    /// helpers' items in progress at the end.
    pub overhead_ns: f64,
}

/// Chooses, round by round, whether the helpers take part.
///
/// A team round *gains* the time the leader would have spent on the items
/// the helpers did (their number times the leader's time per item) minus
/// the time it spent opening the round and waiting for helpers at its end
/// (a helper that lost its core in the middle of an item is waited for until
/// it gets a core back, milliseconds on an overloaded machine). The team
/// takes part while the moving average of that gain is positive; then the
/// leader runs alone, and starts a new team phase in about one round in
/// 128 (less often, down to one in 4096, while phases end with a loss).
/// On an idle machine the team always gains and is kept; beside processes
/// that take the helpers' cores, the leader runs alone and the helpers stay
/// parked. Results do not depend on the choice.
pub(super) struct Tuner {
    mode: usize,
    /// Moving average of the gain of team rounds in this phase, their sum,
    /// and the number of timed rounds (the first round of a phase, which
    /// wakes parked helpers, is not timed).
    gain: f64,
    phase_gain: f64,
    phase_rounds: u32,
    first: bool,
    /// The leader's nanoseconds per item, a moving average of its rounds
    /// (each round's figure capped at twice the average: a round in which
    /// the leader lost its core says little about its speed). NaN until
    /// measured.
    per_item: f64,
    /// About one solo round in `every` starts a team phase.
    every: u64,
    /// State of a xorshift generator (the choice needs no quality).
    rng: u64,
}

impl Tuner {
    pub(super) fn new() -> Tuner {
        Tuner {
            mode: TEAM,
            gain: 0.0,
            phase_gain: 0.0,
            phase_rounds: 0,
            first: true,
            per_item: f64::NAN,
            every: EXPLORE_MIN,
            rng: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// The mode of the next round.
    pub(super) fn choose(&mut self) -> usize {
        if self.mode == SOLO {
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 7;
            self.rng ^= self.rng << 17;
            if self.rng % self.every == 0 {
                self.mode = TEAM;
                self.gain = 0.0;
                self.phase_gain = 0.0;
                self.phase_rounds = 0;
                self.first = true;
            }
        }
        self.mode
    }

    /// A round the leader ran alone: `ns` nanoseconds for `items` items.
    pub(super) fn solo_round(&mut self, ns: f64, items: usize) {
        self.learn_speed(ns / items.max(1) as f64);
    }

    /// A team round.
    pub(super) fn team_round(&mut self, r: TeamRound) {
        if r.by_leader > 0 {
            self.learn_speed(r.work_ns / r.by_leader as f64);
        }
        if std::mem::take(&mut self.first) || self.per_item.is_nan() {
            return;
        }
        let saved = r.items.saturating_sub(r.by_leader) as f64 * self.per_item;
        let gain = saved - r.overhead_ns;
        self.gain += GAIN_WEIGHT * (gain - self.gain);
        self.phase_gain += gain;
        self.phase_rounds += 1;
        if self.phase_rounds >= MIN_PHASE && self.gain < 0.0 {
            self.mode = SOLO;
            self.every = if self.phase_gain < 0.0 {
                (self.every * 2).min(EXPLORE_MAX)
            } else {
                EXPLORE_MIN
            };
        }
    }

    fn learn_speed(&mut self, ns: f64) {
        if self.per_item.is_nan() {
            self.per_item = ns;
        } else {
            let ns = ns.min(2.0 * self.per_item);
            self.per_item += WEIGHT * (ns - self.per_item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The share of team rounds chosen when the helpers do `helped` of the
    /// items of a 100-item round and one team round in `wait_every` waits
    /// `wait_ns` for a helper that lost its core (the leader: 1000 ns per
    /// item).
    fn team_share(helped: f64, wait_every: usize, wait_ns: f64, rounds: usize) -> f64 {
        let mut t = Tuner::new();
        let mut team = 0;
        for round in 0..rounds {
            if t.choose() == TEAM {
                team += 1;
                let by_leader = (100.0 * (1.0 - helped)) as usize;
                let wait = if round % wait_every == 0 {
                    wait_ns
                } else {
                    500.0
                };
                t.team_round(TeamRound {
                    items: 100,
                    by_leader,
                    work_ns: 1000.0 * by_leader as f64,
                    overhead_ns: wait,
                });
            } else {
                t.solo_round(100_000.0, 100);
            }
        }
        team as f64 / rounds as f64
    }

    /// Helpers that do half the work and never make the leader wait long
    /// are always used; helpers that make it wait longer than they save are
    /// tried in fewer than one round in fifty.
    #[test]
    fn tuner_keeps_the_team_only_when_it_pays() {
        assert_eq!(team_share(0.5, usize::MAX, 0.0, 20_000), 1.0);
        // one 3 ms wait per 20 rounds against 50 us saved per round
        let slow = team_share(0.5, 20, 3e6, 20_000);
        assert!(slow > 0.0 && slow < 0.02, "{slow}");
        // one 0.5 ms wait per 20 rounds: the team still pays
        let paying = team_share(0.5, 20, 5e5, 20_000);
        assert!(paying > 0.5, "{paying}");
    }

    /// After the load changes, the tuner follows, either way.
    #[test]
    fn tuner_follows_a_change_of_load() {
        for (waits_before, team_wanted) in [(false, false), (true, true)] {
            let mut t = Tuner::new();
            let mut team_late = 0;
            for round in 0..60_000 {
                // a neighbour takes the helpers' cores, or leaves
                let waits = (round < 20_000) == waits_before;
                if t.choose() == TEAM {
                    if round >= 50_000 {
                        team_late += 1;
                    }
                    let wait = if waits && round % 10 == 0 { 3e6 } else { 500.0 };
                    t.team_round(TeamRound {
                        items: 100,
                        by_leader: 50,
                        work_ns: 50_000.0,
                        overhead_ns: wait,
                    });
                } else {
                    t.solo_round(100_000.0, 100);
                }
            }
            let share = f64::from(team_late) / 10_000.0;
            assert!(
                if team_wanted {
                    share > 0.95
                } else {
                    share < 0.05
                },
                "{share} team rounds at the end"
            );
        }
    }
}
