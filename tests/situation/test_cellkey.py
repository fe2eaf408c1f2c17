"""The cell key method's perturbation table: deterministic, unbiased, small."""
import pytest

from incidents.models import new_record_key
from situation import cellkey

pytestmark = pytest.mark.unit


def test_the_same_records_always_show_the_same_figure():
    assert cellkey.perturb(40, 1234) == cellkey.perturb(40, 1234)
    assert cellkey.perturb(40, 1234) == cellkey.perturb(40, 1234 + cellkey.KEY_RANGE)


def test_zero_stays_zero_and_a_report_never_shows_as_none():
    for key in range(cellkey.KEY_RANGE):
        assert cellkey.perturb(0, key) == 0
        for count in range(1, 8):
            assert cellkey.perturb(count, key) >= 1


@pytest.mark.parametrize("count", [1, 2, 3, 7, 100, 5000])
def test_the_adjustment_is_unbiased_for_every_count(count):
    total = sum(cellkey.adjustment(count, key) for key in range(cellkey.KEY_RANGE))
    assert abs(total / cellkey.KEY_RANGE) < 0.01


def test_a_cell_of_100_or_more_is_off_by_at_most_2_percent():
    for count in (100, 101, 250, 10_000):
        worst = max(abs(cellkey.adjustment(count, key)) for key in range(cellkey.KEY_RANGE))
        assert worst / count <= 0.02


def test_two_independent_cells_agree_only_about_a_third_of_the_time():
    """A difference of two perturbed totals is exact only when their
    adjustments happen to be equal."""
    table = [cellkey.adjustment(50, key) for key in range(cellkey.KEY_RANGE)]
    same = sum(a == b for a in table for b in table) / len(table) ** 2
    assert 0.25 < same < 0.4


def test_record_keys_cover_the_key_range():
    keys = {new_record_key() for _ in range(5000)}
    assert keys <= set(range(cellkey.KEY_RANGE)) and len(keys) > 200
