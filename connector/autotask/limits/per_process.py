"""One object per process, made on first use and made again in a forked child: the limits'
helper threads (the slot renewer, the releaser) do not survive a fork, and a child must not
share its parent's."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._made: T | None = None
        self._pid: int | None = None

    def get(self) -> T:
        """This process's object, made now if it has none."""
        with self._lock:
            if self._made is None or self._pid != os.getpid():
                self._made = self._make()
                self._pid = os.getpid()
            return self._made

    def made(self) -> T | None:
        """This process's object if it was made, else None (nothing is made)."""
        with self._lock:
            return self._made if self._pid == os.getpid() else None
