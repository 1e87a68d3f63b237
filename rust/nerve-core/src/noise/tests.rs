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
    assert!(zig().layers[0].k > 0);
}

#[test]
fn same_sequence_as_rand_xoshiro() {
    use rand_core::{Rng as _, SeedableRng};
    for seed in [1u64, 2, 0xdead_beef] {
        let mut bytes = [0u8; 32];
        for (k, b) in bytes.iter_mut().enumerate() {
            *b = (seed.wrapping_mul(k as u64 + 7) >> (k % 8)) as u8;
        }
        let mut ours = Xoshiro::from_seed(bytes);
        let mut theirs = rand_xoshiro::Xoshiro256PlusPlus::from_seed(bytes);
        for _ in 0..1000 {
            assert_eq!(ours.next_u64(), theirs.next_u64());
        }
    }
}

/// What `fill_normal` must give, written the slow way: per piece, one
/// draw per element from lane `k % LANES`, then the draws outside their
/// rectangle finished in order on their lanes.
fn normals_by_lanes(lanes: &mut [Xoshiro], len: usize, finished: &mut usize) -> Vec<f64> {
    let z = zig();
    let mut out = Vec::with_capacity(len);
    for start in (0..len).step_by(PIECE) {
        let m = PIECE.min(len - start);
        let draws: Vec<u64> = (0..m).map(|k| lanes[k % LANES].next_u64()).collect();
        for (k, &u) in draws.iter().enumerate() {
            let (x, inside) = zig_fast(z, u);
            out.push(if inside {
                with_sign(x, u)
            } else {
                *finished += 1;
                normal_finish(&mut lanes[k % LANES], z, u, x)
            });
        }
    }
    out
}

/// Fills of awkward lengths, one after another, give what the slow
/// descriptions give (uniforms: element `k` from lane `k % LANES`).
#[test]
fn fills_match_one_lane_at_a_time() {
    let mut a = stream(3, 4, 5);
    let mut lanes: Vec<Xoshiro> = (0..LANES).map(|l| a.lane(l)).collect();
    let mut finished = 0;
    for (len, normals) in [
        (100_003, true),
        (5, false),
        (256, true),
        (13, true),
        (64, false),
        (300, true),
    ] {
        let mut v = vec![0.0; len];
        let want = if normals {
            fill_normal(&mut a, &mut v);
            normals_by_lanes(&mut lanes, len, &mut finished)
        } else {
            fill_uniform(&mut a, &mut v);
            (0..len).map(|k| uniform(&mut lanes[k % LANES])).collect()
        };
        for (k, (x, w)) in v.iter().zip(&want).enumerate() {
            assert_eq!(x.to_bits(), w.to_bits(), "fill of {len}, element {k}");
        }
        for (l, g) in lanes.iter().enumerate() {
            assert_eq!(&a.lane(l), g, "lane {l} after a fill of {len}");
        }
    }
    assert!(finished > 200, "the slow path ran {finished} times");
}

/// The portable fills give what the dispatched (AVX2) ones give.
#[test]
fn portable_fills_equal_dispatched_fills() {
    for len in [0, 1, 3, 7, 8, 9, 100, 255, 256, 257, 1000, 4099] {
        let (mut a, mut b) = (stream(5, 6, 7), stream(5, 6, 7));
        let (mut x, mut y) = (vec![0.0; len], vec![0.0; len]);
        fill_normal(&mut a, &mut x);
        fill_normal_impl(&mut b, &mut y);
        fill_uniform(&mut a, &mut x[..len / 2]);
        fill_uniform_impl(&mut b, &mut y[..len / 2]);
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&x), bits(&y), "length {len}");
        assert_eq!(a, b, "length {len}");
    }
}

/// The slow paths (wedges and the tail) are exercised: some normals lie
/// beyond the base layer's edge.
#[test]
fn tail_is_sampled() {
    let mut r = stream(9, 9, 9);
    let mut v = vec![0.0; 1 << 20];
    fill_normal(&mut r, &mut v);
    assert!(v.iter().any(|x| x.abs() > ZR));
    assert!(v.iter().all(|x| x.is_finite()));
}

/// The layer recursion from ZR ends at the mode: the top layer's upper
/// edge is where the density is 1.
#[test]
fn layers_close_at_the_mode() {
    let f = |x: f64| (-0.5 * x * x).exp();
    let area =
        ZR * f(ZR) + (std::f64::consts::PI / 2.0).sqrt() * erfc(ZR / std::f64::consts::SQRT_2);
    let mut x = ZR;
    for _ in 1..ZN - 1 {
        x = (-2.0 * (area / x + f(x)).ln()).sqrt();
    }
    let top = area / x + f(x);
    assert!((top - 1.0).abs() < 1e-12, "top edge {top}");
}

#[test]
fn lanes_differ() {
    let r = stream(1, 0, 0);
    for a in 0..LANES {
        for b in 0..a {
            assert_ne!(r.lane(a), r.lane(b));
        }
    }
}

#[test]
fn uniforms_in_range_and_streams_differ() {
    let draw = |mut r: Stream| {
        let mut v = vec![0.0; 1000];
        fill_uniform(&mut r, &mut v);
        v
    };
    let xa = draw(stream(7, 0, 0));
    let xb = draw(stream(7, 0, 1));
    let xc = draw(stream(7, 1, 0));
    assert!(xa.iter().all(|&x| (0.0..1.0).contains(&x)));
    assert_ne!(xa, xb);
    assert_ne!(xa, xc);
    let mean = xa.iter().sum::<f64>() / 1000.0;
    assert!((mean - 0.5).abs() < 0.05);
}
