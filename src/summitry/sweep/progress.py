"""A sweep's progress: its rate and time left (docs/store.md, "Progress")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Throughput:
    """A sweep's rate and time left, from the samples committed since it began computing.

    ``todo`` samples were missing at clock reading ``began`` (seconds, any monotonic
    clock); :meth:`add` records ``n`` more committed at ``now``. The rate is the samples
    committed over the time they took, ``done / (at - began)``, known from the first
    chunk on; the time left at ``now`` is ``(todo - done) / rate - (now - at)``, at least 0.
    """

    todo: int
    began: float
    done: int = 0
    at: float | None = None

    def add(self, n: int, now: float) -> None:
        self.done += n
        self.at = now

    def rate(self) -> float | None:
        """Samples per second, or None before the first chunk."""
        if self.at is None or self.done < 1 or self.at <= self.began:
            return None
        return self.done / (self.at - self.began)

    def eta(self, now: float) -> float | None:
        """Seconds until the last sample is committed at this rate, or None."""
        rate = self.rate()
        if rate is None or self.at is None:
            return None
        return max(0.0, (self.todo - self.done) / rate - (now - self.at))

    def describe(self, now: float) -> str:
        """``12,345/s  ETA 0:01:23`` (dashes before the first chunk)."""
        rate, eta = self.rate(), self.eta(now)
        if rate is None or eta is None:
            return "-/s  ETA -:--:--"
        minutes, seconds = divmod(round(eta), 60)
        hours, minutes = divmod(minutes, 60)
        return f"{rate:,.0f}/s  ETA {hours}:{minutes:02d}:{seconds:02d}"
