//! Random numbers: xoshiro256++ generators, 52-bit uniforms and a 1024-layer
//! ziggurat for standard normals, drawn [`LANES`] at a time.
//!
//! An object (a group) owns one [`Stream`] per chunk of [`crate::CHUNK`]
//! neurons, each seeded from `(seed, stream id, chunk index)`, plus one stream
//! for indexed execution (resets). A chunk's numbers therefore do not depend on
//! which thread runs it: results are identical whatever the number of threads.
//!
//! A [`Stream`] is [`LANES`] independent xoshiro256++ generators side by side.
//! Every fill starts at lane 0 and gives element `k` of its output to lane
//! `k % LANES`. A uniform is what [`uniform`] gives from that lane. Normals
//! take one draw per element for the ziggurat's fast test and finish the rare
//! rejected ones (0.4%) afterwards, per piece of [`PIECE`] elements, on the
//! element's lane ([`fill_normal`] says exactly how; a test checks it against
//! a one-at-a-time description). The lanes advance together in SIMD
//! registers and the main loop has no branch, which is what makes a normal
//! cost under a nanosecond.

use std::sync::OnceLock;

use crate::error::{CoreError, Result};
use crate::CHUNK;

/// Generators side by side in one [`Stream`].
pub const LANES: usize = 8;

/// One xoshiro256++ generator (Blackman & Vigna): the same sequence as
/// `rand_xoshiro::Xoshiro256PlusPlus` from the same seed bytes (checked by a
/// test).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xoshiro {
    s: [u64; 4],
}

impl Xoshiro {
    /// The generator whose state is `seed` read as four little-endian words.
    /// (An all-zero state, which xoshiro cannot leave, is replaced by a fixed
    /// non-zero one; seeding produces it with probability 2^-256.)
    pub fn from_seed(seed: [u8; 32]) -> Xoshiro {
        let mut s = [0u64; 4];
        for (w, b) in s.iter_mut().zip(seed.chunks_exact(8)) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(b);
            *w = u64::from_le_bytes(bytes);
        }
        if s == [0; 4] {
            s[0] = 0x9E37_79B9_7F4A_7C15;
        }
        Xoshiro { s }
    }

    /// The next 64 random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.s;
        step(s0, s1, s2, s3)
    }
}

/// One xoshiro256++ step on a state held in four variables.
#[inline(always)]
fn step(s0: &mut u64, s1: &mut u64, s2: &mut u64, s3: &mut u64) -> u64 {
    let out = s0.wrapping_add(*s3).rotate_left(23).wrapping_add(*s0);
    let t = *s1 << 17;
    *s2 ^= *s0;
    *s3 ^= *s1;
    *s1 ^= *s2;
    *s0 ^= *s3;
    *s2 ^= t;
    *s3 = s3.rotate_left(45);
    out
}

/// [`LANES`] xoshiro256++ generators, stored word by word (`s[w][lane]`) so
/// that one step of all lanes is a handful of vector instructions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    s: [[u64; LANES]; 4],
}

impl Stream {
    /// The generator of one lane (a copy).
    pub fn lane(&self, l: usize) -> Xoshiro {
        Xoshiro {
            s: [self.s[0][l], self.s[1][l], self.s[2][l], self.s[3][l]],
        }
    }

    fn set_lane(&mut self, l: usize, g: &Xoshiro) {
        for w in 0..4 {
            self.s[w][l] = g.s[w];
        }
    }
}

/// One step of every lane: the next 64 bits of each.
#[inline(always)]
fn step_lanes(s: &mut [[u64; LANES]; 4]) -> [u64; LANES] {
    let [s0, s1, s2, s3] = s;
    let mut out = [0u64; LANES];
    for l in 0..LANES {
        out[l] = step(&mut s0[l], &mut s1[l], &mut s2[l], &mut s3[l]);
    }
    out
}

