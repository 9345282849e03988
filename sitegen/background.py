"""Analysis stages that do not wait for each other run at the same time (issue 9).

Once the per-article results come from the cache, what a rebuild spends is the
cross-article steps (merging aliases, pairing near-duplicates, grouping claims, choosing
tags), each in the main process, one after another, on one core. But near-duplicate
detection reads only the articles, and tags only the articles and actors. So such a stage
is started in a child process forked the moment its inputs exist, runs beside the stage the
main process goes on with, and sends back its result together with the runner's account of
its work (cache keys used, counts, results for the warm state), which the main runner
absorbs as its own.

The child computes exactly what the main process would (same code, same data, same hash
seed: it is a fork), so the output does not depend on where a stage ran. Without fork, with
one job, or for a small briefing, a stage runs in the main process when it is started.
"""

from __future__ import annotations

import io
import multiprocessing
import pickle
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Any, Generic, TypeVar

from sitegen.finishing import finish_later
from sitegen.runner import ArticleRunner, fork_available, frozen_heap

T = TypeVar("T")

MIN_ARTICLES = 200
"""Below this many articles the stages run one after another in the main process: a small
briefing rebuilds in a second or two, and a fork (from `sitegen serve`, which runs a server
and watcher threads beside its builds) would cost more than it saves."""

Stage = Callable[[ArticleRunner], T]
"""A stage: given a runner for its per-article steps, returns its result (picklable)."""


