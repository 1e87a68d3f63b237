//! The kernel of fused chains ([`crate::ir::chain`]): per tile of [`TILE`]
//! lanes, the accumulator stays in SIMD registers while every step applies
//! its operation; only the final value is stored. Each step does exactly what
//! its instruction does (same operation, same operand order), so the results
//! are bit-identical to running the instructions one by one.

use crate::ir::chain::Step;
use crate::vm::{ap, sem};

/// Lanes per tile of the generic kernel: eight AVX2 vectors, so that the
/// per-step dispatch is paid once per 32 lanes.
pub const TILE: usize = 32;

/// Lanes per tile of the monomorphic kernels (no dispatch to amortise).
const MONO_TILE: usize = 16;

/// A source resolved for one chunk: lanes from a pointer, or a scalar.
#[derive(Clone, Copy)]
pub(crate) enum Val {
    P(*const f64),
    S(f64),
}

/// A [`Step`] with its sources resolved for one chunk.
#[derive(Clone, Copy)]
pub(crate) enum RStep {
    Init(Val),
    Op {
        code: u8,
        left: bool,
        x: Val,
    },
    MulAdd {
        a: Val,
        b: Val,
        left: bool,
    },
    Select {
        m: Val,
        x: Val,
        acc_first: bool,
    },
    SelectPair {
        m: [Val; 3],
        op1: u8,
        op2: u8,
        left: bool,
        x: Val,
        acc_first: bool,
    },
}

impl RStep {
    /// Resolve `step` with `val` (which maps a source to its lanes or value).
    #[inline(always)]
    pub(crate) fn new(step: &Step, val: impl Fn(crate::ir::decode::Src) -> Val) -> RStep {
        match *step {
            Step::Init(a) => RStep::Init(val(a)),
            Step::Op { code, left, x } => RStep::Op {
                code,
                left,
                x: val(x),
            },
            Step::MulAdd { a, b, left } => RStep::MulAdd {
                a: val(a),
                b: val(b),
                left,
            },
            Step::Select { m, x, acc_first } => RStep::Select {
                m: val(m),
                x: val(x),
                acc_first,
            },
            Step::SelectPair {
                m,
                op1,
                op2,
                left,
                x,
                acc_first,
            } => RStep::SelectPair {
                m: m.map(&val),
                op1,
                op2,
                left,
                x: val(x),
                acc_first,
            },
        }
    }
}

/// Lanes `j..j + W` of `v`.
///
/// # Safety
/// A pointer source must be valid for reads of lanes `j..j + W`.
#[inline(always)]
unsafe fn ld<const W: usize>(v: Val, j: usize) -> [f64; W] {
    match v {
        Val::P(p) => {
            let mut a = [0.0; W];
            for (q, o) in a.iter_mut().enumerate() {
                // SAFETY: lanes j..j + W are readable (the caller's contract).
                *o = unsafe { *p.add(j + q) };
            }
            a
        }
        Val::S(s) => [s; W],
    }
}

#[inline(always)]
fn apply<const C: u8, const W: usize>(acc: &mut [f64; W], x: &[f64; W], left: bool) {
    if left {
        for q in 0..W {
            acc[q] = ap::<C>(acc[q], x[q]);
        }
    } else {
        for q in 0..W {
            acc[q] = ap::<C>(x[q], acc[q]);
        }
    }
}

/// `acc = acc + a*b` (`left`) or `a*b + acc`: the product rounded, then
/// the sum (two roundings, as the unfused `mul; add`).
#[inline(always)]
fn mul_add<const W: usize>(acc: &mut [f64; W], mut a: [f64; W], b: &[f64; W], left: bool) {
    apply::<2, W>(&mut a, b, true);
    apply::<0, W>(acc, &a, left);
}

/// `acc = op(acc, x)` (`left`) or `op(x, acc)`, the operation by code.
#[inline(always)]
fn op_dyn<const W: usize>(code: u8, acc: &mut [f64; W], x: &[f64; W], left: bool) {
    match code {
        0 => apply::<0, W>(acc, x, left),
        1 => apply::<1, W>(acc, x, left),
        2 => apply::<2, W>(acc, x, left),
        3 => apply::<3, W>(acc, x, left),
        4 => apply::<4, W>(acc, x, left),
        5 => apply::<5, W>(acc, x, left),
        6 => apply::<6, W>(acc, x, left),
        _ => apply::<7, W>(acc, x, left),
    }
}

