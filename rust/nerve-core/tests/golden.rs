//! Every `tests/ir/golden/NAME.bin` (written by the Python encoder) must decode,
//! and its disassembly must equal `NAME.txt`: Python and Rust cannot drift apart.

use std::path::PathBuf;

#[test]
fn golden_programs_disassemble_identically() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/ir/golden");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut checked = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("bin") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let program = nerve_core::Program::decode(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected = std::fs::read_to_string(path.with_extension("txt"))
            .unwrap_or_else(|e| panic!("{}: no matching .txt: {e}", path.display()));
        assert_eq!(program.disassemble(), expected, "{}", path.display());
        checked += 1;
    }
    eprintln!("{checked} golden program(s) checked");
}