/// SplitMix64 finaliser: a bijective mix of 64 bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of `(seed, stream, chunk)`; `chunk = u64::MAX` is the indexed
/// stream. Its lanes take consecutive 32-byte seeds from one SplitMix64
/// sequence.
pub fn stream(seed: u64, stream: u64, chunk: u64) -> Stream {
    let mut state = mix(seed ^ mix(stream.wrapping_add(0x9E37_79B9_7F4A_7C15)) ^ mix(!chunk));
    let mut out = Stream { s: [[0; LANES]; 4] };
    for l in 0..LANES {
        let mut bytes = [0u8; 32];
        for part in bytes.chunks_exact_mut(8) {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            part.copy_from_slice(&mix(state).to_le_bytes());
        }
        out.set_lane(l, &Xoshiro::from_seed(bytes));
    }
    out
}

/// The random streams of one object: one per chunk, plus the indexed one.
///
/// The streams of *fused* copies ([`Rng::fused`]: the copies of a model in a
/// parameter sweep, run as one group whose lanes are the copies' lanes one
/// after the other) are the copies' own: each copy's lanes draw from its own
/// stream, and a chunk holds whole copies, so each copy gets exactly the
/// numbers it would get run alone.
#[derive(Clone, Debug)]
pub struct Rng {
    seed: u64,
    stream_id: u64,
    /// One stream per chunk; fused, one per copy.
    pub(crate) chunks: Vec<Stream>,
    pub(crate) indexed: Stream,
    fused: Option<Fused>,
}

/// What fused streams keep of their copies.
#[derive(Clone, Debug)]
struct Fused {
    /// Lanes of each copy (at most [`crate::CHUNK`]).
    lanes: usize,
    /// The copies' indexed streams (given back by [`Rng::unfuse`]).
    indexed: Vec<Stream>,
}

impl Rng {
    /// Streams of object `stream_id` under the user seed `seed`.
    pub fn new(seed: u64, stream_id: u64) -> Rng {
        Rng {
            seed,
            stream_id,
            chunks: Vec::new(),
            indexed: stream(seed, stream_id, u64::MAX),
            fused: None,
        }
    }

    /// The streams of a group made of the copies `parts` (in lane order),
    /// each of `lanes` lanes, drawn from as each copy's own first chunk
    /// would be: copy `k`'s lanes draw from `parts[k]`'s stream of chunk 0,
    /// in its current state. A copy must fit in one chunk.
    pub fn fused(parts: &[&Rng], lanes: usize) -> Result<Rng> {
        if lanes == 0 || lanes > CHUNK {
            return Err(CoreError::invalid(format!(
                "fused copies have 1 to {CHUNK} lanes each, got {lanes}"
            )));
        }
        let Some(first) = parts.first() else {
            return Err(CoreError::invalid("no copies to fuse"));
        };
        if parts.iter().any(|p| p.fused.is_some()) {
            return Err(CoreError::invalid("streams that are already fused"));
        }
        let chunks = parts
            .iter()
            .map(|p| match p.chunks.first() {
                Some(s) => s.clone(),
                None => stream(p.seed, p.stream_id, 0),
            })
            .collect();
        Ok(Rng {
            seed: first.seed,
            stream_id: first.stream_id,
            chunks,
            indexed: first.indexed.clone(),
            fused: Some(Fused {
                lanes,
                indexed: parts.iter().map(|p| p.indexed.clone()).collect(),
            }),
        })
    }

    /// Give each of the fused copies `parts` (those given to
    /// [`Rng::fused`], in the same order) its streams as they are now.
    pub fn unfuse(&self, parts: &mut [&mut Rng]) -> Result<()> {
        let Some(fused) = &self.fused else {
            return Err(CoreError::invalid("these streams are not fused"));
        };
        if parts.len() != self.chunks.len() {
            return Err(CoreError::invalid(format!(
                "{} copies were fused, got {}",
                self.chunks.len(),
                parts.len()
            )));
        }
        for ((part, s), ix) in parts.iter_mut().zip(&self.chunks).zip(&fused.indexed) {
            part.ensure(1);
            if let Some(first) = part.chunks.first_mut() {
                *first = s.clone();
            }
            part.indexed = ix.clone();
        }
        Ok(())
    }

    /// Lanes drawing from one stream: a fused copy's, else a chunk.
    #[inline]
    pub(crate) fn lanes_per_stream(&self) -> usize {
        self.fused.as_ref().map_or(CHUNK, |f| f.lanes)
    }

