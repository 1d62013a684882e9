"""How the pipeline's steps run: timed (wall and processor time), and with the cyclic garbage
collector kept out of the way of the large, long-lived structures a build makes."""

from __future__ import annotations

import contextlib
import gc
import os
import time
from typing import Iterator


class Timings(dict):
    """Seconds per step, in the order the steps ran; `cpu` has each step's processor time (user
    and system, this process and the workers it waited for)."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block under `name`."""
        start, cpu = time.perf_counter(), _cpu_seconds()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - start
            self.cpu[name] = self.cpu.get(name, 0.0) + _cpu_seconds() - cpu


def _cpu_seconds() -> float:
    """User and system time of this process and of its waited-for children so far."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def keep_from_collector() -> None:
    """Move every object alive now out of the cyclic garbage collector's sight (gc.freeze).

    What a step makes (articles, site, plan) lives until the build ends. A full collection
    looks at every tracked object, and their number grows with the site, as does the number of
    full collections: on the 20,000-article benchmark they took four to five times as long as
    on 10,000 articles, and freed nothing. Frozen objects are still freed when nothing refers
    to them; the next build's gc.unfreeze() hands them back to the collector."""
    gc.freeze()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a build runs (a build makes next to no cycles, and
    on the 100,000-article benchmark the collections, even with frozen steps, took 3.6 of a
    warm build's 18 s); the collector runs again afterwards, as it did, for the preview."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
