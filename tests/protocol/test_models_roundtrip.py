"""Every IAM and STS operation, through real clients' code and back.

Inputs: botocore's `QuerySerializer` encodes generated parameters, Sekisho's
parser must read them back unchanged. Outputs: Sekisho serializes generated
results, botocore's `QueryParser` must read them back unchanged (policy
documents come back URL-encoded, as AWS sends them, see quirks.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from botocore.model import Shape
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sekisho.protocol import quirks
from sekisho.protocol.query import params_from_pairs, parse_pairs
from sekisho.protocol.serialize import serialize_result
from sekisho.protocol.service import load_service
from tests.protocol.expected import same

OPERATIONS = [
    (name, action)
    for name in ("iam", "sts")
    for action in sorted(load_service(name).operation_names)
]
# XML 1.0 carries no C0 controls but tab, LF and CR, no surrogates, no U+FFFE/U+FFFF.
XML_TEXT = st.text(
    st.characters(
        blacklist_categories=["Cs"],
        blacklist_characters="".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
        + "\ufffe\uffff",
    ),
    max_size=12,
)
SETTINGS = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def values(shape: Shape, depth: int, nested: bool) -> st.SearchStrategy[Any]:
    """Values of `shape`; `nested` structures and maps are never empty (they would vanish)."""
    kind = shape.type_name
    if kind == "structure":
        if depth > 5:
            return st.nothing()
        members = {n: values(m, depth + 1, True) for n, m in shape.members.items()}
        structs = st.fixed_dictionaries({}, optional=members)
        return structs.filter(bool) if nested and members else structs
    if kind == "list":
        return st.lists(values(shape.member, depth, True), max_size=3)
    if kind == "map":
        return st.dictionaries(
            XML_TEXT, values(shape.value, depth, True), min_size=1 if nested else 0, max_size=3
        )
    if kind == "string":
        return st.sampled_from(shape.enum) if shape.enum else XML_TEXT
    if kind == "integer":
        return st.integers(-(2**31), 2**31 - 1)
    if kind == "long":
        return st.integers(-(2**63), 2**63 - 1)
    if kind == "boolean":
        return st.booleans()
    if kind == "timestamp":
        return st.datetimes(datetime(1970, 1, 2), datetime(2200, 1, 1), timezones=st.just(UTC))
    if kind == "blob":
        return st.binary(max_size=12)
    raise AssertionError(kind)


def _decode_documents(value: Any, shape: Shape, encoded: frozenset[str]) -> Any:
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {k: _decode_documents(v, shape.members[k], encoded) for k, v in value.items()}
    if kind == "list":
        return [_decode_documents(v, shape.member, encoded) for v in value]
    if kind == "map":
        return {k: _decode_documents(v, shape.value, encoded) for k, v in value.items()}
    if kind == "string" and shape.name in encoded:
        return unquote(value)
    return value


def _drop_omitted(value: Any, shape: Shape, omit: dict[str, frozenset[str]]) -> Any:
    kind = shape.type_name
    if kind == "structure":
        left_out = omit.get(shape.name, frozenset())
        return {
            k: _drop_omitted(v, shape.members[k], omit)
            for k, v in value.items()
            if k not in left_out
        }
    if kind == "list":
        return [_drop_omitted(v, shape.member, omit) for v in value]
    if kind == "map":
        return {k: _drop_omitted(v, shape.value, omit) for k, v in value.items()}
    return value


@pytest.mark.parametrize(("service", "action"), OPERATIONS)
def test_input_serialized_by_botocore_parses_back(service: str, action: str) -> None:
    op = load_service(service).operation(action)
    model = load_service(service).model.operation_model(action)
    if op.input_shape is None:
        assert params_from_pairs(parse_pairs(b"Action=" + action.encode()), op) == {}
        return

    @SETTINGS
    @given(values(op.input_shape, 0, False))
    def check(params: dict[str, Any]) -> None:
        request = QuerySerializer().serialize_to_request(params, model)
        body = urlencode(request["body"], doseq=True).encode("utf-8")
        assert same(params_from_pairs(parse_pairs(body), op), params)

    check()


@pytest.mark.parametrize(("service", "action"), OPERATIONS)
def test_output_serialized_by_sekisho_parses_back_in_botocore(service: str, action: str) -> None:
    op = load_service(service).operation(action)
    shape = load_service(service).model.operation_model(action).output_shape
    if shape is None:
        body = serialize_result(op, None, "r-1")
        assert (
            QueryParser().parse({"body": body, "status_code": 200, "headers": {}}, None)[
                "ResponseMetadata"
            ]["RequestId"]
            == "r-1"
        )
        return
    encoded = quirks.URL_ENCODED_SHAPES[service]
    omit = dict(quirks.omissions_for(service, action))

    @SETTINGS
    @given(values(shape, 0, False))
    def check(result: dict[str, Any]) -> None:
        body = serialize_result(op, result, "r-1")
        parsed = QueryParser().parse({"body": body, "status_code": 200, "headers": {}}, shape)
        assert parsed.pop("ResponseMetadata")["RequestId"] == "r-1"
        expected = _drop_omitted(result, shape, omit)
        assert same(_decode_documents(parsed, shape, encoded), expected)

    check()