    /// Streams per chunk (whole fused copies, else one).
    #[inline]
    pub(crate) fn streams_per_chunk(&self) -> usize {
        self.fused.as_ref().map_or(1, |f| CHUNK / f.lanes)
    }

    /// Lanes per chunk: [`CHUNK`], or as many whole fused copies as fit.
    #[inline]
    pub(crate) fn chunk_lanes(&self) -> usize {
        self.lanes_per_stream() * self.streams_per_chunk()
    }

    /// Make sure there is a stream for each of `n_chunks` chunks (fused
    /// streams have one per copy from the start).
    pub(crate) fn ensure(&mut self, n_chunks: usize) {
        if self.fused.is_some() {
            return;
        }
        while self.chunks.len() < n_chunks {
            let c = self.chunks.len() as u64;
            self.chunks.push(stream(self.seed, self.stream_id, c));
        }
    }

    /// The streams of each chunk, in order (see [`Rng::chunk_lanes`]).
    #[inline]
    pub(crate) fn per_chunk(&mut self) -> std::slice::ChunksMut<'_, Stream> {
        let per = self.streams_per_chunk();
        self.chunks.chunks_mut(per)
    }
}

/// Fill `d` (the lanes of one chunk) from that chunk's `streams`: lanes
/// `k * seg .. (k + 1) * seg` from stream `k` (one stream: all of them);
/// `fill(stream, part, first lane of the part)`.
#[inline(always)]
pub(crate) fn fill_by_stream(
    streams: &mut [Stream],
    seg: usize,
    d: &mut [f64],
    mut fill: impl FnMut(&mut Stream, &mut [f64], usize),
) {
    match streams {
        [one] => fill(one, d, 0),
        many => {
            for (k, (s, part)) in many.iter_mut().zip(d.chunks_mut(seg.max(1))).enumerate() {
                fill(s, part, k * seg);
            }
        }
    }
}

/// The uniform number in `[0, 1)` made of the top 52 bits of `u`.
#[inline(always)]
fn uniform_of(u: u64) -> f64 {
    f64::from_bits((u >> 12) | 0x3FF0_0000_0000_0000) - 1.0
}

/// A uniform number in `[0, 1)` with 52 random bits.
#[inline(always)]
pub fn uniform(r: &mut Xoshiro) -> f64 {
    uniform_of(r.next_u64())
}

/// `j as f64` for `0 <= j < 2^52`, written so that it vectorises without
/// AVX-512 (exact: the integer is placed in the mantissa of 2^52).
#[inline(always)]
fn small_to_f64(j: u64) -> f64 {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    f64::from_bits(j | 0x4330_0000_0000_0000) - TWO52
}

/// Layers of the ziggurat. With 1024 layers (a 16 KiB table, which stays in
/// L1) only 0.4% of draws need the slow wedge or tail test; with 256 it is
/// 1.5%, and the slow test costs as much as thirty fast ones.
const ZN: usize = 1024;
/// Where the tail starts for [`ZN`] layers: the `r` for which the layers of
/// equal area close exactly at the mode (solved by bisection; the test
/// `layers_close_at_the_mode` checks it).
const ZR: f64 = 4.038_849_846_109_504;
/// Bits of a draw that choose the layer; the next bit is the sign.
const LAYER_BITS: u32 = 10;
const LAYER_MASK: u64 = (1 << LAYER_BITS) - 1;
const SIGN_BIT: u64 = 1 << LAYER_BITS;
/// Scale of the ziggurat's integer draws: 52 random bits.
const ZSCALE: f64 = 4_503_599_627_370_496.0;

/// Ziggurat tables (Marsaglia & Tsang, 1024 layers).
pub struct Zig {
    f: [f64; ZN + 1],
    layers: [Layer; ZN],
}

/// What the fast test needs of one layer, together (one 16-byte load).
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Layer {
    /// Width of the layer's rectangle per unit of the integer draw.
    w: f64,
    /// Integer draws below this lie inside the rectangle.
    k: i64,
}

