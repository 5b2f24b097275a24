"""Every error class of `sekisho.errors` agrees with the pinned service models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sekisho import errors

MODELS = Path(errors.__file__).parent / "protocol" / "models"

# Errors common to all Query services, defined by hand (IAM/STS "Common Errors");
# everything else in sekisho.errors must be declared by one of the models.
COMMON = {
    "AccessDenied",
    "ValidationError",
    "InvalidAction",
    "MissingAction",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "MissingAuthenticationToken",
    "RequestExpired",
    "ExpiredToken",
    "MalformedQueryString",
    "InvalidParameterValue",
    "InvalidParameterCombination",
    "MissingParameter",
    "InvalidQueryParameter",
    "Throttling",
    "InternalFailure",
    "ServiceUnavailable",
    "RequestEntityTooLarge",
    "InvalidHttpRequest",
    "OptInRequired",
    "NotImplemented",
}


def _declared() -> dict[str, list[tuple[str, int, bool]]]:
    """Wire code -> [(model, HTTP status, sender fault)] over both models."""
    found: dict[str, list[tuple[str, int, bool]]] = {}
    for path in sorted(MODELS.glob("*.json")):
        shapes: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["shapes"]
        for name, shape in shapes.items():
            if shape.get("exception"):
                error = shape.get("error", {})
                status = error.get("httpStatusCode", 400)
                sender = error.get("senderFault", status < 500)
                found.setdefault(error.get("code", name), []).append((path.stem, status, sender))
    return found


def _classes() -> list[type[errors.AwsError]]:
    seen: list[type[errors.AwsError]] = []
    pending = [errors.AwsError]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub.__module__ == errors.__name__ and not sub.__name__.startswith("_"):
                seen.append(sub)
            pending.append(sub)
    return seen


DECLARED = _declared()
MODELLED = [cls for cls in _classes() if cls.code not in COMMON]


@pytest.mark.parametrize("cls", MODELLED, ids=lambda cls: cls.__name__)
def test_modelled_error_matches_its_model_code_status_and_fault(
    cls: type[errors.AwsError],
) -> None:
    assert cls.code in DECLARED, f"{cls.code} is declared by neither model"
    for model, status, sender in DECLARED[cls.code]:
        assert (cls.status, cls.sender_fault) == (status, sender), model


@pytest.mark.parametrize("cls", [c for c in _classes() if c.code in COMMON], ids=str)
def test_common_error_is_not_contradicted_by_a_model(cls: type[errors.AwsError]) -> None:
    for _model, status, _sender in DECLARED.get(cls.code, []):
        assert cls.status == status