class Pending(Generic[T]):
    """A stage's result, ready now or once its child has sent it."""

    def __init__(self, runner: ArticleRunner, value: T | None = None, seconds: float = 0.0,
                 process: BaseProcess | None = None, reader: Connection | None = None) -> None:
        self._runner = runner
        self._value = value
        self.seconds = seconds
        """How long the stage took where it ran (its own wall time, not the wait for it)."""
        self._process = process
        self._reader = reader

    def done(self) -> bool:
        """Whether `result` would return (or raise) without waiting."""
        return self._process is None or self._reader is None or self._reader.poll()

    def result(self) -> T:
        """The stage's result; raises what the stage raised."""
        if self._process is not None:
            self._value = self._collect()
        return self._value  # type: ignore[return-value]

    def _collect(self) -> T:
        assert self._process is not None and self._reader is not None
        try:
            sent = _ResultUnpickler(io.BytesIO(self._reader.recv_bytes()), self._runner.memory).load()
        except EOFError:
            self._process.join()  # its exit code is known once it has ended
            sent = RuntimeError(f"an analysis stage's process ended without a result (exit code "
                                f"{self._process.exitcode}); run with --jobs 1 to see it in the main process")
        finally:
            self._reader.close()
            finish_later(self._process)  # it may still be storing results (`_run_in_child`)
            self._process = None
        if isinstance(sent, BaseException):
            raise sent
        value, self.seconds, done, origin = sent
        self._runner.absorb(done)
        if origin is not None:  # what the child's result was made from, for `ArticleRunner.derived`
            self._runner.made_from(value, origin)
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the child if the build fails before the result is wanted."""
        if self._process is not None:
            self._process.terminate()
            self._process.join()
            self._process = None
            if self._reader is not None:
                self._reader.close()


def first_done(pending: Sequence[Pending[Any]]) -> int:
    """The index of a stage among `pending` whose result is in, waiting for one."""
    while True:
        for k, stage in enumerate(pending):
            if stage.done():
                return k
        wait([stage._reader for stage in pending if stage._reader is not None])


def forks(runner: ArticleRunner, articles: int) -> bool:
    """Whether stages started for a briefing of this many articles run in child processes."""
    return runner.jobs >= 2 and fork_available() and articles >= MIN_ARTICLES


class Stages:
    """Starts stages beside the main process and stops any left running if the build fails:
    `with Stages(runner, len(articles)) as stages: pending = stages.start(stage)`."""

    def __init__(self, runner: ArticleRunner, articles: int) -> None:
        self._runner = runner
        self._fork = forks(runner, articles)
        self._started: list[Pending[object]] = []

    @property
    def forking(self) -> bool:
        """Whether started stages run in child processes, beside the main one."""
        return self._fork

    def start(self, stage: Stage[T]) -> Pending[T]:
        if not self._fork:
            started = time.perf_counter()
            value = stage(self._runner)
            return Pending(self._runner, value, time.perf_counter() - started)
        context = multiprocessing.get_context("fork")
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=_run_in_child, args=(stage, self._runner, writer))
        with frozen_heap():
            process.start()  # forked: the stage, the runner and the articles are not pickled
        writer.close()
        pending: Pending[T] = Pending(self._runner, process=process, reader=reader)
        self._started.append(pending)  # type: ignore[arg-type]
        return pending

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for pending in self._started:
            pending.cancel()


def computed_apart(runner: ArticleRunner, articles: int, compute: Callable[[], T]) -> T:
    """`compute()`, in a child process where stages fork (`forks`). A process keeps the heap
    its peak reached, and every stage and worker forked after inherits it: reading the
    gazetteer's package data peaks at 99 MB for a 431 KB result, and left the main process
    68 MB larger (a quarter of a cold build's largest process at 1,000 articles). In a child
    that memory goes when it ends."""
    with Stages(runner, articles) as stages:
        return stages.start(lambda _child: compute()).result()


def _run_in_child(stage: Stage[object], parent: ArticleRunner, writer: Connection) -> None:
    """In the child: run the stage with a runner of its own and send back what it made."""
    runner = parent.for_child()
    started = time.perf_counter()
    failed = True
    try:
        value = stage(runner)
        sent: object = (value, time.perf_counter() - started, runner.work_done(), runner.origin_of(value))
        failed = False
    except BaseException as error:  # sent to the parent, which raises it in the build
        sent = error
    try:
        try:
            writer.send_bytes(_pickled(sent, runner))
        except Exception as failure:  # an error, or a result, that does not pickle
            said = "".join(traceback.format_exception(sent)) if isinstance(sent, BaseException) else repr(failure)
            writer.send_bytes(pickle.dumps(RuntimeError(f"an analysis stage failed in its process: {said}")))
        writer.close()
    finally:
        # After the result: the parent goes on while this process stores what its runner
        # kept for closing (`finishing.py`), and waits for it at the end of the build.
        runner.close(failed, prune=False)


def _pickled(sent: object, runner: ArticleRunner) -> bytes:
    """What a child sends back, pickled. In a process that builds again and again, a stage's
    result is mostly results it took from the warm state, which the parent holds too: each
    of those is sent as its namespace and key (`_ResultUnpickler` puts in the parent's own).
    The near-duplicates' links of a rebuild at 1,000 articles were 2.3 MB of pickle, 20 ms
    to write in the child and 20 ms to read in the parent, on the rebuild's longest path."""
    out = io.BytesIO()
    _ResultPickler(out, {id(value): (value, namespace, key) for namespace, key, value in runner.inherited_results()}
                   ).dump(sent)
    return out.getvalue()


class _ResultPickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, inherited: dict[int, tuple[object, str, str]]) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._inherited = inherited

    def reducer_override(self, obj: object) -> Any:
        # Called for objects of other types than the builtins pickle writes itself: records.
        found = self._inherited.get(id(obj))
        if found is None or found[0] is not obj:
            return NotImplemented
        return _held_result, found[1:]


def _held_result(namespace: str, key: str) -> object:
    """Stands in a child's pickle for a result the parent holds (`_ResultUnpickler`)."""
    raise RuntimeError("a stage's result names a result held by the process that started it")


class _ResultUnpickler(pickle.Unpickler):
    """Reads what `_pickled` wrote, putting in the results it names from `memory`."""

    def __init__(self, file: io.BytesIO, memory: dict[str, dict[str, object]] | None) -> None:
        super().__init__(file)
        self._memory = memory

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == _held_result.__name__:
            return self._held
        return super().find_class(module, name)

    def _held(self, namespace: str, key: str) -> object:
        if self._memory is None or key not in self._memory.get(namespace, {}):
            raise RuntimeError(f"an analysis stage sent back a result this process no longer holds ({namespace})")
        return self._memory[namespace][key]
