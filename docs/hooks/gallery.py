"""MkDocs hook: the examples gallery, generated from ``examples/*.py``.

Each example is run in short mode (``NERVE_EXAMPLES_SHORT=1``, in a temporary
folder, matplotlib's Agg backend) and gets a page with its docstring, its
figures and its source; ``examples/index.md`` lists them with their first
figure. An example that fails stops the build. ``NERVE_DOCS_SKIP_EXAMPLES=1``
builds the pages without running the examples (no figures), for quick edits.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
_WORK = tempfile.TemporaryDirectory(prefix="nerve-docs-gallery-")


def _run(script: Path) -> list[Path]:
    """Run ``script`` in short mode; the figures it saved, in name order."""
    cwd = Path(_WORK.name) / script.stem
    cwd.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, NERVE_EXAMPLES_SHORT="1", MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(script)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"examples gallery: {script.name} failed:\n{result.stdout}\n"
                           f"{result.stderr}")
    return sorted(cwd.rglob("*.png"))


def _page(script: Path, figures: list[str]) -> tuple[str, str]:
    source = script.read_text()
    doc = ast.get_docstring(ast.parse(source)) or script.stem
    title, _, body = doc.partition("\n\n")
    title = " ".join(title.split())
    lines = [f"# {script.stem}", "", title, "", body.strip("\n"), ""]
    lines += [f"![{script.stem}: {Path(f).stem}]({f})" for f in figures]
    lines += ["", f"Source: `examples/{script.name}`", "", "```python", source.rstrip(), "```",
              ""]
    return title, "\n".join(lines)


def on_files(files, config):
    skip = os.environ.get("NERVE_DOCS_SKIP_EXAMPLES") == "1"
    index = ["# Examples", "",
             "Short scripts to copy. Each runs in seconds; the figures below come from "
             "their short mode (`NERVE_EXAMPLES_SHORT=1`), which the test suite runs too.",
             ""]
    for script in sorted(EXAMPLES.glob("*.py")):
        if script.stem.startswith("_"):  # a helper module the examples import
            continue
        figures = [] if skip else _run(script)
        names = []
        for figure in figures:
            uri = f"examples/figures/{script.stem}/{figure.name}"
            files.append(File.generated(config, uri, abs_src_path=str(figure)))
            names.append(f"figures/{script.stem}/{figure.name}")
        title, page = _page(script, names)
        files.append(File.generated(config, f"examples/{script.stem}.md", content=page))
        index.append(f"## [{script.stem}]({script.stem}.md)")
        index.append("")
        index.append(title)
        index.append("")
        if names:
            index.append(f"[![{script.stem}]({names[0]}){{ width=320 }}]({script.stem}.md)")
            index.append("")
    files.append(File.generated(config, "examples/index.md", content="\n".join(index)))
    return files
