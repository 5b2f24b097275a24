"""docs/operations.md lists every model operation with its current status."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from gen_operations_doc import DOC, render

from sekisho.api.coverage import LEFT_OUT, table
from sekisho.api.registry import HANDLERS


def test_operations_doc_is_current() -> None:
    assert DOC.read_text() == render(), "run: python tools/gen_operations_doc.py"


def test_every_handler_serves_an_operation_of_the_models() -> None:
    modelled = {(s, op) for s, op, _, _ in table()}
    assert set(HANDLERS) <= modelled


def test_nothing_is_both_served_and_left_out() -> None:
    assert not set(HANDLERS) & set(LEFT_OUT)
