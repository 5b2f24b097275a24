"""AWS's Query protocol vectors, run by one generic runner (see tests/data/query-protocol).

Input cases: the serialized body parses back, through `query`, into the
case's params. Output cases: `serialize` writes XML that botocore's own
`QueryParser` reads back as the case's result (errors: code, message, type and
status). Cases that describe client-only behaviour are listed in
`NOT_FOR_A_SERVER` with their reason; a test checks the list names real cases.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.model import ServiceModel
from botocore.parsers import QueryParser

from sekisho import errors
from sekisho.protocol.query import params_from_pairs, parse_pairs
from sekisho.protocol.serialize import serialize_error, serialize_result
from sekisho.protocol.service import operation_from_model
from tests.protocol.expected import native, same

DATA = Path(__file__).parent.parent / "data" / "query-protocol"

GZIP = "the SDK gzips the body; the vector holds no body"
NOT_FOR_A_SERVER = {
    "SDKAppliedContentEncoding_awsQuery": GZIP,
    "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery": GZIP,
    "QueryProtocolIdempotencyTokenAutoFill": (
        "the SDK invents the token; a server parses it as any string (see ...IsSet)"
    ),
    "QueryEmptyQueryMaps": (
        "an empty map leaves no trace on the wire, so a server can only see it absent"
    ),
    "QueryComplexError": (
        "error members besides Code and Message: AwsError carries a message only, "
        "and no IAM or STS error shape declares other members"
    ),
}


# Members where botocore's parser cannot read AWS's own XML of the vector
# (it looks a flattened list up under its member's locationName, `item`, while
# AWS repeats the list's own name). For these, Sekisho's XML must read back as
# botocore reads AWS's XML, which keeps the comparison against AWS's bytes.
BOTOCORE_READS_DIFFERENTLY = {
    "QueryXmlLists": frozenset({"flattenedList", "flattenedList2"}),
}


def _cases(name: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    suites = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [(suite, case) for suite in suites for case in suite["cases"]]


def _applicable(cases: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[
        tuple[dict[str, Any], dict[str, Any]]]:
    return [(suite, case) for suite, case in cases if case["id"] not in NOT_FOR_A_SERVER]


ALL_INPUT = _cases("input-query.json")
ALL_OUTPUT = _cases("output-query.json")
# The runner takes every case except those listed (with reasons) above.
INPUT = _applicable(ALL_INPUT)
OUTPUT = _applicable(ALL_OUTPUT)


def _model(suite: dict[str, Any], case: dict[str, Any]) -> ServiceModel:
    given = copy.deepcopy(case["given"])
    if "output" in given:
        # awsQuery always wraps the result in <{Operation}Result> (Smithy awsQuery
        # spec); botocore's parser finds that element only through resultWrapper.
        given["output"].setdefault("resultWrapper", given["name"] + "Result")
    description = {
        "metadata": suite["metadata"],
        "shapes": suite["shapes"],
        "operations": {given["name"]: given},
    }
    return ServiceModel(description, service_name="conformance")


def _ids(cases: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[str]:
    return [case["id"] for _, case in cases]


def test_every_listed_exception_names_a_real_case() -> None:
    assert set(NOT_FOR_A_SERVER) <= set(_ids(ALL_INPUT)) | set(_ids(ALL_OUTPUT))
    assert set(BOTOCORE_READS_DIFFERENTLY) <= set(_ids(OUTPUT))


@pytest.mark.parametrize(("suite", "case"), INPUT, ids=_ids(INPUT))
def test_input_case_parses_back_into_its_params(
    suite: dict[str, Any], case: dict[str, Any]
) -> None:
    model = _model(suite, case).operation_model(case["given"]["name"])
    op = operation_from_model(model, "conformance", "")
    pairs = parse_pairs(case["serialized"]["body"].encode("utf-8"))
    params = params_from_pairs(pairs, op)
    expected = native(case["params"], model.input_shape) if model.input_shape else {}
    assert same(params, expected), (params, expected)


@pytest.mark.parametrize(("suite", "case"), OUTPUT, ids=_ids(OUTPUT))
def test_output_case_serializes_to_xml_botocore_reads_back(
    suite: dict[str, Any], case: dict[str, Any]
) -> None:
    model = _model(suite, case).operation_model(case["given"]["name"])
    op = operation_from_model(model, "conformance", "https://example.com/")
    if "error" in case:
        _check_error_case(model, case)
        return
    shape = model.output_shape
    result = native(case["result"], shape) if shape is not None else None
    body = serialize_result(op, result, "request-1")
    parsed = QueryParser().parse({"body": body, "status_code": 200, "headers": {}}, shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "request-1"
    expected = dict(result or {})
    differing = BOTOCORE_READS_DIFFERENTLY.get(case["id"], frozenset())
    if differing:
        aws_body = case["response"]["body"].encode("utf-8")
        as_aws = QueryParser().parse({"body": aws_body, "status_code": 200, "headers": {}}, shape)
        for name in differing:
            expected.pop(name, None)
            if name in as_aws:
                expected[name] = as_aws[name]
    assert same(parsed, expected), (parsed, expected)


def _check_error_case(model: Any, case: dict[str, Any]) -> None:
    (error_ref,) = model.error_shapes
    declared = error_ref.metadata.get("error", {})
    error_class = type(
        "VectorError",
        (errors.AwsError,),
        {
            "code": declared.get("code", error_ref.name),
            "status": declared.get("httpStatusCode", 400),
            "sender_fault": declared.get("senderFault", True),
        },
    )
    err = error_class(case["errorMessage"] or "")
    body = serialize_error(err, "request-1", "https://example.com/")
    status = case["response"]["status_code"]
    assert err.status == status
    parsed = QueryParser().parse({"body": body, "status_code": status, "headers": {}}, None)
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": case["errorCode"],
        "Message": case["errorMessage"],
    }
    assert parsed["ResponseMetadata"]["RequestId"] == "request-1"
