"""Wall time per stage of one command, for ``engagemetrics report --timings``."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from typing import Any, Final

from ..events.log import EventLog

__all__ = ["STAGES", "Clock", "builds_timed"]


class Clock:
    """Wall time per stage of one command, for ``--timings``.

    ``str()`` gives one line: each stage in the order of :data:`STAGES`, the command's
    whole time (from the start of the command, once the interpreter has started and
    imported the package), and the times of the report's own steps
    (:data:`~engagemetrics.report.report.STEPS`) within ``measure``.
    """

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self._marks: list[tuple[str, float]] = []  # (report step, when it started)

    def add(self, stage: str, seconds: float) -> None:
        """Count ``seconds`` to ``stage``."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as ``name``, less what :func:`builds_timed` counted as build."""
        started = time.perf_counter()
        built = self.seconds.get("build", 0.0)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.add(name, elapsed - (self.seconds.get("build", 0.0) - built))
            if name == "measure" and self._marks:
                self._marks.append(("", time.perf_counter()))  # the last step's end

    def steps(self, progress: Callable[[str], None]) -> Callable[[str], None]:
        """``progress``, also noting when each step of the report starts."""

        def step(name: str) -> None:
            self._marks.append((name, time.perf_counter()))
            progress(name)

        return step

    def __str__(self) -> str:
        total = time.perf_counter() - self._started
        stages = sorted(self.seconds.items(), key=lambda item: STAGES.index(item[0]))
        line = ", ".join(f"{name} {seconds:.3f} s" for name, seconds in stages)
        line += f"; {total:.3f} s in all"
        steps = [
            f"{name} {end - began:.3f} s"
            for (name, began), (_, end) in zip(self._marks, self._marks[1:], strict=False)
        ]
        return line + (f" (measure: {', '.join(steps)})" if steps else "")


STAGES: Final = ("read", "build", "measure", "render", "write")
"""The stages ``--timings`` reports, in order."""


@contextlib.contextmanager
def builds_timed(clock: Clock, *, on: bool) -> Iterator[None]:
    """Count the time spent in :class:`EventLog`'s constructors as ``build``.

    The readers hand their columns to :meth:`EventLog.from_frame` or
    :meth:`EventLog.from_arrays`; wrapping the two for the duration of the read (only
    with ``--timings``) tells reading from building without a hook in every reader.
    A constructor called by another counts once.
    """
    if not on:
        yield
        return
    names = ("from_frame", "from_arrays")
    originals = {name: EventLog.__dict__[name] for name in names}
    depth = 0

    def timed(original: Any) -> Any:
        function = original.__func__

        @functools.wraps(function)
        def call(cls: type[EventLog], /, *args: Any, **kwargs: Any) -> EventLog:
            nonlocal depth
            depth += 1
            started = time.perf_counter()
            try:
                return function(cls, *args, **kwargs)  # type: ignore[no-any-return]
            finally:
                depth -= 1
                if depth == 0:
                    clock.add("build", time.perf_counter() - started)

        return classmethod(call)

    for name, original in originals.items():
        setattr(EventLog, name, timed(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(EventLog, name, original)
