//! Random numbers: xoshiro256++ streams, 53-bit uniforms and a 256-layer
//! ziggurat for standard normals.
//!
//! An object (a group) owns one stream per chunk of [`crate::CHUNK`] neurons,
//! each seeded from `(seed, stream id, chunk index)`, plus one stream for
//! indexed execution (resets). A chunk's numbers therefore do not depend on
//! which thread runs it: results are identical whatever the number of threads.

use std::sync::OnceLock;

/// The generator of one stream: xoshiro256++ (Blackman & Vigna), the same
/// sequence as `rand_xoshiro::Xoshiro256PlusPlus` from the same seed bytes
/// (checked by a test), written out so that the normal sampler can keep the
/// state in registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    s: [u64; 4],
}

impl Stream {
    /// The stream whose state is `seed` read as four little-endian words.
    /// (An all-zero state, which xoshiro cannot leave, is replaced by a fixed
    /// non-zero one; `stream()` produces it with probability 2^-256.)
    pub fn from_seed(seed: [u8; 32]) -> Stream {
        let mut s = [0u64; 4];
        for (w, b) in s.iter_mut().zip(seed.chunks_exact(8)) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(b);
            *w = u64::from_le_bytes(bytes);
        }
        if s == [0; 4] {
            s[0] = 0x9E37_79B9_7F4A_7C15;
        }
        Stream { s }
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

/// SplitMix64 finaliser: a bijective mix of 64 bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of `(seed, stream, chunk)`; `chunk = u64::MAX` is the indexed stream.
pub fn stream(seed: u64, stream: u64, chunk: u64) -> Stream {
    let mut state = mix(seed ^ mix(stream.wrapping_add(0x9E37_79B9_7F4A_7C15)) ^ mix(!chunk));
    let mut bytes = [0u8; 32];
    for part in bytes.chunks_exact_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        part.copy_from_slice(&mix(state).to_le_bytes());
    }
    Stream::from_seed(bytes)
}

/// The random streams of one object: one per chunk, plus the indexed one.
#[derive(Clone, Debug)]
pub struct Rng {
    seed: u64,
    stream_id: u64,
    pub(crate) chunks: Vec<Stream>,
    pub(crate) indexed: Stream,
}

impl Rng {
    /// Streams of object `stream_id` under the user seed `seed`.
    pub fn new(seed: u64, stream_id: u64) -> Rng {
        Rng {
            seed,
            stream_id,
            chunks: Vec::new(),
            indexed: stream(seed, stream_id, u64::MAX),
        }
    }

    /// Make sure there is a stream for each of `n_chunks` chunks.
    pub(crate) fn ensure(&mut self, n_chunks: usize) {
        while self.chunks.len() < n_chunks {
            let c = self.chunks.len() as u64;
            self.chunks.push(stream(self.seed, self.stream_id, c));
        }
    }
}

