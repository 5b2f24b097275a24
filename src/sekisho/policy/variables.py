"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``, ...

The IAM User Guide ("IAM policy elements: Variables and tags") says:

* variables are replaced only in documents with ``Version`` ``2012-10-17``;
  older documents take ``${...}`` literally;
* they may appear in ``Resource``/``NotResource`` and in condition values of
  string, ARN and Bool operators (never in ``Action`` or in keys);
* ``${*}``, ``${?}`` and ``${$}`` stand for the literal characters;
* a default value may follow a comma: ``${aws:username, 'guest'}``;
* a variable whose key is absent from the request (and has no default) makes
  that one value match nothing; variable names are case-insensitive.

A parsed value is a ``Template``: a tuple of parts ``(kind, text)`` where kind
is ``PATTERN`` (policy text, wildcards active), ``LITERAL`` (a special
character) or ``VARIABLE`` (``text`` is the lower-cased key; ``default`` set).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sekisho.policy.wildcard import Part

ContextValue = str | tuple[str, ...]
Context = Mapping[str, ContextValue]

_VAR = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s][^,]*?)\s*,\s*'([^']*)'\s*$")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    """A ``${key}`` or ``${key, 'default'}`` reference (key lower-cased)."""

    key: str
    default: str | None


@dataclass(frozen=True, slots=True)
class Literal:
    """Text that matches itself only (``${*}``, ``${?}``, ``${$}``)."""

    text: str


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string with variables (see the module docstring)."""

    parts: tuple[str | Variable | Literal, ...]

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(p for p in self.parts if isinstance(p, Variable))

    def resolve(self, context: Context) -> tuple[Part, ...] | None:
        """Substitute ``context`` (lower-cased keys); ``None`` if undefined."""
        out: list[Part] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append((True, part))
            elif isinstance(part, Literal):
                out.append((False, part.text))
            else:
                value = context.get(part.key)
                if isinstance(value, str):
                    out.append((False, value))
                elif part.default is not None:
                    out.append((False, part.default))
                else:
                    # Absent or multivalued: the value matches nothing.
                    return None
        return tuple(out)


def parse_template(text: str) -> Template | None:
    """Parse ``text``; ``None`` when it holds no ``${...}`` reference.

    A ``${...}`` that is not a valid reference is kept as policy text.
    """
    if "${" not in text:
        return None
    parts: list[str | Variable | Literal] = []
    pos = 0
    for m in _VAR.finditer(text):
        body = m.group(1)
        item: Variable | Literal | None
        item = Literal(_SPECIAL[body]) if body in _SPECIAL else _variable(body)
        if item is None:
            continue
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        parts.append(item)
        pos = m.end()
    if not parts:
        return None
    if pos < len(text):
        parts.append(text[pos:])
    return Template(tuple(parts))


def _variable(body: str) -> Variable | None:
    m = _DEFAULT.match(body)
    if m:
        return Variable(m.group(1).strip().lower(), m.group(2))
    key = body.strip()
    if not key or "," in key or "'" in key or " " in key:
        return None
    return Variable(key.lower(), None)
