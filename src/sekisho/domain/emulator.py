"""Emulator mode: drop-in for the places where test suites run moto's server or LocalStack.

Rules (only with `Settings.emulator`, never by default):

- A request signed with an access key id the server does not know is the root
  user of an account, and its signature is not checked: the account is the
  default one (`Settings.emulator_account`, 123456789012 unless configured),
  or, when the key id is itself a twelve-digit number, the account with that
  id. Either is created on first use.
- Keys the server knows (IAM users' keys, root keys, temporary credentials it
  issued) are checked exactly as outside emulator mode, so principals created
  during a test are authenticated and authorized for real.
- `POST /moto-api/reset` and `POST /_sekisho/reset` wipe all state
  (`store.reset.wipe`); the accounts come back on first use afterwards.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime

from sekisho.domain import arns
from sekisho.domain.principal import Caller
from sekisho.store.changes import ChangeWatch
from sekisho.store.errors import Conflict, Contention
from sekisho.store.reset import insert_fresh_account, wipe
from sekisho.store.sql import Store

DEFAULT_ACCOUNT = "123456789012"
# The paths moto's server mode and Sekisho answer a reset on.
RESET_PATHS = frozenset({"/moto-api/reset", "/_sekisho/reset"})


def account_for_key(access_key_id: str, default_account: str) -> str:
    """The account an unknown key stands for: the key id itself when it is a twelve-digit
    number, else `default_account`."""
    if len(access_key_id) == 12 and access_key_id.isascii() and access_key_id.isdigit():
        return access_key_id
    return default_account


class Emulator:
    """Callers for unknown keys, creating their accounts on first use, and the reset.

    Which accounts exist is remembered in the process until the store's change token
    moves (any write, a reset included, by any worker); then it is read again.
    """

    def __init__(self, store: Store, changes: ChangeWatch, partition: str,
                 default_account: str = DEFAULT_ACCOUNT) -> None:
        self._store = store
        self._changes = changes
        self._partition = partition
        self.default_account = default_account
        self._known: set[str] = set()
        self._token: object = None
        self._lock = threading.Lock()

    def root_caller(self, access_key_id: str, now: datetime) -> Caller:
        """The root user of the account `access_key_id` stands for; creates the account if
        it does not exist. Raises what the store raises when it cannot be written."""
        account_id = account_for_key(access_key_id, self.default_account)
        self._ensure_account(account_id, now)
        return Caller("root", account_id, arns.root(self._partition, account_id), account_id,
                      access_key_id)

    def _ensure_account(self, account_id: str, now: datetime) -> None:
        token = self._changes.token()
        with self._lock:
            if token != self._token:
                self._known.clear()
                self._token = token
            if account_id in self._known:
                return
        with self._store.read() as tx:
            exists = tx.get_account(account_id) is not None
        if not exists:
            # Conflict or Contention: another worker created it first; it exists either way.
            with contextlib.suppress(Conflict, Contention), self._store.write() as tx:
                insert_fresh_account(tx, account_id, now)
        # Remember the account under the token seen now that it exists: the token read
        # before may be an empty store's, which comes back after every reset.
        after = self._changes.token()
        with self._lock:
            if after != self._token:
                self._known.clear()
                self._token = after
            self._known.add(account_id)

    def reset(self) -> None:
        """Wipes every account, principal, policy, key and session key of the store."""
        wipe(self._store)
        with self._lock:
            self._known.clear()
