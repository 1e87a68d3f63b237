#!/usr/bin/env bash
# Build the documentation site into site/ (or the folder given), warnings as
# errors. Needs nerve importable (the examples gallery runs every example in
# short mode) and the docs extra: pip install '.[docs]'.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m mkdocs build --strict --clean --site-dir "${1:-site}"
