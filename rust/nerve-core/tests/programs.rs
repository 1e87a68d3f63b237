//! Hand-assembled programs through the decoder and the interpreter.

use nerve_core::ir::asm::{s, v, Asm};
use nerve_core::ir::opcodes::Op;
use nerve_core::{execute, Columns, CoreError, Program, Rng};

fn run_once(bytes: &[u8], cols: &mut [Vec<f64>], n: usize) -> Result<(), CoreError> {
    let prog = Program::decode(bytes)?;
    let mut views: Vec<&mut [f64]> = cols.iter_mut().map(|c| c.as_mut_slice()).collect();
    let columns = Columns::new(&mut views, n)?;
    execute(&prog, &columns, &mut Rng::new(1, 0), 0.5, 1e-4, 5000)
}

#[test]
fn disassembly_matches_the_documented_format() {
    let mut a = Asm::new(2);
    let k0 = a.konst(0.1);
    a.konst(-1.0);
    a.sop(Op::Div, s(4), s(1), k0, 0)
        .sop(Op::Exp, s(5), s(4), 0, 0);
    a.load(v(0), 0)
        .vop(Op::Mul, v(1), v(0), s(5), 0)
        .store(0, v(1))
        .collect(v(1));
    let p = Program::decode(&a.finish()).unwrap();
    assert_eq!(
        p.disassemble(),
        "; nerve IR v2: columns=2 consts=2 sregs=6 vregs=2\nK0 = 1e-1\nK1 = -1e0\nscalar:\n  \
         S4 = div S1 K0\n  S5 = exp S4\nvector:\n  V0 = load col0\n  V1 = mul V0 S5\n  \
         col0 = store V1\n  collect V1\n"
    );
}

#[test]
fn arithmetic_over_several_chunks_with_aliasing_registers() {
    // x = (x + i) * 2, with the destination equal to a source (V0 = add V0 V1).
    let n = 1000;
    let mut a = Asm::new(1);
    let two = a.konst(2.0);
    a.load(v(0), 0)
        .vop(Op::Index, v(1), 0, 0, 0)
        .vop(Op::Add, v(0), v(0), v(1), 0)
        .vop(Op::Mul, v(0), v(0), two, 0)
        .vop(Op::Select, v(1), v(1), v(0), s(0)) // i != 0 ? x : t
        .store(0, v(1));
    let mut cols = vec![vec![1.0; n]];
    run_once(&a.finish(), &mut cols, n).unwrap();
    assert_eq!(cols[0][0], 0.5); // lane 0: i == 0 selects t
    for (i, &x) in cols[0].iter().enumerate().skip(1) {
        assert_eq!(x, (1.0 + i as f64) * 2.0);
    }
}

#[test]
fn python_semantics_of_mod_floordiv_sign() {
    let mut a = Asm::new(3);
    a.load(v(0), 0)
        .load(v(1), 1)
        .vop(Op::Mod, v(2), v(0), v(1), 0)
        .store(2, v(2))
        .vop(Op::FloorDiv, v(2), v(0), v(1), 0)
        .store(0, v(2))
        .vop(Op::Sign, v(2), v(1), 0, 0)
        .store(1, v(2));
    let mut cols = vec![
        vec![-7.0, 7.0, 7.5, -0.5],
        vec![2.0, -2.0, 2.0, 0.0],
        vec![0.0; 4],
    ];
    run_once(&a.finish(), &mut cols, 4).unwrap();
    assert_eq!(cols[2][..3], [1.0, -1.0, 1.5]);
    assert_eq!(cols[0][..3], [-4.0, -4.0, 3.0]);
    assert_eq!(cols[1], [1.0, -1.0, 1.0, 0.0]);
}

#[test]
fn rand_is_reproducible_and_in_range() {
    let mut a = Asm::new(1);
    a.vop(Op::Rand, v(0), 0, 0, 0).store(0, v(0));
    let bytes = a.finish();
    let mut c1 = vec![vec![0.0; 700]];
    let mut c2 = vec![vec![0.0; 700]];
    run_once(&bytes, &mut c1, 700).unwrap();
    run_once(&bytes, &mut c2, 700).unwrap();
    assert_eq!(c1, c2);
    assert!(c1[0].iter().all(|x| (0.0..1.0).contains(x)));
    let mean = c1[0].iter().sum::<f64>() / 700.0;
    assert!((mean - 0.5).abs() < 0.05);
}

fn decode_err(bytes: &[u8]) -> String {
    Program::decode(bytes).unwrap_err().to_string()
}

#[test]
fn invalid_programs_are_rejected_with_a_location() {
    let mut a = Asm::new(1);
    a.vop(Op::Add, v(0), v(1), v(1), 0);
    let msg = decode_err(&a.finish());
    assert!(
        msg.contains("V1 read before it is written") && msg.contains("vector instruction 0"),
        "{msg}"
    );

    let mut a = Asm::new(1);
    a.load(v(0), 3);
    assert!(decode_err(&a.finish()).contains("column slot 3 out of range"));

    let mut a = Asm::new(1);
    a.sop(Op::Add, s(4), s(9), s(0), 0);
    assert!(decode_err(&a.finish()).contains("S9 read before it is written"));

    let mut a = Asm::new(1);
    a.vop(Op::Neg, v(0), s(0), s(1), 0);
    assert!(decode_err(&a.finish()).contains("unused operand b of `neg` must be 0"));

    let mut a = Asm::new(1);
    a.sop(Op::Rand, s(4), 0, 0, 0);
    assert!(decode_err(&a.finish()).contains("`rand` may not appear in the scalar block"));

    let good = Asm::new(1).finish();
    assert!(decode_err(&good[..good.len() - 1]).contains("shorter than its 24-byte header"));
    let mut with_const = Asm::new(1);
    with_const.konst(1.0);
    let bytes = with_const.finish();
    assert!(decode_err(&bytes[..bytes.len() - 1]).contains("header announces 32"));
    let mut bad = good.clone();
    bad[0] = b'X';
    assert!(decode_err(&bad).contains("magic"));
    let mut bad = good.clone();
    bad[4] = 99;
    assert!(matches!(
        Program::decode(&bad),
        Err(CoreError::VersionMismatch { found: 99, .. })
    ));
    let mut bad = good.clone();
    bad.extend_from_slice(&[0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    bad[20] = 1;
    assert!(decode_err(&bad).contains("unknown opcode 65535"));
}

#[test]
fn column_lengths_are_checked() {
    let mut a = Asm::new(1);
    a.load(v(0), 0).store(0, v(0));
    let mut cols = vec![vec![0.0; 3]];
    let err = run_once(&a.finish(), &mut cols, 4).unwrap_err();
    assert!(matches!(
        err,
        CoreError::ColumnLength {
            column: 0,
            expected: 4,
            got: 3
        }
    ));
}
