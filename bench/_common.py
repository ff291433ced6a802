"""What every benchmark shares: a mock server in its own process, reset with bulk orders."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

EMAIL, PASSWORD = "seller@example.com", "dispatch-demo"
BULK_FIRST = 3_000_000  # the mock's bulk orders: ESG-3000000, ESG-3000001, ...


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def mock_server() -> Iterator[str]:
    """The mock portals in a process of their own, as a real portal would be."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "mock", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/kogan/"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "__mock__/state", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def reset(url: str, bulk: int) -> list[str]:
    """Fresh data with `bulk` single-line dispatched orders; their references."""
    httpx.post(url + "__mock__/reset", json={"bulk": bulk}, timeout=30).raise_for_status()
    return [f"ESG-{BULK_FIRST + i}" for i in range(bulk)]


def refund_events(url: str) -> int:
    events = httpx.get(url + "__mock__/state", timeout=30).json()["events"]
    return sum(1 for event in events if event["type"] == "refund")