/// The ziggurat tables, computed on first use.
pub fn zig() -> &'static Zig {
    static TABLES: OnceLock<Zig> = OnceLock::new();
    TABLES.get_or_init(|| {
        let fr = (-0.5 * ZR * ZR).exp();
        // Area of one layer: rectangle at the base plus the tail beyond ZR.
        let area =
            ZR * fr + (std::f64::consts::PI / 2.0).sqrt() * erfc(ZR / std::f64::consts::SQRT_2);
        let mut x = [0.0; ZN + 1];
        x[0] = area / fr;
        x[1] = ZR;
        for i in 1..ZN - 1 {
            x[i + 1] = (-2.0 * (area / x[i] + (-0.5 * x[i] * x[i]).exp()).ln()).sqrt();
        }
        x[ZN] = 0.0;
        let f = x.map(|xi| (-0.5 * xi * xi).exp());
        let layers = std::array::from_fn(|i| Layer {
            w: x[i] / ZSCALE,
            k: (x[i + 1] / x[i] * ZSCALE) as i64,
        });
        Zig { f, layers }
    })
}

/// Complementary error function (for the tail area; W. J. Cody's rational
/// approximation is overkill here: a continued fraction is exact to 1e-16 at
/// x = 2.58 where it is used).
fn erfc(x: f64) -> f64 {
    // Lentz continued fraction for erfc(x) * sqrt(pi) * exp(x^2), x > 2.
    let mut f = x;
    let tiny = 1e-300;
    let mut c = x;
    let mut d = 0.0;
    for n in 1..200 {
        let an = n as f64 / 2.0;
        d = x + an * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = x + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-17 {
            break;
        }
    }
    (-x * x).exp() / (f * std::f64::consts::PI.sqrt())
}

#[inline(always)]
fn with_sign(x: f64, u: u64) -> f64 {
    f64::from_bits(x.to_bits() ^ ((u & SIGN_BIT) << (63 - LAYER_BITS)))
}

/// The ziggurat's first test on the draw `u`: bits 0-9 choose the layer,
/// bit 10 the sign, bits 12-63 the position. Returns the candidate and
/// whether it lies inside the layer's rectangle (then it is the result).
#[inline(always)]
fn zig_fast(z: &Zig, u: u64) -> (f64, bool) {
    let i = (u & LAYER_MASK) as usize;
    let j = u >> 12;
    let layer = z.layers[i];
    (small_to_f64(j) * layer.w, (j as i64) < layer.k)
}

/// One standard normal number.
#[inline(always)]
pub fn normal(r: &mut Xoshiro, z: &Zig) -> f64 {
    loop {
        let u = r.next_u64();
        let (x, inside) = zig_fast(z, u);
        if inside {
            return with_sign(x, u);
        }
        if let Some(v) = normal_slow(r, z, u, x) {
            return v;
        }
    }
}

/// The ziggurat after the draw `u` (candidate `x`) fell outside its layer's
/// rectangle: the wedge or tail test, then fresh draws until one is accepted.
#[cold]
#[inline(never)]
fn normal_finish(r: &mut Xoshiro, z: &Zig, u: u64, x: f64) -> f64 {
    match normal_slow(r, z, u, x) {
        Some(v) => v,
        None => normal(r, z),
    }
}

#[cold]
#[inline(never)]
fn normal_slow(r: &mut Xoshiro, z: &Zig, u: u64, x: f64) -> Option<f64> {
    let i = (u & LAYER_MASK) as usize;
    if i == 0 {
        loop {
            let a = -(1.0 - uniform(r)).ln() / ZR;
            let b = -(1.0 - uniform(r)).ln();
            if b + b >= a * a {
                return Some(with_sign(ZR + a, u));
            }
        }
    }
    let y = z.f[i] + uniform(r) * (z.f[i + 1] - z.f[i]);
    (y < (-0.5 * x * x).exp()).then(|| with_sign(x, u))
}

/// Fill `out` with uniforms in `[0, 1)`: element `k` from lane `k % LANES`.
pub fn fill_uniform(r: &mut Stream, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { avx2::fill_uniform(r, out) };
            return;
        }
    }
    fill_uniform_impl(r, out);
}

fn fill_uniform_impl(r: &mut Stream, out: &mut [f64]) {
    let mut s = r.s;
    let mut blocks = out.chunks_exact_mut(LANES);
    for block in &mut blocks {
        let u = step_lanes(&mut s);
        for l in 0..LANES {
            block[l] = uniform_of(u[l]);
        }
    }
    r.s = s;
    uniform_tail(r, blocks.into_remainder());
}

