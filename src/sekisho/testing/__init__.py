"""Sekisho for test suites: a real server per test session, and principals with policies.

`sekisho.testing.pytest_plugin` is the pytest plugin (loaded through the
`pytest11` entry point); `start_server` and `create_principal` serve any
other test runner. Importing this package imports the standard library only.
"""

from sekisho.testing.principal import Principal, create_principal
from sekisho.testing.server import SekishoServer, ServerStartError, start_server

__all__ = ["Principal", "SekishoServer", "ServerStartError", "create_principal",
           "start_server"]
