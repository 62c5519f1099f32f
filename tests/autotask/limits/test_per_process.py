"""PerProcess (limits/per_process.py): one object a process, a new one in a forked child."""

from __future__ import annotations

import os

from connector.autotask.limits.per_process import PerProcess


def test_one_object_a_process_and_a_forked_child_makes_its_own():
    one = PerProcess(object)
    assert one.made() is None  # nothing made by asking
    parent = one.get()
    assert one.get() is parent and one.made() is parent
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report, then leave at once (no test machinery runs here)
        try:
            fresh = one.made() is None and one.get() is not parent and one.get() is one.get()
            os.write(write, b"1" if fresh else b"0")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    assert os.read(read, 1) == b"1"
    os.close(read)
    assert one.get() is parent  # the parent keeps its own
