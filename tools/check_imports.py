"""Checks the import boundaries DESIGN.md draws, by reading every module's imports.

- `sekisho.policy` imports the standard library only.
- `sekisho.protocol` imports the standard library, botocore and `sekisho.errors`.
- `sekisho.domain` never imports starlette, sqlalchemy, botocore, uvicorn or `sekisho.api`.
- `sekisho.auth.sigv4` and `sekisho.auth.signing_keys` are pure: stdlib and `sekisho.errors`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "sekisho"
STDLIB = sys.stdlib_module_names

RULES: list[tuple[str, set[str] | None, set[str]]] = [
    # (package or module prefix, allowed top-level imports (None: any), forbidden prefixes)
    ("sekisho.policy", set(STDLIB) | {"sekisho.policy"}, set()),
    ("sekisho.protocol", set(STDLIB) | {"botocore", "sekisho.protocol", "sekisho.errors"}, set()),
    ("sekisho.auth.sigv4", set(STDLIB) | {"sekisho.errors", "sekisho.auth.signing_keys"}, set()),
    ("sekisho.auth.signing_keys", set(STDLIB), set()),
    ("sekisho.domain", None, {"starlette", "sqlalchemy", "botocore", "uvicorn", "sekisho.api",
                              "sekisho.protocol", "sekisho.app"}),
]


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from sekisho import errors` imports sekisho.errors, not all of sekisho.
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def allowed(name: str, allow: set[str]) -> bool:
    return any(name == a or name.startswith(a + ".") for a in allow) or \
        (name.split(".")[0] in allow and not name.startswith("sekisho"))


def main() -> int:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        module = module_name(path)
        for prefix, allow, forbid in RULES:
            if module != prefix and not module.startswith(prefix + "."):
                continue
            for name in imports_of(path):
                if name == "__future__":
                    continue
                if allow is not None and not allowed(name, allow):
                    problems.append(f"{path.relative_to(SRC.parent)}: {prefix} may not import "
                                    f"{name}")
                if any(name == f or name.startswith(f + ".") for f in forbid):
                    problems.append(f"{path.relative_to(SRC.parent)}: {prefix} may not import "
                                    f"{name}")
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
