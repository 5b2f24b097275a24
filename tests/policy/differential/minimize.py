"""Shrink a disagreeing case to a minimal one that still disagrees the same way.

Used by hand when a new disagreement shows up::

    .venv/bin/python -m tests.policy.differential.minimize gen-20240601-00069

(or with a path to a JSON file holding one case). It prints the smallest case found in which
Sekisho and iam-simulate still give the same two (different) decisions. Each round tries every
single removal (a policy, a statement, a level, a list element, a condition operator or key, a
context key) and keeps the first that preserves the disagreement; all candidates of a round go to
the oracle in one Node process.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .corpus import DEFAULT_COUNT, generate_corpus
from .oracle import run_oracle

Case = dict[str, Any]
Decider = Callable[[Case], str | None]


def _removals(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """Yield paths of elements whose removal keeps the JSON shape plausible."""
    if isinstance(node, list):
        for i, child in enumerate(node):
            yield (*path, i)
            yield from _removals(child, (*path, i))
    elif isinstance(node, dict):
        for key, child in node.items():
            if key in ("Condition", "Sid", "Id") or (path and path[-1] == "Condition") or (
                    len(path) >= 2 and path[-2] == "Condition"):
                yield (*path, key)
            yield from _removals(child, (*path, key))


def candidates(case: Case) -> Iterator[Case]:
    """Every case one removal away from `case`."""
    for path in _removals(case["policies"], ("policies",)):
        smaller = copy.deepcopy(case)
        parent: Any = smaller
        for step in path[:-1]:
            parent = parent[step]
        del parent[path[-1]]
        yield smaller
    for slot in ("resource", "boundary"):
        if case["policies"].get(slot) is not None:
            smaller = copy.deepcopy(case)
            smaller["policies"][slot] = None
            yield smaller
    for key in case["request"].get("context", {}):
        smaller = copy.deepcopy(case)
        del smaller["request"]["context"][key]
        yield smaller


def sekisho_decision(case: Case) -> str | None:
    """Sekisho's decision, or None when it rejects the case."""
    from sekisho.policy import evaluate_case

    try:
        return str(evaluate_case(case)["decision"])
    except Exception:  # any rejection makes the candidate useless, whatever its kind
        return None


def minimize(case: Case, ours: Decider = sekisho_decision, max_rounds: int = 200) -> Case:
    """Return a smallest case found whose (Sekisho, oracle) decisions equal `case`'s."""
    want = (ours(case), run_oracle([case])[case["id"]].decision)
    current = case
    for _ in range(max_rounds):
        batch = [dict(c, id=f"{case['id']}~{n}") for n, c in enumerate(candidates(current))]
        if not batch:
            break
        answers = run_oracle(batch)
        for candidate in batch:
            if answers[candidate["id"]].decision == want[1] and ours(candidate) == want[0]:
                current = dict(candidate, id=case["id"])
                break
        else:
            break
    return current


def main(argv: list[str]) -> int:
    """Print the minimized case for a corpus id or a JSON file."""
    if len(argv) != 1:
        print("usage: python -m tests.policy.differential.minimize CASE_ID|FILE", file=sys.stderr)
        return 2
    target = argv[0]
    if Path(target).is_file():
        case = json.loads(Path(target).read_text())
    else:
        parts = target.split("-")
        if len(parts) != 3 or parts[0] != "gen" or not (parts[1] + parts[2]).isdigit():
            print(f"not a corpus id (gen-SEED-INDEX) or a file: {target}", file=sys.stderr)
            return 2
        seed, index = int(parts[1]), int(parts[2])
        case = generate_corpus(seed, max(DEFAULT_COUNT, index + 1))[index]
    if sekisho_decision(case) == run_oracle([case])[case["id"]].decision:
        print(f"{case['id']}: Sekisho and iam-simulate agree; nothing to minimize")
        return 1
    small = minimize(case)
    print(json.dumps(small, indent=1))
    print(f"sekisho: {sekisho_decision(small)}  iam-simulate: "
          f"{run_oracle([small])[small['id']].decision}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
