"""Results only for groups of at least the minimum, and no small group
recoverable by difference (hypothesis), plus the Wilson interval."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys import results, services
from surveys.results import plan, wilson
from tests.surveys.helpers import answer_data, secrets_from, staff, start


@st.composite
def trees(draw):
    size = draw(st.integers(min_value=1, max_value=14))
    parent_of = {0: None}
    for node in range(1, size):
        parent_of[node] = draw(st.integers(min_value=0, max_value=node - 1))
    counts = {node: draw(st.integers(min_value=0, max_value=12)) for node in parent_of}
    minimum = draw(st.integers(min_value=5, max_value=9))
    return parent_of, counts, minimum


def subtree(parent_of, node):
    out = {node}
    changed = True
    while changed:
        changed = False
        for child, parent in parent_of.items():
            if parent in out and child not in out:
                out.add(child)
                changed = True
    return out


@settings(max_examples=400, deadline=None)
@given(trees())
def test_no_group_smaller_than_the_minimum_can_be_worked_out(tree):
    """The published groups nest, so what adding and subtracting them can
    give are sums of their atoms (a group minus the groups shown inside it).
    Every atom is empty or holds at least the minimum."""
    parent_of, counts, minimum = tree
    shown = plan(0, parent_of, counts, minimum)
    total = sum(counts.values())
    if total < minimum:
        assert shown == []
        return
    groups = {node: subtree(parent_of, node) for node, *_rest in shown}
    for node, _depth, count, residual_ids, residual_count in shown:
        assert count == sum(counts[n] for n in groups[node]) >= minimum
        inner = set().union(*(groups[k] for k in groups if k != node and groups[k] < groups[node]))
        atom = groups[node] - inner
        atom_count = sum(counts[n] for n in atom)
        assert atom_count == 0 or atom_count >= minimum, (node, atom, atom_count)
        assert atom == set(residual_ids) and atom_count == residual_count
    # Laminar: any two groups nest or are apart.
    for a in groups.values():
        for b in groups.values():
            assert a <= b or b <= a or not (a & b)


def test_wilson_interval():
    low, high = wilson(3, 10)
    assert round(low, 3) == 0.108 and round(high, 3) == 0.603
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
    assert wilson(0, 0) == (0.0, 0.0)


@pytest.mark.django_db
def test_results_merge_a_small_unit_into_its_parent(city, smtp_server):
    staff(city, count_a=8, count_b=4)
    started = start(city)
    letters = list(secrets_from(smtp_server).values())
    for secret in letters[:6]:
        services.submit_answer(secret, answer_data(city.north_a))
    for secret in letters[6:9]:
        services.submit_answer(secret, answer_data(city.north_b, exposed=("vald",), reported="all"))
    built = results.build(started.survey)
    labels = [(row.label, row.count) for row in built.rows]
    # Barn och unga (3 answers) is not shown by itself; the department would
    # then show 9 with Ekonomiskt bistånd 6, i.e. 3 by difference: both fold.
    assert ("Barn och unga Norr", 3) not in labels
    assert labels[0] == ("Norra stadsdelsförvaltningen", 9)
    assert all(count >= 5 for _label, count in labels)
    assert built.response_percent == round(100 * 9 / 14)
    hot = next(f for f in built.overall if f.form.code == "hot")
    assert hot.exposed == 6 and hot.reported["none"] == 6
    assert dict(hot.reasons)["Det är för krångligt eller tar för lång tid"] == 6


@pytest.mark.django_db
def test_too_few_answers_show_nothing(city, smtp_server):
    staff(city)
    started = start(city)
    for secret in list(secrets_from(smtp_server).values())[:4]:
        services.submit_answer(secret, answer_data(city.north_a))
    built = results.build(started.survey)
    assert not built.shown and built.rows == [] and built.overall == []