/// A uniform number in `[0, 1)` with 53 random bits.
#[inline(always)]
pub fn uniform(r: &mut Stream) -> f64 {
    (r.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

const ZN: usize = 256;
const ZR: f64 = 3.654_152_885_361_009;

/// Ziggurat tables (Marsaglia & Tsang, 256 layers).
pub struct Zig {
    f: [f64; ZN + 1],
    w: [f64; ZN],
    k: [i64; ZN],
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
        let mut w = [0.0; ZN];
        let mut k = [0i64; ZN];
        for i in 0..ZN {
            k[i] = (x[i + 1] / x[i] * (1u64 << 53) as f64) as i64;
            w[i] = x[i] / (1u64 << 53) as f64;
        }
        Zig { f, w, k }
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
    f64::from_bits(x.to_bits() ^ ((u & 0x100) << 55))
}

/// One standard normal number.
#[inline(always)]
pub fn normal(r: &mut Stream, z: &Zig) -> f64 {
    loop {
        let u = r.next_u64();
        let i = (u & 0xff) as usize;
        let j = (u >> 11) as i64;
        let x = j as f64 * z.w[i];
        if j < z.k[i] {
            return with_sign(x, u);
        }
        if let Some(v) = normal_slow(r, z, u, i, x) {
            return v;
        }
    }
}

#[cold]
#[inline(never)]
fn normal_slow(r: &mut Stream, z: &Zig, u: u64, i: usize, x: f64) -> Option<f64> {
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

/// Fill `out` with uniforms.
pub fn fill_uniform(r: &mut Stream, out: &mut [f64]) {
    let mut local = r.clone();
    for o in out.iter_mut() {
        *o = uniform(&mut local);
    }
    *r = local;
}

/// Fill `out` with standard normals (the same numbers as calling
/// [`normal`] for each element in turn). The generator state lives in four
/// locals, so the fast path (~99% of draws) never touches memory for it.
pub fn fill_normal(r: &mut Stream, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("bmi2")
        {
            // SAFETY: the CPU supports AVX2 and BMI2 (checked just above).
            unsafe { fill_normal_avx2(r, out) };
            return;
        }
    }
    fill_normal_impl(r, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi2")]
fn fill_normal_avx2(r: &mut Stream, out: &mut [f64]) {
    fill_normal_impl(r, out);
}

#[inline(always)]
fn fill_normal_impl(r: &mut Stream, out: &mut [f64]) {
    let z = zig();
    let [mut s0, mut s1, mut s2, mut s3] = r.s;
    for o in out.iter_mut() {
        *o = loop {
            let u = step(&mut s0, &mut s1, &mut s2, &mut s3);
            let i = (u & 0xff) as usize;
            let j = (u >> 11) as i64;
            let x = j as f64 * z.w[i];
            if j < z.k[i] {
                break with_sign(x, u);
            }
            let mut st = Stream {
                s: [s0, s1, s2, s3],
            };
            let v = normal_slow(&mut st, z, u, i, x);
            [s0, s1, s2, s3] = st.s;
            if let Some(v) = v {
                break v;
            }
        };
    }
    r.s = [s0, s1, s2, s3];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ziggurat_moments() {
        let mut r = stream(1, 2, 3);
        let mut v = vec![0.0; 1 << 20];
        fill_normal(&mut r, &mut v);
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
        let kurt = v.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n / (var * var);
        let tail = v.iter().filter(|x| x.abs() > 3.0).count() as f64 / n;
        assert!(mean.abs() < 5e-3, "mean {mean}");
        assert!((var - 1.0).abs() < 5e-3, "var {var}");
        assert!((kurt - 3.0).abs() < 0.05, "kurtosis {kurt}");
        assert!((tail - 0.0026998).abs() < 3e-4, "tail {tail}");
        assert!(zig().k[0] > 0);
    }

    #[test]
    fn same_sequence_as_rand_xoshiro() {
        use rand_core::{Rng as _, SeedableRng};
        for seed in [1u64, 2, 0xdead_beef] {
            let mut bytes = [0u8; 32];
            for (k, b) in bytes.iter_mut().enumerate() {
                *b = (seed.wrapping_mul(k as u64 + 7) >> (k % 8)) as u8;
            }
            let mut ours = Stream::from_seed(bytes);
            let mut theirs = rand_xoshiro::Xoshiro256PlusPlus::from_seed(bytes);
            for _ in 0..1000 {
                assert_eq!(ours.next_u64(), theirs.next_u64());
            }
        }
    }

    #[test]
    fn fill_normal_matches_one_at_a_time() {
        let mut a = stream(3, 4, 5);
        let mut b = a.clone();
        let mut v = vec![0.0; 100_000];
        fill_normal(&mut a, &mut v);
        let z = zig();
        for &x in &v {
            assert_eq!(x.to_bits(), normal(&mut b, z).to_bits());
        }
        assert_eq!(a, b);
    }

    #[test]
    fn uniforms_in_range_and_streams_differ() {
        let mut a = stream(7, 0, 0);
        let mut b = stream(7, 0, 1);
        let mut c = stream(7, 1, 0);
        let xa: Vec<f64> = (0..1000).map(|_| uniform(&mut a)).collect();
        let xb: Vec<f64> = (0..1000).map(|_| uniform(&mut b)).collect();
        let xc: Vec<f64> = (0..1000).map(|_| uniform(&mut c)).collect();
        assert!(xa.iter().all(|&x| (0.0..1.0).contains(&x)));
        assert_ne!(xa, xb);
        assert_ne!(xa, xc);
        let mean = xa.iter().sum::<f64>() / 1000.0;
        assert!((mean - 0.5).abs() < 0.05);
    }
}
