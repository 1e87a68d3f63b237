//! Source operands of a vector instruction inside one chunk, and the generic
//! element-wise kernels over them.

/// A source operand inside one chunk: a lane slice, a broadcast scalar, or
/// the destination's own current value (an instruction computed in place,
/// e.g. `v = select(c, v_new, v)` written straight into column `v`).
pub(super) trait Lane: Copy {
    fn trim(self, n: usize) -> Self;
    /// Lanes `from..from + len` (a scalar stays itself).
    fn sub(self, from: usize, len: usize) -> Self;
    fn at(self, k: usize, cur: f64) -> f64;
}

impl Lane for &[f64] {
    #[inline(always)]
    fn trim(self, n: usize) -> Self {
        &self[..n]
    }
    #[inline(always)]
    fn sub(self, from: usize, len: usize) -> Self {
        &self[from..from + len]
    }
    #[inline(always)]
    fn at(self, k: usize, _: f64) -> f64 {
        self[k]
    }
}

impl Lane for f64 {
    #[inline(always)]
    fn trim(self, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn sub(self, _: usize, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn at(self, _: usize, _: f64) -> f64 {
        self
    }
}

/// The destination's current value as a source.
#[derive(Clone, Copy)]
pub(super) struct Cur;

impl Lane for Cur {
    #[inline(always)]
    fn trim(self, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn sub(self, _: usize, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn at(self, _: usize, cur: f64) -> f64 {
        cur
    }
}

#[inline(always)]
pub(super) fn map1<A: Lane>(d: &mut [f64], a: A, f: impl Fn(f64) -> f64) {
    let a = a.trim(d.len());
    for (k, o) in d.iter_mut().enumerate() {
        *o = f(a.at(k, *o));
    }
}

#[inline(always)]
fn map2<A: Lane, B: Lane>(d: &mut [f64], a: A, b: B, f: impl Fn(f64, f64) -> f64) {
    let (a, b) = (a.trim(d.len()), b.trim(d.len()));
    for (k, o) in d.iter_mut().enumerate() {
        let cur = *o;
        *o = f(a.at(k, cur), b.at(k, cur));
    }
}

#[inline(always)]
fn map3<A: Lane, B: Lane, C: Lane>(
    d: &mut [f64],
    a: A,
    b: B,
    c: C,
    f: impl Fn(f64, f64, f64) -> f64,
) {
    let (a, b, c) = (a.trim(d.len()), b.trim(d.len()), c.trim(d.len()));
    for (k, o) in d.iter_mut().enumerate() {
        let cur = *o;
        *o = f(a.at(k, cur), b.at(k, cur), c.at(k, cur));
    }
}

#[derive(Clone, Copy)]
pub(super) enum Arg<'a> {
    V(&'a [f64]),
    S(f64),
    /// The destination itself (only when the destination is a column).
    Same,
}

impl Arg<'_> {
    /// The value at lane `k` (`cur`: the destination's value there), for
    /// the lane-by-lane paths.
    #[inline(always)]
    pub(super) fn at(self, k: usize, cur: f64) -> f64 {
        match self {
            Arg::V(v) => v.get(k).copied().unwrap_or(0.0),
            Arg::S(v) => v,
            Arg::Same => cur,
        }
    }
}

/// Dispatch the source kinds of a binary kernel, one argument at a time.
#[inline(always)]
pub(super) fn bin<A: Lane>(d: &mut [f64], a: A, b: Arg<'_>, f: impl Fn(f64, f64) -> f64) {
    match b {
        Arg::V(b) => map2(d, a, b, f),
        Arg::S(b) => map2(d, a, b, f),
        Arg::Same => map2(d, a, Cur, f),
    }
}

#[inline(always)]
fn ter2<A: Lane, B: Lane>(d: &mut [f64], a: A, b: B, c: Arg<'_>, f: impl Fn(f64, f64, f64) -> f64) {
    match c {
        Arg::V(c) => map3(d, a, b, c, f),
        Arg::S(c) => map3(d, a, b, c, f),
        Arg::Same => map3(d, a, b, Cur, f),
    }
}

#[inline(always)]
pub(super) fn ter1<A: Lane>(
    d: &mut [f64],
    a: A,
    b: Arg<'_>,
    c: Arg<'_>,
    f: impl Fn(f64, f64, f64) -> f64,
) {
    match b {
        Arg::V(b) => ter2(d, a, b, c, f),
        Arg::S(b) => ter2(d, a, b, c, f),
        Arg::Same => ter2(d, a, Cur, c, f),
    }
}
