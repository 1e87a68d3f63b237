//! The fused threshold scan `collect(cmp(a, b) and c)`.

use super::lane::{Arg, Lane};
use super::pair::LazyPair;
use super::Lanes;
use crate::ir::decode::{Instr, Src};
use crate::ir::opcodes::Op;

/// The fused threshold `collect(cmp(a, b) and c)`: per group of 16 lanes, a
/// vectorised test whether the comparison holds in any lane (compare,
/// or-reduce); only such groups are tested in full, lane by lane. Spikes are
/// rare, so most groups cost a few vector instructions. `lazy`: `c` is a
/// pair, computed only in those groups.
#[inline(always)]
pub(super) fn collect_cmp<'r>(
    i: &Instr,
    arg: impl Fn(Src) -> Arg<'r>,
    lanes: Lanes<'_>,
    n: usize,
    events: &mut Vec<i32>,
    lazy: Option<LazyPair<'r>>,
) {
    let lane = |k: usize| match lanes {
        Lanes::Range { start, .. } => (start + k) as i32,
        Lanes::Indices(ix) => ix.get(k).copied().unwrap_or(0),
    };
    const G: usize = 16;
    #[inline(always)]
    fn scan<A: Lane, B: Lane, C: Lane>(
        n: usize,
        a: A,
        b: B,
        c: C,
        f: impl Fn(f64, f64) -> bool,
        mut hit: impl FnMut(usize),
    ) {
        let (a, b, c) = (a.trim(n), b.trim(n), c.trim(n));
        let mut g = 0;
        while g + G <= n {
            // Lanes g..g + G (one bounds check for the group).
            let (a, b) = (a.sub(g, G), b.sub(g, G));
            // The comparison alone first (it rarely holds): one compare and
            // one or per four lanes.
            let mut any = 0u64;
            for q in 0..G {
                any |= u64::from(f(a.at(q, 0.0), b.at(q, 0.0)));
            }
            if any != 0 {
                let c = c.sub(g, G);
                for q in 0..G {
                    if f(a.at(q, 0.0), b.at(q, 0.0)) && c.at(q, 0.0) != 0.0 {
                        hit(g + q);
                    }
                }
            }
            g += G;
        }
        for k in g..n {
            if f(a.at(k, 0.0), b.at(k, 0.0)) && c.at(k, 0.0) != 0.0 {
                hit(k);
            }
        }
    }
    macro_rules! fill {
        ($f:expr) => {{
            let f = $f;
            let hit = |k: usize| events.push(lane(k));
            match (arg(i.src[0]), arg(i.src[1]), lazy, arg(i.src[2])) {
                (Arg::V(a), Arg::S(b), Some(c), _) => scan(n, a, b, c, f, hit),
                (Arg::V(a), Arg::V(b), Some(c), _) => scan(n, a, b, c, f, hit),
                (Arg::V(a), Arg::S(b), None, Arg::V(c)) => scan(n, a, b, c, f, hit),
                (Arg::V(a), Arg::V(b), None, Arg::V(c)) => scan(n, a, b, c, f, hit),
                (a, b, lazy, c) => {
                    for k in 0..n {
                        let cv = match lazy {
                            Some(p) => p.at(k, 0.0),
                            None => c.at(k, 0.0),
                        };
                        if f(a.at(k, 0.0), b.at(k, 0.0)) && cv != 0.0 {
                            events.push(lane(k));
                        }
                    }
                }
            }
        }};
    }
    match i.op {
        Op::Lt => fill!(|x: f64, y: f64| x < y),
        Op::Le => fill!(|x: f64, y: f64| x <= y),
        Op::Gt => fill!(|x: f64, y: f64| x > y),
        Op::Ge => fill!(|x: f64, y: f64| x >= y),
        Op::Eq => fill!(|x: f64, y: f64| x == y),
        _ => fill!(|x: f64, y: f64| x != y),
    }
}
