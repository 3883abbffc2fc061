"""Strip notebooks for committing: no outputs, no execution counts, no widget state.

Committed outputs go stale, bloat diffs and, for widgets, show "Error displaying widget:
model not found" when a student opens the notebook. Run this before committing a notebook:

    python scripts/strip_notebooks.py            # every notebooks/*.ipynb, in place
    python scripts/strip_notebooks.py a.ipynb    # just these
    python scripts/strip_notebooks.py --check    # list dirty notebooks; exit 1 if any

Cell sources, tags and the notebook's kernelspec stay as they are. A file that is already
clean is not rewritten.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
# Cell metadata that only records a past run (JupyterLab's "recordTiming", nbclient).
RUN_METADATA = ("execution", "ExecuteTime")


def strip(nb) -> bool:
    """Remove outputs, execution counts and widget state from ``nb`` in place.

    Returns True if anything was removed.
    """
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell.get("outputs"):
                cell.outputs = []
                changed = True
            if cell.get("execution_count") is not None:
                cell.execution_count = None
                changed = True
        for key in RUN_METADATA:
            if key in cell.metadata:
                del cell.metadata[key]
                changed = True
    if "widgets" in nb.metadata:
        del nb.metadata["widgets"]
        changed = True
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a notebook needs it"
    )
    args = parser.parse_args(argv)
    paths = args.paths or sorted((REPO / "notebooks").glob("*.ipynb"))
    dirty = []
    for path in paths:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if strip(nb):
            dirty.append(path)
            if not args.check:
                nbformat.write(nb, path)
    verb = "needs stripping" if args.check else "stripped"
    for path in dirty:
        print(f"{verb}: {path}")
    return 1 if (args.check and dirty) else 0


if __name__ == "__main__":
    sys.exit(main())