/// One tile: lanes `j..j + W`.
///
/// # Safety
/// Every pointer source must be valid for reads, and `dst` for writes, of
/// lanes `j..j + W`. A source may point to the same lanes as `dst`: all reads
/// of the tile happen before its write.
#[inline(always)]
unsafe fn tile<const W: usize>(steps: &[RStep], dst: *mut f64, j: usize) {
    let mut acc = [0.0f64; W];
    for st in steps {
        match *st {
            // SAFETY: lanes j..j + W of every source are readable (the
            // caller's contract).
            RStep::Init(a) => acc = unsafe { ld::<W>(a, j) },
            RStep::Op { code, left, x } => {
                // SAFETY: as above.
                let x = unsafe { ld::<W>(x, j) };
                op_dyn::<W>(code, &mut acc, &x, left);
            }
            RStep::MulAdd { a, b, left } => {
                // SAFETY: as above.
                let (a, b) = unsafe { (ld::<W>(a, j), ld::<W>(b, j)) };
                mul_add::<W>(&mut acc, a, &b, left);
            }
            RStep::SelectPair {
                m,
                op1,
                op2,
                left,
                x,
                acc_first,
            } => {
                // SAFETY: as above.
                let (mut t, b, c, x) = unsafe {
                    (
                        ld::<W>(m[0], j),
                        ld::<W>(m[1], j),
                        ld::<W>(m[2], j),
                        ld::<W>(x, j),
                    )
                };
                op_dyn::<W>(op1, &mut t, &b, true);
                op_dyn::<W>(op2, &mut t, &c, left);
                for q in 0..W {
                    acc[q] = if acc_first {
                        sem::select(t[q], acc[q], x[q])
                    } else {
                        sem::select(t[q], x[q], acc[q])
                    };
                }
            }
            RStep::Select { m, x, acc_first } => {
                // SAFETY: as above.
                let (m, x) = unsafe { (ld::<W>(m, j), ld::<W>(x, j)) };
                if acc_first {
                    for q in 0..W {
                        acc[q] = sem::select(m[q], acc[q], x[q]);
                    }
                } else {
                    for q in 0..W {
                        acc[q] = sem::select(m[q], x[q], acc[q]);
                    }
                }
            }
        }
    }
    for (q, &a) in acc.iter().enumerate() {
        // SAFETY: lanes j..j + W of dst are writable (the caller's contract).
        unsafe { *dst.add(j + q) = a };
    }
}

/// Run a chain over lanes `0..n`: a monomorphic kernel when the chain has
/// one of the shapes the lowering emits for the tutorial's models (see
/// [`run_mono`]), else the generic tile loop.
///
/// # Safety
/// Every pointer source must be valid for reads, and `dst` for writes, of
/// lanes `0..n`, and no other reference to those lanes may be alive.
#[inline(always)]
pub(crate) unsafe fn run(steps: &[RStep], dst: *mut f64, n: usize) {
    // SAFETY: the caller's contract, passed on.
    if unsafe { run_mono(steps, dst, n) } {
        return;
    }
    let mut j = 0;
    while j + TILE <= n {
        // SAFETY: j + TILE <= n, the caller's contract.
        unsafe { tile::<TILE>(steps, dst, j) };
        j += TILE;
    }
    while j < n {
        // SAFETY: j < n, the caller's contract.
        unsafe { tile::<1>(steps, dst, j) };
        j += 1;
    }
}

// ------------------------------------------------------- monomorphic kernels

/// The kind of a source, known at compile time.
trait Kind {
    type V: Copy;
    fn get(v: Val) -> Option<Self::V>;
    /// # Safety
    /// A pointer must be valid for reads of lanes `j..j + W`.
    unsafe fn ld<const W: usize>(v: Self::V, j: usize) -> [f64; W];
}

/// Lanes from a pointer.
struct P;
/// A broadcast scalar.
struct S;