/// The last `out.len() < LANES` uniforms of a fill, lane by lane.
fn uniform_tail(r: &mut Stream, out: &mut [f64]) {
    for (l, o) in out.iter_mut().enumerate() {
        let mut g = r.lane(l);
        *o = uniform(&mut g);
        r.set_lane(l, &g);
    }
}

/// Normals are drawn in pieces of this many elements (see [`fill_normal`]).
pub const PIECE: usize = 256;

/// Fill `out` with standard normals.
///
/// `out` is taken in pieces of [`PIECE`] elements. In each piece, element
/// `k` draws one 64-bit word from lane `k % LANES` and applies the
/// ziggurat's first test; then, in order of `k`, every element whose draw
/// fell outside its layer's rectangle (about 1 in 250) is finished on its
/// lane's generator (wedge or tail test, fresh draws until one is accepted).
/// Deferring the rare slow cases keeps the main loop free of branches.
pub fn fill_normal(r: &mut Stream, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { avx2::fill_normal(r, out) };
            return;
        }
    }
    fill_normal_impl(r, out);
}

fn fill_normal_impl(r: &mut Stream, out: &mut [f64]) {
    let z = zig();
    for piece in out.chunks_mut(PIECE) {
        let mut outside = [0u8; PIECE / LANES];
        let mut s = r.s;
        for (block, o) in piece.chunks_exact_mut(LANES).zip(outside.iter_mut()) {
            let u = step_lanes(&mut s);
            for l in 0..LANES {
                let (v, inside) = first_test(z, u[l]);
                block[l] = v;
                *o |= u8::from(!inside) << l;
            }
        }
        r.s = s;
        finish_piece(r, z, piece, &mut outside);
    }
}

/// The rest of a piece after its full blocks: the last `piece.len() %
/// LANES` first tests lane by lane, then [`finish_outside`].
fn finish_piece(r: &mut Stream, z: &Zig, piece: &mut [f64], outside: &mut [u8; PIECE / LANES]) {
    let full = piece.len() / LANES * LANES;
    for (l, x) in piece[full..].iter_mut().enumerate() {
        let mut g = r.lane(l);
        let (v, inside) = first_test(z, g.next_u64());
        r.set_lane(l, &g);
        *x = v;
        outside[full / LANES] |= u8::from(!inside) << l;
    }
    if outside.iter().any(|&o| o != 0) {
        finish_outside(r, z, piece, outside);
    }
}

/// The ziggurat's first test on the draw `u`: the normal and `true` if the
/// draw lies inside its layer's rectangle, else the draw itself (its bits
/// as a double) and `false`, for [`finish_outside`].
#[inline(always)]
fn first_test(z: &Zig, u: u64) -> (f64, bool) {
    let (x, inside) = zig_fast(z, u);
    (
        if inside {
            with_sign(x, u)
        } else {
            f64::from_bits(u)
        },
        inside,
    )
}

/// Finish, in order, the elements of `piece` whose bit is set in `outside`
/// (one byte per block of [`LANES`]): each holds its draw from
/// [`first_test`]; the wedge or tail test and any fresh draws use the
/// element's lane.
#[cold]
fn finish_outside(r: &mut Stream, z: &Zig, piece: &mut [f64], outside: &[u8]) {
    for (b, &o) in outside.iter().enumerate() {
        let mut o = o;
        while o != 0 {
            let l = o.trailing_zeros() as usize;
            o &= o - 1;
            let e = &mut piece[b * LANES + l];
            let u = e.to_bits();
            let mut g = r.lane(l);
            *e = normal_finish(&mut g, z, u, zig_fast(z, u).0);
            r.set_lane(l, &g);
        }
    }
}

/// The same fills with AVX2 intrinsics: the lanes as two vectors of four.
/// (Written out because the compiler does not keep the generator state in
/// registers, nor rotate 64-bit lanes, when left to vectorise the portable
/// loop.)
#[cfg(target_arch = "x86_64")]
mod avx2;
mod binomial;
mod poisson;
pub use binomial::fill_binomial;
pub use poisson::fill_poisson;

#[cfg(test)]
mod tests;
