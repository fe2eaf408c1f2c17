"""Protected figures for aggregate-only readers: the cell key method
(situation.cellkey, docs/disclosure.md) applied to every count of a picture.

protect() takes the Counts of a picture, as read from the running totals
(situation.totals: each count arrives with the sum of the record keys of
the same incidents, Counts.keysums), and returns the same Counts with every
count replaced by its protected figure, cellkey.perturb(count, key sum).
Everything the picture derives from counts (totals, rates per 100
employees, trends, rise detection, the gender analysis, the growth table)
is then computed from protected figures, so it cannot be inverted either;
suppression ("<5", "..") runs after it, on the protected figures.

A total is protected with its own key sum, so it no longer equals the sum of
its protected parts: that is the point (differencing totals gives noise).

Readers who may open the unit's cases get the exact Counts (they could count
the cases), so this is only called with suppress (situation.figures).
"""
from collections import Counter, defaultdict
from dataclasses import replace

from situation import rollups
from situation.cellkey import perturb
from situation.rollups import Dim
from situation.totals import W_CURRENT, W_HISTORY, W_PIECE, W_PREVIOUS


def _identity(value: int) -> str:
    return rollups.IDENTITIES[value - 1] if 0 < value <= len(rollups.IDENTITIES) else ""


def _gender(value: int) -> str:
    return rollups.GENDERS[value] if value < len(rollups.GENDERS) else "?"


def _term(value: int):
    return value or None


def _same(value):
    return value


# Counter fields of Counts: (field, window, dimension, the Counter's key for a value).
COUNTERS = (
    ("unit_now", W_CURRENT, Dim.UNIT, _same),
    ("source_now", W_CURRENT, Dim.SOURCE, _term),
    ("area_now", W_CURRENT, Dim.AREA, _term),
    ("channel_now", W_CURRENT, Dim.CHANNEL, _term),
    ("identity_now", W_CURRENT, Dim.IDENTITY, _identity),
    ("gender_now", W_CURRENT, Dim.GENDER, _gender),
    ("unit_hist", W_HISTORY, Dim.UNIT, _same),
    ("source_prev", W_PREVIOUS, Dim.SOURCE, _term),
    ("form_prev", W_PREVIOUS, Dim.FORM, _same),
)
# Single counts: (field, window, dimension).
SCALARS = (
    ("total_now", W_CURRENT, Dim.TOTAL),
    ("total_hist", W_HISTORY, Dim.TOTAL),
    ("total_prev", W_PREVIOUS, Dim.TOTAL),
    ("police_total", W_CURRENT, Dim.TV),
    ("police_reported", W_CURRENT, Dim.REPORTED),
)


def key_sums(counts) -> dict:
    """The record-key sum of every published cell, under the same keys as the
    Counts' own fields: {field: {key: sum}} and {field: sum}. Several values
    that Counts files under one key (unknown identities, genders) add up, as
    their counts do."""
    sums: dict = defaultdict(lambda: defaultdict(int))
    wanted = {(w, dim): (name, label) for name, w, dim, label in COUNTERS}
    scalars = {(w, dim): name for name, w, dim in SCALARS}
    for (w, dim, value), keysum in counts.keysums.items():
        if (w, dim) in wanted:
            name, label = wanted[(w, dim)]
            sums[name][label(value)] += keysum
        elif (w, dim) in scalars:
            sums[scalars[(w, dim)]][None] += keysum
        elif w >= W_PIECE and dim == Dim.TOTAL:
            sums["month_now"][w - W_PIECE] += keysum
        elif w >= W_PIECE and dim == Dim.FORM:
            sums["month_form"][(w - W_PIECE, value)] += keysum
    return sums


def protect(counts, pieces: list):
    """The Counts with every count replaced by its protected figure. Fails
    closed: counts without their key sums (not read from the running
    totals) would all get the same adjustment, and differences of them would
    be exact."""
    if not counts.keysums and (counts.total_now or counts.total_hist or counts.total_prev):
        raise ValueError("Protected figures need the record-key sums of the running totals (situation.totals)")
    sums = key_sums(counts)
    changes = {}
    for name, _w, _dim, _label in COUNTERS:
        keys = sums[name]
        changes[name] = Counter({k: perturb(n, keys.get(k, 0)) for k, n in getattr(counts, name).items()})
    for name, _w, _dim in SCALARS:
        changes[name] = perturb(getattr(counts, name), sums[name].get(None, 0))
    index = {piece: i for i, piece in enumerate(pieces)}
    changes["month_now"] = Counter({
        piece: perturb(n, sums["month_now"].get(index.get(piece), 0)) for piece, n in counts.month_now.items()})
    changes["month_form"] = Counter({
        (piece, form): perturb(n, sums["month_form"].get((index.get(piece), form), 0))
        for (piece, form), n in counts.month_form.items()})
    return replace(counts, **changes)