impl Kind for P {
    type V = *const f64;
    #[inline(always)]
    fn get(v: Val) -> Option<*const f64> {
        match v {
            Val::P(p) => Some(p),
            Val::S(_) => None,
        }
    }
    #[inline(always)]
    unsafe fn ld<const W: usize>(p: *const f64, j: usize) -> [f64; W] {
        // SAFETY: the caller's contract.
        unsafe { ld::<W>(Val::P(p), j) }
    }
}

impl Kind for S {
    type V = f64;
    #[inline(always)]
    fn get(v: Val) -> Option<f64> {
        match v {
            Val::S(s) => Some(s),
            Val::P(_) => None,
        }
    }
    #[inline(always)]
    unsafe fn ld<const W: usize>(s: f64, _: usize) -> [f64; W] {
        [s; W]
    }
}

/// A step whose operation and source kinds are known at compile time.
trait StepK {
    type D: Copy;
    /// The step's sources, if `st` has this shape.
    fn data(st: &RStep) -> Option<Self::D>;
    /// # Safety
    /// Pointer sources valid for reads of lanes `j..j + W`.
    unsafe fn apply<const W: usize>(d: Self::D, acc: &mut [f64; W], j: usize);
}

/// `acc = x`.
struct Init<K>(K);
/// `acc = op_C(acc, x)` (`L`) or `op_C(x, acc)`.
struct OpK<const C: u8, const L: bool, K>(K);
/// `acc = acc + a*b` (`L`) or `a*b + acc`.
struct MulAddK<const L: bool, KA, KB>(KA, KB);
/// `acc = select(m, acc, x)` (`A`) or `select(m, x, acc)`.
struct Sel<const A: bool, M, K>(M, K);

impl<K: Kind> StepK for Init<K> {
    type D = K::V;
    #[inline(always)]
    fn data(st: &RStep) -> Option<K::V> {
        match *st {
            RStep::Init(a) => K::get(a),
            _ => None,
        }
    }
    #[inline(always)]
    unsafe fn apply<const W: usize>(d: K::V, acc: &mut [f64; W], j: usize) {
        // SAFETY: the caller's contract.
        *acc = unsafe { K::ld::<W>(d, j) };
    }
}

impl<const C: u8, const L: bool, K: Kind> StepK for OpK<C, L, K> {
    type D = K::V;
    #[inline(always)]
    fn data(st: &RStep) -> Option<K::V> {
        match *st {
            RStep::Op { code, left, x } if code == C && left == L => K::get(x),
            _ => None,
        }
    }
    #[inline(always)]
    unsafe fn apply<const W: usize>(d: K::V, acc: &mut [f64; W], j: usize) {
        // SAFETY: the caller's contract.
        let x = unsafe { K::ld::<W>(d, j) };
        apply::<C, W>(acc, &x, L);
    }
}

impl<const L: bool, KA: Kind, KB: Kind> StepK for MulAddK<L, KA, KB> {
    type D = (KA::V, KB::V);
    #[inline(always)]
    fn data(st: &RStep) -> Option<(KA::V, KB::V)> {
        match *st {
            RStep::MulAdd { a, b, left } if left == L => Some((KA::get(a)?, KB::get(b)?)),
            _ => None,
        }
    }
    #[inline(always)]
    unsafe fn apply<const W: usize>(d: (KA::V, KB::V), acc: &mut [f64; W], j: usize) {
        // SAFETY: the caller's contract.
        let (a, b) = unsafe { (KA::ld::<W>(d.0, j), KB::ld::<W>(d.1, j)) };
        mul_add::<W>(acc, a, &b, L);
    }
}

impl<const A: bool, M: Kind, K: Kind> StepK for Sel<A, M, K> {
    type D = (M::V, K::V);
    #[inline(always)]
    fn data(st: &RStep) -> Option<(M::V, K::V)> {
        match *st {
            RStep::Select { m, x, acc_first } if acc_first == A => Some((M::get(m)?, K::get(x)?)),
            _ => None,
        }
    }
    #[inline(always)]
    unsafe fn apply<const W: usize>(d: (M::V, K::V), acc: &mut [f64; W], j: usize) {
        // SAFETY: the caller's contract.
        let (m, x) = unsafe { (M::ld::<W>(d.0, j), K::ld::<W>(d.1, j)) };
        for q in 0..W {
            acc[q] = if A {
                sem::select(m[q], acc[q], x[q])
            } else {
                sem::select(m[q], x[q], acc[q])
            };
        }
    }
}

