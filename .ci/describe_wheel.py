"""Print what a release needs to show of the wheel and the sdist, and fail if
the wheel is not what we publish: abi3, manylinux2014 (no glibc symbol newer
than 2.17), no symbol table or debug sections, the license and the metadata
present; the sdist holding what a source build needs.

    python .ci/describe_wheel.py WHEEL SDIST
"""

from __future__ import annotations

import email.parser
import re
import struct
import sys
import tarfile
import zipfile
from pathlib import Path


def elf_sections(data: bytes) -> list[str]:
    """Names of the sections of a 64-bit little-endian ELF file."""
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not an ELF64 LE file"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + k * shentsize) for k in range(shnum)]
    strtab_offset, strtab_size = headers[shstrndx][4], headers[shstrndx][5]
    strtab = data[strtab_offset:strtab_offset + strtab_size]
    return [strtab[h[0]:strtab.index(b"\0", h[0])].decode() for h in headers]


def main(wheel_path: str, sdist_path: str) -> None:
    wheel = Path(wheel_path)
    problems = []
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        tags = [line.split(": ", 1)[1] for line in archive.read(info).decode().splitlines()
                if line.startswith("Tag: ")]
        metadata = email.parser.Parser().parsestr(
            archive.read(info.replace("WHEEL", "METADATA")).decode())
        library = next(n for n in names if n.endswith(".so"))
        binary = archive.read(library)
        licenses = [n for n in names if ".dist-info/licenses/" in n]
        stubs = [n for n in names if n.endswith((".pyi", "py.typed"))]
    glibc = sorted({tuple(int(x) for x in v.split(b"."))
                    for v in re.findall(rb"GLIBC_([0-9]+\.[0-9]+)", binary)})
    sections = elf_sections(binary)
    print(f"wheel:    {wheel.name}")
    print(f"tags:     {', '.join(tags)}")
    print(f"size:     {wheel.stat().st_size / 1e6:.2f} MB (extension module "
          f"{len(binary) / 1e6:.2f} MB uncompressed, sections: "
          f"{'no symbol table' if '.symtab' not in sections else 'HAS .symtab'}, "
          f"{'no debug info' if not any(s.startswith('.debug') for s in sections) else 'HAS debug info'})")
    print(f"glibc:    newest symbol version GLIBC_{'.'.join(map(str, glibc[-1]))}")
    print(f"license:  {', '.join(licenses)}; stubs: {', '.join(stubs)}")
    for field in ("Name", "Version", "Summary", "License-Expression", "Requires-Python",
                  "Author", "Keywords", "Classifier", "Project-URL", "Requires-Dist",
                  "Provides-Extra"):
        for value in metadata.get_all(field) or ["(missing)"]:
            print(f"  {field}: {value}")
            if value == "(missing)" and field != "Author":
                problems.append(f"metadata field {field} missing")
    if not all("abi3" in t and "manylinux" in t for t in tags):
        problems.append(f"tags {tags} are not abi3 manylinux")
    if glibc and glibc[-1] > (2, 17):
        problems.append(f"needs GLIBC_{glibc[-1]}, newer than manylinux2014's 2.17")
    if ".symtab" in sections or any(s.startswith(".debug") for s in sections):
        problems.append("the extension module is not stripped")
    if not licenses:
        problems.append("no license file in the wheel")
    if "nerve/_core.pyi" not in stubs or "nerve/py.typed" not in stubs:
        problems.append("type stubs or py.typed missing from the wheel")

    with tarfile.open(sdist_path) as sdist:
        members = {m.split("/", 1)[1] for m in sdist.getnames() if "/" in m}
    print(f"sdist:    {Path(sdist_path).name}, {len(members)} files")
    for needed in ("pyproject.toml", "Cargo.toml", "Cargo.lock", "LICENSE", "README.md",
                   "rust/nerve-core/src/lib.rs", "rust/nerve-py/src/lib.rs",
                   "python/nerve/__init__.py", "python/nerve/equations/parser_tables.json"):
        if needed not in members:
            problems.append(f"the sdist lacks {needed}")
    if problems:
        sys.exit("release check failed:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main(*sys.argv[1:])
