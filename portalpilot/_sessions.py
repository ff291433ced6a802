"""Logged-in browser state, one per portal account, shared by every worker and process.

Signing in costs a page and a form; a batch of hundreds of refunds signs in once per
account. The state is kept in memory and in a file only its owner can read, so the next
CLI run starts logged in too. A worker whose session expired asks for a renewal; if
another worker already renewed it, the newer state is handed over instead of a second
login.

A saved session is bound to the credentials that made it (a salted scrypt hash, never
the password): after the password changes, the old cookies are not used, the new
password is tried, and so checked, at once. A rejected login is remembered on disk for
those credentials, so no later run, in any process, adds another failed login towards
the portal's lock-out until the credentials change. Sign-ins of one account are
serialised across processes by a lock file (`fcntl.flock`).
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from portalpilot._errors import LoginRejected

StorageState = dict[str, Any]

# A locked account opens again after a while (15 minutes on the portals we know); a
# wrong password does not, so it is remembered until the credentials change.
LOCK_REMEMBERED = timedelta(minutes=15)


@dataclass(frozen=True)
class Account:
    portal: str
    base_url: str
    email: str
    password: SecretStr = field(default=SecretStr(""), compare=False, repr=False)

    @property
    def key(self) -> str:
        digest = hashlib.sha256(f"{self.base_url}|{self.email}".encode()).hexdigest()[:16]
        return f"{self.portal}-{digest}"


@dataclass(frozen=True)
class Session:
    state: StorageState
    version: int  # which login produced it; a renewal of an old version is not needed


def _digest(account: Account, salt: bytes) -> str:
    # scrypt: a stolen session file does not give the password away to a dictionary.
    secret = f"{account.base_url}|{account.email}|{account.password.get_secret_value()}"
    return hashlib.scrypt(secret.encode(), salt=salt, n=2**14, r=8, p=1).hex()


def _binding(account: Account) -> dict[str, str]:
    salt = secrets.token_bytes(16)
    return {"salt": salt.hex(), "digest": _digest(account, salt)}


def _bound_to(record: dict[str, Any], account: Account) -> bool:
    binding = record.get("binding")
    if not isinstance(binding, dict):
        return False  # a file of an older version: its credentials are unknown
    try:
        salt = bytes.fromhex(binding["salt"])
    except (KeyError, TypeError, ValueError):
        return False
    return hmac.compare_digest(str(binding.get("digest", "")), _digest(account, salt))


class SessionStore:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._sessions: dict[str, Session] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.logins = 0  # how many times this store signed in (reported by benchmarks)

    def _lock(self, account: Account) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(account.key, threading.Lock())

    def _path(self, account: Account, kind: str = "session") -> Path:
        return self._folder / f"{account.key}.{kind}.json"

    @contextmanager
    def _signing_in(self, account: Account) -> Iterator[None]:
        """This thread's lock, then the account's lock file: one sign-in at a time."""
        with self._lock(account):
            self._prepare_folder()
            lock = self._folder / f"{account.key}.lock"
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # releases the flock

    def get(self, account: Account, sign_in: Callable[[], StorageState]) -> Session:
        """The current session, signing in (once, whoever asks first) if there is none."""
        with self._signing_in(account):
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
        with self._signing_in(account):
            current = self._sessions.get(account.key)
            if current is not None and current.version > stale.version:
                return current
            saved = self._load(account)  # another process may have signed in meanwhile
            if saved is not None and saved != stale.state:
                session = Session(saved, stale.version + 1)
            else:
                session = self._sign_in(account, sign_in, stale.version + 1)
            self._sessions[account.key] = session
            return session

    def sign_in_now(self, account: Account, sign_in: Callable[[], StorageState]) -> Session:
        """Sign in whatever is saved (`doctor --login` checks the credentials themselves);
        a login the portal rejected before, with these credentials, is not tried again."""
        with self._signing_in(account):
            current = self._sessions.get(account.key)
            session = self._sign_in(account, sign_in, current.version + 1 if current else 0)
            self._sessions[account.key] = session
            return session

    def rejection(self, account: Account) -> LoginRejected | None:
        """The portal's earlier answer to these very credentials, if it said no."""
        record = self._read(self._path(account, "rejected"))
        if record is None or not _bound_to(record, account):
            return None
        at = str(record.get("at", ""))
        if record.get("status") == "account_locked":
            try:
                if datetime.fromisoformat(at) + LOCK_REMEMBERED < datetime.now():
                    return None
            except ValueError:
                return None
        variable = f"PORTALPILOT_{account.portal.upper()}__PASSWORD"
        return LoginRejected(
            f"{record.get('message', 'login rejected')} (at {at[:16].replace('T', ' ')}); not "
            f"tried again with the same credentials: check the password in {variable}",
            status=str(record.get("status") or "login_rejected"),
        )

    def _sign_in(
        self, account: Account, sign_in: Callable[[], StorageState], version: int
    ) -> Session:
        earlier = self.rejection(account)
        if earlier is not None:
            raise earlier
        try:
            state = sign_in()
        except LoginRejected as error:
            self._write(
                self._path(account, "rejected"),
                {
                    "binding": _binding(account),
                    "at": datetime.now().isoformat(timespec="seconds"),
                    "status": error.status,
                    "message": error.message,
                },
            )
            raise
        self.logins += 1
        self._path(account, "rejected").unlink(missing_ok=True)
        self._write(self._path(account), {"binding": _binding(account), "state": state})
        return Session(state, version)

    def _load(self, account: Account) -> StorageState | None:
        record = self._read(self._path(account))
        if record is None or not _bound_to(record, account):
            return None  # made with other credentials: sign in with these ones
        state = record.get("state")
        return state if isinstance(state, dict) else None

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _prepare_folder(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self._folder, 0o700)

    def _write(self, path: Path, record: dict[str, Any]) -> None:
        self._prepare_folder()
        tmp = path.with_suffix(".tmp")
        # Created 0600 from the start: a session cookie is as good as the password.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle)
        os.replace(tmp, path)
