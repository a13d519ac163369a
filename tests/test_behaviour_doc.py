"""docs/behaviour.md is the server's contract: every row in it is proved by a test.

A test proves a row by carrying ``@pytest.mark.spec("<id>", ...)``. This test reads the
marks from the test sources, so it holds whichever subset of the suite runs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"^\| (\d+(?:\.\d+)*|\d+\.e\d+|\d[a-g]) \|", re.MULTILINE)


def documented_rows() -> list[str]:
    return ROW.findall((ROOT / "docs" / "behaviour.md").read_text(encoding="utf-8"))


def marked_rows() -> set[str]:
    marked: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "spec"
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "mark"
            ):
                marked.update(
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                )
    return marked


def test_rows_are_unique() -> None:
    rows = documented_rows()
    assert len(rows) == len(set(rows))
    assert len(rows) > 80


def test_every_row_has_a_test() -> None:
    missing = [row for row in documented_rows() if row not in marked_rows()]
    assert not missing, f"rows of docs/behaviour.md with no @pytest.mark.spec test: {missing}"


def test_every_mark_names_a_row() -> None:
    unknown = marked_rows() - set(documented_rows())
    assert not unknown, f"spec marks naming no row of docs/behaviour.md: {sorted(unknown)}"
