"""The pytest plugin (entry point `sekisho` in the `pytest11` group).

Fixtures:

- `sekisho_server` (session): a real Sekisho server on a free local port, in
  the mode the `--sekisho-mode` flag or the `sekisho_mode` ini option names
  (`emulator`, the default, or `enforce`), with `--sekisho-enforcement` /
  `sekisho_enforcement` (`enforce`, `audit`, `off`).
- `iam_client`, `sts_client`: boto3 clients signed as the root user of the
  server's default account.
- `sekisho_principal`: a factory, `sekisho_principal(policies=[...],
  boundary=None) -> Principal`, whose result has `.client("iam")` etc.
- `sekisho_reset`: wipes all state before the test (emulator mode only).

A test (or module, or class) marked `@pytest.mark.sekisho(mode="enforce",
enforcement="audit")` gets a server started with those settings from the
function-scoped fixtures (`iam_client`, `sts_client`, `sekisho_principal`,
`sekisho_reset`); servers are started once per session per setting and shared.

Loading the plugin imports the standard library only; the server starts when a
test first asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from sekisho.testing.principal import PolicyLike, Principal, create_principal
from sekisho.testing.server import SekishoServer, start_server

MODES = ("emulator", "enforce")
ENFORCEMENTS = ("enforce", "audit", "off")
ServerKey = tuple[bool, str]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sekisho", "Sekisho IAM/STS server")
    group.addoption("--sekisho-mode", choices=MODES, default=None,
                    help="emulator (unknown keys are root; reset endpoint) or enforce "
                         "(only keys the server issued). Default: the sekisho_mode ini "
                         "option, else emulator.")
    group.addoption("--sekisho-enforcement", choices=ENFORCEMENTS, default=None,
                    help="enforce, audit or off. Default: the sekisho_enforcement ini "
                         "option, else enforce.")
    parser.addini("sekisho_mode", "emulator or enforce (default emulator)", default="emulator")
    parser.addini("sekisho_enforcement", "enforce, audit or off (default enforce)",
                  default="enforce")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "sekisho(mode=None, enforcement=None): run the test against a Sekisho server in this "
        "mode (emulator|enforce) and enforcement (enforce|audit|off)")


def _checked(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise pytest.UsageError(f"{what} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _configured(config: pytest.Config) -> ServerKey:
    mode = config.getoption("--sekisho-mode") or str(config.getini("sekisho_mode"))
    enforcement = (config.getoption("--sekisho-enforcement")
                   or str(config.getini("sekisho_enforcement")))
    return (_checked(mode, MODES, "sekisho mode") == "emulator",
            _checked(enforcement, ENFORCEMENTS, "sekisho enforcement"))


class ServerPool:
    """Servers of one session, one per (emulator, enforcement), started on first use."""

    def __init__(self, base_dir: Path) -> None:
        self._base_dir = base_dir
        self._servers: dict[ServerKey, SekishoServer] = {}

    def get(self, key: ServerKey) -> SekishoServer:
        server = self._servers.get(key)
        if server is None:
            emulator, enforcement = key
            name = f"{'emulator' if emulator else 'enforce'}-{enforcement}"
            server = start_server(self._base_dir / name / "data", emulator=emulator,
                                  enforcement=enforcement)
            self._servers[key] = server
        return server

    def stop_all(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


@pytest.fixture(scope="session")
def sekisho_server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    """Every server this session started; all are stopped when it ends."""
    pool = ServerPool(tmp_path_factory.mktemp("sekisho"))
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture(scope="session")
def sekisho_server(request: pytest.FixtureRequest,
                   sekisho_server_pool: ServerPool) -> SekishoServer:
    """The session's server, in the mode the command line or ini file chose."""
    return sekisho_server_pool.get(_configured(request.config))


def _marked(request: pytest.FixtureRequest) -> ServerKey:
    emulator, enforcement = _configured(request.config)
    marker = request.node.get_closest_marker("sekisho")
    if marker is None:
        return emulator, enforcement
    mode = marker.kwargs.get("mode")
    if mode is not None:
        emulator = _checked(mode, MODES, "sekisho marker mode") == "emulator"
    given = marker.kwargs.get("enforcement")
    if given is not None:
        enforcement = _checked(given, ENFORCEMENTS, "sekisho marker enforcement")
    return emulator, enforcement


@pytest.fixture
def sekisho_active_server(request: pytest.FixtureRequest,
                          sekisho_server_pool: ServerPool) -> SekishoServer:
    """The server for this test: the session's, or the one its `sekisho` marker asks for."""
    return sekisho_server_pool.get(_marked(request))


@pytest.fixture
def sekisho_reset(sekisho_active_server: SekishoServer) -> SekishoServer:
    """Wipes all state before the test (emulator mode; an error otherwise)."""
    sekisho_active_server.reset()
    return sekisho_active_server


@pytest.fixture
def iam_client(sekisho_active_server: SekishoServer) -> Any:
    """A boto3 IAM client signed as the root user of the server's default account."""
    return sekisho_active_server.client("iam")


@pytest.fixture
def sts_client(sekisho_active_server: SekishoServer) -> Any:
    """A boto3 STS client signed as the root user of the server's default account."""
    return sekisho_active_server.client("sts")


PrincipalFactory = Callable[..., Principal]


@pytest.fixture
def sekisho_principal(sekisho_active_server: SekishoServer) -> PrincipalFactory:
    """`sekisho_principal(policies=[...], boundary=None, name=None) -> Principal`: a new
    IAM user in the default account with those policies (documents or ARNs)."""
    admin = sekisho_active_server.client("iam")

    def make(policies: Sequence[PolicyLike] = (), boundary: PolicyLike | None = None,
             name: str | None = None) -> Principal:
        return create_principal(admin, sekisho_active_server.endpoint_url, policies, boundary,
                                name, sekisho_active_server.region)

    return make
