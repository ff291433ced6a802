"""Logged-in browser state, one per portal account, shared by every worker.

Signing in costs a page and a form; a batch of hundreds of refunds signs in once per
account. The state is kept in memory and in a file only its owner can read, so the next
CLI run starts logged in too. A worker whose session expired asks for a renewal; if
another worker already renewed it, the newer state is handed over instead of a second
login.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portalpilot._errors import LoginRejected

StorageState = dict[str, Any]


@dataclass(frozen=True)
class Account:
    portal: str
    base_url: str
    email: str

    @property
    def key(self) -> str:
        digest = hashlib.sha256(f"{self.base_url}|{self.email}".encode()).hexdigest()[:16]
        return f"{self.portal}-{digest}"


@dataclass(frozen=True)
class Session:
    state: StorageState
    version: int  # which login produced it; a renewal of an old version is not needed


class SessionStore:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sessions: dict[str, Session] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._rejected: dict[str, LoginRejected] = {}
        self.logins = 0  # how many times this store signed in (reported by benchmarks)

    def _lock(self, account: Account) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(account.key, threading.Lock())

    def _path(self, account: Account) -> Path:
        return self._folder / f"{account.key}.json"

    def get(self, account: Account, sign_in: Callable[[], StorageState]) -> Session:
        """The current session, signing in (once, whoever asks first) if there is none."""
        with self._lock(account):
            session = self._sessions.get(account.key)
            if session is None:
                saved = self._load(account)
                session = Session(saved, 0) if saved else self._sign_in(account, sign_in, 0)
                self._sessions[account.key] = session
            return session

    def renew(
        self, account: Account, stale: Session, sign_in: Callable[[], StorageState]
    ) -> Session:
        """A fresh session to replace `stale`, signing in only if nobody did meanwhile."""
        with self._lock(account):
            current = self._sessions.get(account.key)
            if current is not None and current.version > stale.version:
                return current
            session = self._sign_in(account, sign_in, stale.version + 1)
            self._sessions[account.key] = session
            return session

    def forget(self, account: Account) -> None:
        with self._lock(account):
            self._sessions.pop(account.key, None)
            self._path(account).unlink(missing_ok=True)

    def _sign_in(
        self, account: Account, sign_in: Callable[[], StorageState], version: int
    ) -> Session:
        # A rejected login is remembered: another worker trying the same password again
        # would count towards the portal's lock-out.
        if account.key in self._rejected:
            raise self._rejected[account.key]
        try:
            state = sign_in()
        except LoginRejected as error:
            self._rejected[account.key] = error
            raise
        self.logins += 1
        self._save(account, state)
        return Session(state, version)

    def _load(self, account: Account) -> StorageState | None:
        try:
            return json.loads(self._path(account).read_text())
        except (OSError, ValueError):
            return None

    def _save(self, account: Account, state: StorageState) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self._folder, 0o700)
        path = self._path(account)
        tmp = path.with_suffix(".tmp")
        # Created 0600 from the start: a session cookie is as good as the password.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(state, handle)
        os.replace(tmp, path)
