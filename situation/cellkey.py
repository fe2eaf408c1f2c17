"""Disclosure control that holds across queries: the cell key method.

Used by flexible table builders that let anyone combine filters, periods and
nodes freely (the Australian Bureau of Statistics' TableBuilder; the Office
for National Statistics for Census 2021). See docs/disclosure.md.

- Every incident gets a random record key (0–255) when it is created.
- A cell's key is the sum of its records' keys modulo 256. The sum is
  additive, so it is kept beside each count wherever counts are summed.
- A perturbation table maps (count, cell key) to a small adjustment. The same
  set of incidents therefore always shows the same figure (asking again, or
  by another route, gives nothing new), while two figures that differ by a
  few incidents get independent adjustments: subtracting one from the other
  gives a count plus noise, not the count.

Zero stays zero (an empty cell tells nobody anything), a count of one or more
never shows as zero, and counts below THRESHOLD after perturbation show as
"<5" as before. The adjustment is at most MAX_ADJUSTMENT either way, so a
cell of 100 or more is off by at most 2 %.
"""
from bisect import bisect_right

from incidents.models import RECORD_KEY_RANGE as KEY_RANGE

MAX_ADJUSTMENT = 2

# The perturbation table for counts from 3 on: cell keys below each bound get
# the adjustment beside it. Probabilities 5 %, 20 %, 50 %, 20 %, 5 %: unbiased,
# and two independent cells agree (so a difference is exact) only about a
# third of the time.
_BOUNDS = (13, 64, 192, 243, KEY_RANGE)
_ADJUSTMENTS = (-2, -1, 0, 1, 2)

# Small counts cannot go below one and stay unbiased: one stays one, two
# moves by one either way 20 % of the time each. (Both show as "<5" anyway;
# what protects a small cell is the noise on the larger figures around it.)
_SMALL = {
    1: ((KEY_RANGE, 0),),
    2: ((51, -1), (205, 0), (KEY_RANGE, 1)),
}


def cell_key(key_sum: int) -> int:
    return key_sum % KEY_RANGE


def adjustment(count: int, key: int) -> int:
    """The table's adjustment for a cell of `count` records and cell key `key`."""
    if count <= 0:
        return 0
    key = key % KEY_RANGE
    if count in _SMALL:
        for bound, adjust in _SMALL[count]:
            if key < bound:
                return adjust
    return _ADJUSTMENTS[bisect_right(_BOUNDS, key)]


def perturb(count: int, key_sum: int) -> int:
    """The protected figure of a cell: its count, adjusted by the table."""
    return count + adjustment(count, cell_key(key_sum))
