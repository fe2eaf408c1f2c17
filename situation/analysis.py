"""The analysis a person would otherwise do by hand: which units' rates rose
clearly against their own history, and which forms and sources grow.

"Clearly" is decided the same way everywhere, in plain words:

  A unit is flagged when it has at least 5 reports in the period, its
  reports per employee and day are more than 1.5 times its own rate during
  the twelve months just before the period, and an exact test says an
  increase that large would happen by chance less than once in twenty
  (p < 0.05).

(A tertial is thus compared with the three tertials before it, a month with
the year before it.) Forms and sources across the whole node are compared
with the same period a year earlier, by the same test with a lower bar for
the size of the change (1.2 times), because a city-wide count moves less.

The test compares two Poisson counts (reports now and in the history) given
their exposures (days times employees). Given the sum n of both counts, the
count now is binomial with p0 = exposure now / total exposure if the rate is
unchanged; the p-value is P(X >= count now). No statistics library needed.
"""
from dataclasses import dataclass
from math import exp, lgamma, log

MIN_REPORTS = 5
UNIT_RATIO = 1.5
TREND_RATIO = 1.2
ALPHA = 0.05
HISTORY_DAYS = 365


def _log_pmf(i: int, n: int, p: float) -> float:
    return lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) + i * log(p) + (n - i) * log(1 - p)


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed only where terms matter.
    Neighbouring terms differ by a simple factor, so only the first needs
    logarithms."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    odds = p / (1 - p)
    if k > (n + 1) * p:
        # Terms fall from k upwards; stop when they no longer add anything.
        term = exp(_log_pmf(k, n, p))
        total = term
        if term == 0.0:  # too far out to be represented: the tail is nil
            return 0.0
        for i in range(k, n):
            term *= (n - i) / (i + 1) * odds
            total += term
            if term < total * 1e-15:
                break
        return min(total, 1.0)
    # Below the mode: one minus the lower tail, summed downwards from k - 1.
    term = exp(_log_pmf(k - 1, n, p))
    below = term
    if term == 0.0:
        return 1.0
    for i in range(k - 1, 0, -1):
        term *= i / (n - i + 1) / odds
        below += term
        if term < below * 1e-15:
            break
    return max(0.0, 1.0 - below)


def rate_ratio(now: int, history: int, exposure_now: float, exposure_history: float) -> float | None:
    """Rate now divided by the historical rate; None when the history is empty."""
    if history == 0 or exposure_now <= 0 or exposure_history <= 0:
        return None
    return (now / exposure_now) / (history / exposure_history)


def p_value(now: int, history: int, exposure_now: float, exposure_history: float) -> float:
    if exposure_now <= 0 or exposure_history <= 0:
        return 1.0
    p0 = exposure_now / (exposure_now + exposure_history)
    return binomial_upper_tail(now, now + history, p0)


@dataclass
class Change:
    now: int
    history: int
    ratio: float | None  # None: nothing in the history
    p: float
    clear: bool

    @property
    def percent(self) -> float | None:
        return None if self.ratio is None else (self.ratio - 1) * 100


def judge(now: int, history: int, exposure_now: float, exposure_history: float,
          min_ratio: float) -> Change:
    ratio = rate_ratio(now, history, exposure_now, exposure_history)
    p = p_value(now, history, exposure_now, exposure_history)
    clear = now >= MIN_REPORTS and (ratio is None or ratio > min_ratio) and p < ALPHA
    return Change(now, history, ratio, p, clear)