/// `acc = select(m, acc, x)` (`A`) or `select(m, x, acc)` with the mask
/// `m = op_O2(op_O1(a, b), c)` (`L`) or `op_O2(c, op_O1(a, b))`.
#[allow(clippy::type_complexity)]
struct SelP<const A: bool, const O1: u8, const O2: u8, const L: bool, KA, KB, KC, KX>(
    KA,
    KB,
    KC,
    KX,
);

impl<
        const A: bool,
        const O1: u8,
        const O2: u8,
        const L: bool,
        KA: Kind,
        KB: Kind,
        KC: Kind,
        KX: Kind,
    > StepK for SelP<A, O1, O2, L, KA, KB, KC, KX>
{
    type D = (KA::V, KB::V, KC::V, KX::V);
    #[inline(always)]
    fn data(st: &RStep) -> Option<Self::D> {
        match *st {
            RStep::SelectPair {
                m,
                op1,
                op2,
                left,
                x,
                acc_first,
            } if acc_first == A && op1 == O1 && op2 == O2 && left == L => {
                Some((KA::get(m[0])?, KB::get(m[1])?, KC::get(m[2])?, KX::get(x)?))
            }
            _ => None,
        }
    }
    #[inline(always)]
    unsafe fn apply<const W: usize>(d: Self::D, acc: &mut [f64; W], j: usize) {
        // SAFETY: the caller's contract.
        let (mut t, b, c, x) = unsafe {
            (
                KA::ld::<W>(d.0, j),
                KB::ld::<W>(d.1, j),
                KC::ld::<W>(d.2, j),
                KX::ld::<W>(d.3, j),
            )
        };
        apply::<O1, W>(&mut t, &b, true);
        apply::<O2, W>(&mut t, &c, L);
        for q in 0..W {
            acc[q] = if A {
                sem::select(t[q], acc[q], x[q])
            } else {
                sem::select(t[q], x[q], acc[q])
            };
        }
    }
}

/// A whole chain of [`StepK`]s: `(first, rest)`, ending in `()`.
trait ChainK {
    type D: Copy;
    fn data(steps: &[RStep]) -> Option<Self::D>;
    /// # Safety
    /// Pointer sources valid for reads of lanes `j..j + W`.
    unsafe fn apply<const W: usize>(d: Self::D, acc: &mut [f64; W], j: usize);
}

impl ChainK for () {
    type D = ();
    #[inline(always)]
    fn data(steps: &[RStep]) -> Option<()> {
        steps.is_empty().then_some(())
    }
    #[inline(always)]
    unsafe fn apply<const W: usize>(_: (), _: &mut [f64; W], _: usize) {}
}

impl<A: StepK, B: ChainK> ChainK for (A, B) {
    type D = (A::D, B::D);
    #[inline(always)]
    fn data(steps: &[RStep]) -> Option<Self::D> {
        let (first, rest) = steps.split_first()?;
        Some((A::data(first)?, B::data(rest)?))
    }
    #[inline(always)]
    unsafe fn apply<const W: usize>(d: Self::D, acc: &mut [f64; W], j: usize) {
        // SAFETY: the caller's contract, passed on.
        unsafe {
            A::apply::<W>(d.0, acc, j);
            B::apply::<W>(d.1, acc, j);
        }
    }
}

