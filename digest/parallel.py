"""One way to spread work over every core: forked workers that inherit the job, so only
indices go to them and results come back."""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import traceback
from typing import Callable, Iterable, Iterator, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def default_workers() -> int:
    """Every core."""
    return os.cpu_count() or 1


def forks(items: Sequence, workers: int, min_items: int = 64) -> bool:
    """Whether parallel_map gives these items to forked workers."""
    return workers > 1 and len(items) >= min_items and "fork" in multiprocessing.get_all_start_methods()


def parallel_map(fn: Callable[[Item], Result], items: Sequence[Item], workers: int,
                 min_items: int = 64) -> Iterator[Result]:
    """fn(item) for each item, yielded in order as results arrive.

    With workers > 1, at least `min_items` items and a system that can fork, forked processes
    do the work: they inherit `fn` and `items` (closures and unpicklable objects included), so
    nothing but batch numbers and results crosses a pipe. Otherwise it runs here, in order.
    The workers start when the first result is asked for; StartedMap starts them at once."""
    yield from StartedMap(fn, items, workers, min_items)


class StartedMap(Iterable[Result]):
    """parallel_map whose workers start as it is made, so that this process can go on with
    other work while they do theirs. Iterate it once for the results, in order. Iterating to the
    end, or leaving a loop over it that had started, stops the workers; otherwise call close()."""

    def __init__(self, fn: Callable[[Item], Result], items: Sequence[Item], workers: int, min_items: int = 64):
        self._fn, self._items = fn, items
        self._processes: list = []
        if not forks(items, workers, min_items):
            return
        size = max(1, min(32, len(items) // (workers * 8)))
        self._starts = range(0, len(items), size)
        context = multiprocessing.get_context("fork")
        self._tasks, self._results = context.Queue(), context.Queue()
        for start in self._starts:
            self._tasks.put(start)
        try:
            for _ in range(min(workers, len(self._starts))):
                process = context.Process(target=_work, args=(fn, items, size, self._tasks, self._results),
                                          daemon=True)
                self._tasks.put(None)
                process.start()
                self._processes.append(process)  # only started ones: close() joins them
        except BaseException:
            self.close()  # a fork that failed: the workers already started stop too
            raise

    def __iter__(self) -> Iterator[Result]:
        if not self._processes:
            yield from map(self._fn, self._items)
            return
        try:
            done: dict[int, list[Result]] = {}
            for start in self._starts:
                while start not in done:
                    got, batch, error = _next_result(self._results, self._processes)
                    if error:
                        raise RuntimeError(f"a worker process failed:\n{error}")
                    done[got] = batch
                yield from done.pop(start)
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (those still at work are terminated) and let the queues go."""
        processes, self._processes = self._processes, []
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        if processes:
            self._tasks.close()
            self._results.close()


def _next_result(results: "multiprocessing.Queue", processes: list) -> tuple[int, list, str]:
    """The next finished batch; an error when a worker died without sending one."""
    while True:
        try:
            return results.get(timeout=1.0)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in processes):
                return -1, [], "a worker process stopped unexpectedly (out of memory?)"


def _work(fn: Callable, items: Sequence, size: int, tasks: "multiprocessing.Queue",
          results: "multiprocessing.Queue") -> None:
    """In a worker: take batch starts until told to stop, send back each batch's results.
    The cyclic collector runs here even when the parent paused it: converting and rendering
    thousands of items leave cycles (Markdown's trees) that would otherwise pile up."""
    gc.enable()
    while (start := tasks.get()) is not None:
        try:
            results.put((start, [fn(item) for item in items[start:start + size]], ""))
        except BaseException:
            results.put((start, [], traceback.format_exc()))
            return


def close_source(files: Iterable) -> None:
    """Close an iterator a generator was reading, if it can be closed: for a generator that
    passes files on, in its `finally`, so that a renderer's workers stop when an error leaves
    any step of the chain (the renderer would otherwise stay suspended, held by the traceback)."""
    close = getattr(files, "close", None)
    if close is not None:
        close()
