"""Helpers for the child processes the CLI and the tests start (redis-server, the sandbox)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def child_preexec() -> None:
    """Run in the child before exec: own process group, die with the parent, ignore Ctrl-C.

    The parent stops its children itself, in order, when it is interrupted; the kernel's
    parent-death signal covers the case where the parent is killed outright.
    """
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except OSError:
            pass