/// Run `steps` with the kernel of shape `C`; `false` if it has another shape.
///
/// # Safety
/// As [`run`].
#[inline(always)]
unsafe fn run_shape<C: ChainK>(steps: &[RStep], dst: *mut f64, n: usize) -> bool {
    let Some(d) = C::data(steps) else {
        return false;
    };
    #[inline(always)]
    unsafe fn tile_of<C: ChainK, const W: usize>(d: C::D, dst: *mut f64, j: usize) {
        let mut acc = [0.0f64; W];
        // SAFETY: the caller's contract.
        unsafe { C::apply::<W>(d, &mut acc, j) };
        for (q, &a) in acc.iter().enumerate() {
            // SAFETY: lanes j..j + W of dst are writable.
            unsafe { *dst.add(j + q) = a };
        }
    }
    let mut j = 0;
    while j + MONO_TILE <= n {
        // SAFETY: j + MONO_TILE <= n, the caller's contract.
        unsafe { tile_of::<C, MONO_TILE>(d, dst, j) };
        j += MONO_TILE;
    }
    while j < n {
        // SAFETY: j < n, the caller's contract.
        unsafe { tile_of::<C, 1>(d, dst, j) };
        j += 1;
    }
    true
}

/// The nested [`ChainK`] type of a list of steps.
macro_rules! shape {
    () => { () };
    ($first:ty $(, $rest:ty)*) => { ($first, shape!($($rest),*)) };
}

/// Define `run_mono` over a list of chain shapes.
macro_rules! mono_chains {
    ($( [$($st:ty),+] )+) => {
        /// Run the chain with a kernel specialised to its shape; `false` when
        /// no specialised kernel has that shape.
        ///
        /// # Safety
        /// As [`run`].
        #[inline(always)]
        unsafe fn run_mono(steps: &[RStep], dst: *mut f64, n: usize) -> bool {
            // SAFETY: the caller's contract, passed on.
            unsafe { $( run_shape::<shape!($($st),+)>(steps, dst, n) )||+ }
        }

        /// Whether `steps` has the shape of a specialised kernel.
        #[cfg(test)]
        pub(crate) fn has_mono(steps: &[RStep]) -> bool {
            $( <shape!($($st),+) as ChainK>::data(steps).is_some() )||+
        }
    };
}

// Codes: 0 add, 1 sub, 2 mul, 3 div, 7 ge. The shapes the lowering emits for
// linear equations: exact integration `b + (a - b)*E` (then `where` for
// `(unless refractory)`, the mask either a column or the refractory test
// `t - lastspike >= k` computed in the tile), the Euler step
// `a + dt*((c - a)/tau)` with `c` a column or a constant, and the noise term
// `a + k*(s*xi)`; and the exact update of a variable driven by a decaying
// input, `v*E + (g*A + ...) + c` (Brian2's CUBA: the sum of the other terms
// arrives as one register, the chain starts at the last product), with and
// without `where`; with every product of that sum fused into the chain
// (`v*E + g*A + h*B + c`, one pass), with and without `where`.
mono_chains! {
    [Init<P>, OpK<2, true, S>, MulAddK<true, P, S>, MulAddK<true, P, S>, OpK<0, true, S>, SelP<true, 1, 7, true, S, P, S, P>]
    [Init<P>, OpK<2, true, S>, MulAddK<true, P, S>, MulAddK<true, P, S>, OpK<0, true, S>]
    [Init<P>, OpK<2, true, S>, OpK<0, false, P>, OpK<0, true, S>, SelP<true, 1, 7, true, S, P, S, P>]
    [Init<P>, OpK<2, true, S>, OpK<0, false, P>, OpK<0, true, S>]
    [Init<P>, OpK<1, true, P>, OpK<2, true, S>, OpK<0, false, P>, SelP<true, 1, 7, true, S, P, S, P>]
    [Init<S>, OpK<2, true, P>, OpK<2, false, S>, OpK<0, false, P>, SelP<true, 1, 7, true, S, P, S, P>]
    [Init<P>, OpK<1, true, P>, OpK<2, true, S>, OpK<0, false, P>, Sel<true, P, P>]
    [Init<P>, OpK<1, true, P>, OpK<2, true, S>, OpK<0, false, P>]
    [Init<P>, OpK<1, true, P>, OpK<3, true, S>, OpK<2, false, S>, OpK<0, false, P>]
    [Init<S>, OpK<1, true, P>, OpK<3, true, S>, OpK<2, false, S>, OpK<0, false, P>]
    [Init<S>, OpK<2, true, P>, OpK<2, false, S>, OpK<0, false, P>, Sel<true, P, P>]
    [Init<S>, OpK<2, true, P>, OpK<2, false, S>, OpK<0, false, P>]
}
