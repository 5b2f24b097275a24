"""AWS's SigV4 test suite, run by one generic runner.

Every case of `tests/data/sigv4/` (the suite botocore ships, including the
cases botocore itself skips: duplicate header keys, multi-line values, UTF-8
paths and the normalize-path group) must:

- rebuild exactly the suite's canonical request (`.creq`) and string to sign
  (`.sts`) from the raw signed request (`.sreq`);
- verify with the suite's key, secret and time;
- fail to verify once any single byte of a signed part changes: the method,
  the path, the query, each signed header value (the date among them), the
  body and the signature.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from botocore.utils import remove_dot_segments
from sigv4_support import (
    SUITE_DIR,
    SUITE_SECRET,
    SUITE_TIME,
    RawRequest,
    authorization_index,
    flipped,
    load_case,
    signed_header_indexes,
    suite_cases,
)

from sekisho.auth.sigv4 import verify_signature
from sekisho.errors import AwsError

CASES = suite_cases()
CASE_IDS = [str(path.parent.relative_to(SUITE_DIR)) for path in CASES]

# The suite's own data is wrong here: this `.sreq` carries the signature of
# normalize-path/get-relative, while its `.authz` holds the right one. The
# runner signs this case with its `.authz`; `test_known_defect_*` pins both facts.
SREQ_WITH_WRONG_SIGNATURE = {"get-vanilla-with-session-token"}


def signed_case(sreq: Path) -> RawRequest:
    """The case's signed request, with a known-wrong signature replaced by the `.authz`."""
    request = load_case(sreq)
    if sreq.parent.name in SREQ_WITH_WRONG_SIGNATURE:
        authz = sreq.with_suffix(".authz").read_bytes().strip()
        request = request.with_header(authorization_index(request), authz)
    return request


def verifies(request: RawRequest) -> bool:
    try:
        verify_signature(request.parse(), SUITE_SECRET, SUITE_TIME)
    except AwsError:
        return False
    return True


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


def test_suite_has_every_case() -> None:
    assert len(CASES) == 34


def test_canonical_request_is_the_suites(case: Path) -> None:
    parsed = signed_case(case).parse()
    assert parsed.canonical_request() == case.with_suffix(".creq").read_bytes()


def test_string_to_sign_is_the_suites(case: Path) -> None:
    parsed = signed_case(case).parse()
    assert parsed.string_to_sign() == case.with_suffix(".sts").read_bytes()


def test_signed_request_verifies(case: Path) -> None:
    verify_signature(signed_case(case).parse(), SUITE_SECRET, SUITE_TIME)


def test_signed_request_reports_the_credentials(case: Path) -> None:
    parsed = signed_case(case).parse()
    assert (parsed.access_key_id, parsed.scope_date, parsed.region, parsed.service) == (
        "AKIDEXAMPLE",
        "20150830",
        "us-east-1",
        "service",
    )
    assert parsed.request_time == SUITE_TIME
    assert not parsed.presigned


def test_changed_method_fails(case: Path) -> None:
    request = signed_case(case)
    for _, method in flipped(request.method.encode()):
        assert not verifies(replace(request, method=method.decode())), method


def test_changed_path_fails_unless_normalization_removes_the_change(case: Path) -> None:
    # A byte inside a segment that a later `..` removes is not signed: the
    # normalized path is. Expect a failure exactly when the normalized path
    # (botocore's own normalization as the oracle) changes.
    request = signed_case(case)
    original = _normalized(request.path)
    for index, path in flipped(request.path):
        mutated = RawRequest(request.method, path, request.query, request.headers, request.body)
        assert verifies(mutated) == (_normalized(path) == original), (index, path)


def test_changed_query_fails(case: Path) -> None:
    request = signed_case(case)
    for index, query in flipped(request.query):
        mutated = RawRequest(request.method, request.path, query, request.headers, request.body)
        assert not verifies(mutated), (index, query)


def test_changed_signed_header_value_fails(case: Path) -> None:
    request = signed_case(case)
    indexes = signed_header_indexes(request, request.parse().signed_headers)
    assert indexes
    for header_index in indexes:
        for byte_index, value in flipped(request.headers[header_index][1]):
            mutated = request.with_header(header_index, value)
            assert not verifies(mutated), (request.headers[header_index][0], byte_index, value)


def test_changed_body_fails(case: Path) -> None:
    request = signed_case(case)
    for index, body in flipped(request.body):
        mutated = RawRequest(request.method, request.path, request.query, request.headers, body)
        assert not verifies(mutated), (index, body)


def test_changed_signature_fails(case: Path) -> None:
    request = signed_case(case)
    auth_index = authorization_index(request)
    authorization = request.headers[auth_index][1]
    start = authorization.index(b"Signature=") + len(b"Signature=")
    for index, value in flipped(authorization):
        if index >= start:
            assert not verifies(request.with_header(auth_index, value)), (index, value)


def test_known_defect_sreq_signature_differs_from_authz() -> None:
    for name in SREQ_WITH_WRONG_SIGNATURE:
        sreq = SUITE_DIR / name / f"{name}.sreq"
        request = load_case(sreq)
        authz = sreq.with_suffix(".authz").read_bytes().strip()
        assert request.headers[authorization_index(request)][1] != authz


def test_known_defect_sreq_as_shipped_is_rejected() -> None:
    for name in SREQ_WITH_WRONG_SIGNATURE:
        assert not verifies(load_case(SUITE_DIR / name / f"{name}.sreq"))


def _normalized(path: bytes) -> str:
    text = path.decode("latin-1")
    return remove_dot_segments(text) if text else "/"
