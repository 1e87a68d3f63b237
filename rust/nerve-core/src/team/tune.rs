//! When the helpers are worth waking: the leader times its rounds with and
//! without them.

/// The leader alone.
pub(super) const SOLO: usize = 0;
/// The leader and the helpers that join.
pub(super) const TEAM: usize = 1;
/// In a team phase, one round in this many is run alone, to keep the
/// leader's own speed up to date. Rarely: a round alone costs more than its
/// own time, as the round after it finds the helpers' items in the leader's
/// cache (one in 64 cost 3-5 % of two-thread throughput at N = 1e5).
const SAMPLE_EVERY: u32 = 1024;
/// A team phase lasts at least this many timed rounds, judged by their mean
/// gain (helpers woken from parking may take a few rounds to join).
const MIN_PHASE: u32 = 32;
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

/// Chooses, round by round, whether the helpers take part.
///
/// A team round *gains* the time the leader alone would have taken (the
/// items times its time per item, a moving average of the rounds it ran
/// alone, each capped at twice the average: a round in which the leader lost
/// its core says little about its speed) minus the time the round took. That
/// is negative when the leader waits for a helper that lost its core in the
/// middle of an item (milliseconds on an overloaded machine), or when the
/// threads slow each other down more than they share. The team takes part
/// while the moving average of the gain is positive, with one round in 1024
/// run alone to keep the leader's speed up to date; then the leader runs
/// alone and starts a new team phase in about one round in 128 (less often,
/// down to one in 4096, while phases end with a loss). On an idle machine
/// the team is kept; beside processes that take the helpers' cores, the
/// leader runs alone and the helpers stay parked. Results do not depend on
/// the choice.
pub(super) struct Tuner {
    mode: usize,
    /// Moving average of the gain of team rounds in this phase, their sum,
    /// and the number of timed rounds (the first round of a phase, which
    /// wakes parked helpers, is not counted).
    gain: f64,
    phase_gain: f64,
    phase_rounds: u32,
    first: bool,
    /// Team rounds since the last solo sample.
    since_sample: u32,
    /// The leader's nanoseconds per item alone (NaN until measured), and the
    /// number of solo rounds timed (the first round of all, which touches
    /// cold memory, is not).
    per_item: f64,
    solo_rounds: u32,
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
            since_sample: 0,
            per_item: f64::NAN,
            solo_rounds: 0,
            every: EXPLORE_MIN,
            rng: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// The mode of the next round.
    pub(super) fn choose(&mut self) -> usize {
        if self.per_item.is_nan() {
            return SOLO; // the first rounds time the leader alone
        }
        if self.mode == TEAM {
            self.since_sample += 1;
            if self.since_sample >= SAMPLE_EVERY {
                self.since_sample = 0;
                return SOLO;
            }
        } else {
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

    /// A round of `mode` took `ns` nanoseconds for `items` items.
    pub(super) fn record(&mut self, mode: usize, ns: f64, items: usize) {
        let items = items.max(1) as f64;
        if mode == SOLO {
            self.solo_rounds += 1;
            let x = ns / items;
            if self.solo_rounds == 2 {
                self.per_item = x;
            } else if self.solo_rounds > 2 {
                // the mean of the first rounds, then a moving average
                let w = (1.0 / f64::from(self.solo_rounds - 1)).max(WEIGHT);
                self.per_item += w * (x.min(2.0 * self.per_item) - self.per_item);
            }
            return;
        }
        if std::mem::take(&mut self.first) {
            return;
        }
        let gain = items * self.per_item - ns;
        self.phase_gain += gain;
        self.phase_rounds += 1;
        self.gain = if self.phase_rounds <= MIN_PHASE {
            self.phase_gain / f64::from(self.phase_rounds)
        } else {
            self.gain + GAIN_WEIGHT * (gain - self.gain)
        };
        if self.phase_rounds >= MIN_PHASE && self.gain < 0.0 {
            self.mode = SOLO;
            self.every = if self.phase_gain < 0.0 {
                (self.every * 2).min(EXPLORE_MAX)
            } else {
                EXPLORE_MIN
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The share of team rounds chosen for 100-item rounds that take 100 us
    /// alone and `team_ns` with the team, except one team round in
    /// `wait_every` that waits `wait_ns` more for a helper that lost its core.
    fn team_share(team_ns: f64, wait_every: usize, wait_ns: f64, rounds: usize) -> f64 {
        let mut t = Tuner::new();
        let mut team = 0;
        for round in 0..rounds {
            let mode = t.choose();
            let ns = if mode == TEAM {
                team += 1;
                team_ns
                    + if round % wait_every == 0 {
                        wait_ns
                    } else {
                        0.0
                    }
            } else {
                100_000.0
            };
            t.record(mode, ns, 100);
        }
        team as f64 / rounds as f64
    }

    /// A team that halves the time and never waits long is used in all but
    /// one round in 1024; one that makes the leader wait longer than it saves,
    /// or that is slower than the leader alone, in fewer than one round in
    /// fifty.
    #[test]
    fn tuner_keeps_the_team_only_when_it_pays() {
        let fast = team_share(50_000.0, usize::MAX, 0.0, 20_000);
        assert!(fast > 0.998 && fast < 0.9995, "{fast}");
        // one 3 ms wait per 20 rounds against 50 us saved per round
        let waits = team_share(50_000.0, 20, 3e6, 20_000);
        assert!(waits > 0.0 && waits < 0.02, "{waits}");
        // threads that slow each other down
        let slower = team_share(120_000.0, usize::MAX, 0.0, 20_000);
        assert!(slower > 0.0 && slower < 0.02, "{slower}");
        // one 0.5 ms wait per 20 rounds: the team still pays
        let paying = team_share(50_000.0, 20, 5e5, 20_000);
        assert!(paying > 0.9, "{paying}");
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
                let mode = t.choose();
                let ns = if mode == TEAM {
                    if round >= 50_000 {
                        team_late += 1;
                    }
                    50_000.0 + if waits && round % 10 == 0 { 3e6 } else { 0.0 }
                } else {
                    100_000.0
                };
                t.record(mode, ns, 100);
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
