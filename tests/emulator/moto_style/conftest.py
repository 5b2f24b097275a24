"""The set-up a suite written for moto's server mode has, pointed at Sekisho.

moto's own server-mode suites export fake credentials (`FOOBARKEY`), build
boto3 clients with `endpoint_url`, and POST `/moto-api/reset` before each
test. Only the process that answers differs: a Sekisho server in emulator mode.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator

import pytest

from sekisho.testing.server import start_server

# Not SEKISHO_*: that prefix belongs to the server's settings, where unknown names are errors.
ENDPOINT_VARIABLE = "MOTO_STYLE_ENDPOINT"


# Package scope: the fake credentials leave the environment when this suite is done.
@pytest.fixture(scope="package", autouse=True)
def sekisho_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_server(tmp_path_factory.mktemp("moto-style") / "data", emulator=True)
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                             "AWS_DEFAULT_REGION", ENDPOINT_VARIABLE)}
    os.environ.update(AWS_ACCESS_KEY_ID="FOOBARKEY", AWS_SECRET_ACCESS_KEY="FOOBARSECRET",
                      AWS_DEFAULT_REGION="us-east-1")
    os.environ[ENDPOINT_VARIABLE] = server.endpoint_url
    try:
        yield server.endpoint_url
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(autouse=True)
def reset_server(sekisho_endpoint: str) -> None:
    request = urllib.request.Request(sekisho_endpoint + "/moto-api/reset", method="POST",
                                     data=b"")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


def endpoint() -> str:
    return os.environ[ENDPOINT_VARIABLE]


