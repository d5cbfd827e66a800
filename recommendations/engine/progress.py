"""A progress bar for a training of several steps (one member's fit, one tuning grid).

The bar counts estimated seconds (`training.estimate_seconds`), so the time it says is left
corrects itself by how fast the steps really go on this machine."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from .models import Progress


@dataclass
class Step:
    label: str
    seconds: float  # estimated


class Tracker:
    """Progress of a whole training: `begin` with the planned steps, then one `step` context
    per step, whose value reports the share of that step done. This one reports nothing."""

    def begin(self, steps: list[Step]) -> None:
        self.steps = {s.label: s.seconds for s in steps}

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[Progress]:
        yield lambda _share: None

    def end(self) -> None:
        pass


class BarTracker(Tracker):
    """A tqdm bar counting estimated seconds; the label says which step runs."""

    def __init__(self, file=None) -> None:
        self.file = file or sys.stderr
        self.bar = None
        self.done = 0.0

    def begin(self, steps: list[Step]) -> None:
        from tqdm import tqdm

        super().begin(steps)
        total = sum(self.steps.values())
        self.file.write(f"{len(steps)} steps, about {_duration(total)} on a 2-core machine\n")
        self.bar = tqdm(
            total=max(total, 0.01),  # a bar needs a positive total
            unit="s",
            unit_scale=False,
            file=self.file,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| elapsed {elapsed}, left ~{remaining}",
            dynamic_ncols=True,
        )

    @contextlib.contextmanager
    def step(self, label: str) -> Iterator[Progress]:
        estimate = self.steps.get(label, 0.0)
        start = self.done
        self.bar.set_description_str(label)

        def report(share: float) -> None:
            self._move_to(start + estimate * min(max(share, 0.0), 1.0))

        try:
            yield report
        except BaseException:
            self.bar.close()  # the error follows on its own line
            raise
        self.done = start + estimate
        self._move_to(self.done)

    def _move_to(self, value: float) -> None:
        value = min(value, self.bar.total)
        self.bar.update(value - self.bar.n)

    def end(self) -> None:
        self._move_to(self.bar.total)
        self.bar.set_description_str("done")
        self.bar.close()


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 10 else f"{round(seconds / 60)} min"
