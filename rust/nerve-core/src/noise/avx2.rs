//! The AVX2 fills of uniforms and normals (chosen at run time; results equal
//! the portable fills, which a test checks).

use super::{
    finish_piece, uniform_tail, zig, Layer, Stream, Zig, LANES, LAYER_BITS, LAYER_MASK, PIECE,
    SIGN_BIT,
};
use std::arch::x86_64::*;

type State = [[__m256i; 2]; 4];

#[inline(always)]
unsafe fn load(s: &[[u64; LANES]; 4]) -> State {
    // SAFETY: AVX2 is enabled in every caller.
    let mut st = unsafe { [[_mm256_setzero_si256(); 2]; 4] };
    for (v, row) in st.iter_mut().zip(s) {
        let p = row.as_ptr() as *const __m256i;
        // SAFETY: each row holds eight u64, two unaligned vectors.
        unsafe { *v = [_mm256_loadu_si256(p), _mm256_loadu_si256(p.add(1))] };
    }
    st
}

#[inline(always)]
unsafe fn store(st: &State, s: &mut [[u64; LANES]; 4]) {
    for (row, v) in s.iter_mut().zip(st) {
        let p = row.as_mut_ptr() as *mut __m256i;
        // SAFETY: each row holds eight u64, two unaligned vectors.
        unsafe {
            _mm256_storeu_si256(p, v[0]);
            _mm256_storeu_si256(p.add(1), v[1]);
        }
    }
}

#[inline(always)]
unsafe fn rotl<const L: i32, const R: i32>(x: __m256i) -> __m256i {
    // SAFETY: AVX2 is enabled in every caller.
    unsafe { _mm256_or_si256(_mm256_slli_epi64::<L>(x), _mm256_srli_epi64::<R>(x)) }
}

/// One xoshiro256++ step of four lanes (`h` = which half of the eight).
#[inline(always)]
unsafe fn step(st: &mut State, h: usize) -> __m256i {
    // SAFETY: AVX2 is enabled in every caller.
    unsafe {
        let [s0, s1, s2, s3] = [st[0][h], st[1][h], st[2][h], st[3][h]];
        let out = _mm256_add_epi64(rotl::<23, 41>(_mm256_add_epi64(s0, s3)), s0);
        let t = _mm256_slli_epi64::<17>(s1);
        let s2 = _mm256_xor_si256(s2, s0);
        let s3 = _mm256_xor_si256(s3, s1);
        let s1 = _mm256_xor_si256(s1, s2);
        let s0 = _mm256_xor_si256(s0, s3);
        let s2 = _mm256_xor_si256(s2, t);
        let s3 = rotl::<45, 19>(s3);
        [st[0][h], st[1][h], st[2][h], st[3][h]] = [s0, s1, s2, s3];
        out
    }
}

/// `(u >> 12)` placed in the mantissa of `bits`, as a double.
#[inline(always)]
unsafe fn mantissa(u: __m256i, bits: i64) -> __m256d {
    // SAFETY: AVX2 is enabled in every caller.
    unsafe {
        _mm256_castsi256_pd(_mm256_or_si256(
            _mm256_srli_epi64::<12>(u),
            _mm256_set1_epi64x(bits),
        ))
    }
}

/// The layers chosen by the low bytes of the four lanes of `u`: their
/// widths and their limits. (Four 16-byte loads and a transpose: cheaper
/// than two gathers on the AMD cores measured.)
#[inline(always)]
unsafe fn layers(z: &Zig, u: __m256i) -> (__m256d, __m256i) {
    // SAFETY: AVX2 is enabled in every caller; each index is a low byte,
    // below the table's length, and a Layer is 16 bytes, aligned.
    unsafe {
        let lo = _mm256_castsi256_si128(u);
        let hi = _mm256_extracti128_si256::<1>(u);
        let at = |x: i64| {
            let l: *const Layer = z.layers.as_ptr().add((x as u64 & LAYER_MASK) as usize);
            _mm_load_pd(l as *const f64)
        };
        let l0 = at(_mm_cvtsi128_si64(lo));
        let l1 = at(_mm_extract_epi64::<1>(lo));
        let l2 = at(_mm_cvtsi128_si64(hi));
        let l3 = at(_mm_extract_epi64::<1>(hi));
        let a = _mm256_set_m128d(l2, l0);
        let b = _mm256_set_m128d(l3, l1);
        (
            _mm256_unpacklo_pd(a, b),
            _mm256_castpd_si256(_mm256_unpackhi_pd(a, b)),
        )
    }
}

#[target_feature(enable = "avx2")]
pub(super) unsafe fn fill_uniform(r: &mut Stream, out: &mut [f64]) {
    // SAFETY: AVX2 is enabled; stores stay inside each block of `out`.
    unsafe {
        let mut st = load(&r.s);
        let one = _mm256_set1_pd(1.0);
        let mut blocks = out.chunks_exact_mut(LANES);
        for block in &mut blocks {
            for h in 0..2 {
                let u = step(&mut st, h);
                let x = _mm256_sub_pd(mantissa(u, 0x3FF0_0000_0000_0000), one);
                _mm256_storeu_pd(block.as_mut_ptr().add(4 * h), x);
            }
        }
        store(&st, &mut r.s);
        uniform_tail(r, blocks.into_remainder());
    }
}

#[target_feature(enable = "avx2")]
pub(super) unsafe fn fill_normal(r: &mut Stream, out: &mut [f64]) {
    let z = zig();
    // SAFETY: AVX2 is enabled; stores stay inside each block of `out`.
    unsafe {
        let two52 = _mm256_set1_pd(4_503_599_627_370_496.0);
        let sign_bit = _mm256_set1_epi64x(SIGN_BIT as i64);
        for piece in out.chunks_mut(PIECE) {
            let mut outside = [0u8; PIECE / LANES];
            let mut st = load(&r.s);
            for (block, o) in piece.chunks_exact_mut(LANES).zip(outside.iter_mut()) {
                for h in 0..2 {
                    let u = step(&mut st, h);
                    let j = _mm256_srli_epi64::<12>(u);
                    let (w, k) = layers(z, u);
                    let inside = _mm256_cmpgt_epi64(k, j);
                    let x =
                        _mm256_mul_pd(_mm256_sub_pd(mantissa(u, 0x4330_0000_0000_0000), two52), w);
                    let sign = _mm256_slli_epi64::<{ 63 - LAYER_BITS as i32 }>(_mm256_and_si256(
                        u, sign_bit,
                    ));
                    let v = _mm256_xor_pd(x, _mm256_castsi256_pd(sign));
                    // Outside the rectangle: keep the draw for finish_piece.
                    let v =
                        _mm256_blendv_pd(_mm256_castsi256_pd(u), v, _mm256_castsi256_pd(inside));
                    _mm256_storeu_pd(block.as_mut_ptr().add(4 * h), v);
                    let m = _mm256_movemask_pd(_mm256_castsi256_pd(inside)) as u8;
                    *o |= (!m & 0xf) << (4 * h);
                }
            }
            store(&st, &mut r.s);
            finish_piece(r, z, piece, &mut outside);
        }
    }
}
