"""Suppression of small counts, attacked the way a curious reader would.

Random tables are suppressed and then attacked: first by the obvious trick
(a hidden cell alone in a row or column with a visible total), then by
solving the whole system of row and column equations over the rationals. For
every hidden cell the test must construct a second table of non-negative
integers that fits everything shown but differs in that cell; if it cannot,
the cell was recoverable and the test fails.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from situation.suppression import THRESHOLD, Cell, primary, suppress_group, suppress_table

# Counts skewed towards the small values where suppression bites.
counts = st.one_of(st.integers(0, 6), st.integers(0, 40), st.just(0))


@st.composite
def tables(draw):
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 6))
    cells = [[draw(counts) for _ in range(n_cols)] for _ in range(n_rows)]
    margins = draw(st.sampled_from(["rows", "cols", "both", "both+grand", "rows+grand",
                                    "cols+grand", "grand"]))
    row_totals = [sum(r) for r in cells] if "rows" in margins or "both" in margins else None
    col_totals = [sum(c) for c in zip(*cells)] if "cols" in margins or "both" in margins else None
    grand = sum(map(sum, cells)) if "grand" in margins else None
    return cells, row_totals, col_totals, grand


def published(cells, row_totals, col_totals, grand):
    """Every published number as (key, value) and every equation as
    {key: coefficient} that must sum to zero."""
    values = {("c", i, j): v for i, row in enumerate(cells) for j, v in enumerate(row)}
    equations = []
    if row_totals is not None:
        values.update({("r", i): v for i, v in enumerate(row_totals)})
        for i in range(len(cells)):
            eq = {("c", i, j): 1 for j in range(len(cells[0]))}
            eq[("r", i)] = -1
            equations.append(eq)
    if col_totals is not None:
        values.update({("k", j): v for j, v in enumerate(col_totals)})
        for j in range(len(cells[0])):
            eq = {("c", i, j): 1 for i in range(len(cells))}
            eq[("k", j)] = -1
            equations.append(eq)
    if grand is not None:
        values[("g",)] = grand
        if row_totals is not None:
            equations.append({**{("r", i): 1 for i in range(len(cells))}, ("g",): -1})
        if col_totals is not None:
            equations.append({**{("k", j): 1 for j in range(len(cells[0]))}, ("g",): -1})
        if row_totals is None and col_totals is None:
            equations.append({**{key: 1 for key in values if key[0] == "c"}, ("g",): -1})
    return values, equations


def shown(result):
    """key -> Cell as published."""
    out = {("c", i, j): c for i, row in enumerate(result.cells) for j, c in enumerate(row)}
    if result.row_totals:
        out.update({("r", i): c for i, c in enumerate(result.row_totals)})
    if result.col_totals:
        out.update({("k", j): c for j, c in enumerate(result.col_totals)})
    if result.grand_total is not None:
        out[("g",)] = result.grand_total
    return out


def hidden_keys(result):
    return {key for key, cell in shown(result).items() if cell.hidden}


def reader_bounds(cell):
    """What the reader learns from a hidden cell's symbol."""
    if str(cell) == "<5":
        return 1, 4
    if cell.masked:
        return 0, None
    return 5, None


def alternative_table(values, equations, bounds, target):
    """Another table of integers that fits every shown number, every symbol's
    bounds and every equation, but differs at `target`; None if there is none.

    A depth-first search with bound propagation. If any other table fits, one
    fits in which no cell moved by more than one (tables are totally
    unimodular), so each unknown is searched within one of its true value."""
    domains = {}
    for key, (low, high) in bounds.items():
        v = values[key]
        domains[key] = [max(low, v - 1), v + 1 if high is None else min(high, v + 1)]
    known = {k: v for k, v in values.items() if k not in bounds}
    rows = []
    for eq in equations:
        const = sum(coef * known[k] for k, coef in eq.items() if k in known)
        unknown = {k: coef for k, coef in eq.items() if k in bounds}
        if unknown:
            rows.append((unknown, const))
        elif const != 0:
            return None

    def propagate(dom):
        changed = True
        while changed:
            changed = False
            for unknown, const in rows:
                for k, coef in unknown.items():
                    rest_min = sum(min(c * dom[o][0], c * dom[o][1]) for o, c in unknown.items() if o != k)
                    rest_max = sum(max(c * dom[o][0], c * dom[o][1]) for o, c in unknown.items() if o != k)
                    # coef * x_k = -const - rest
                    lo, hi = sorted(((-const - rest_max) / coef, (-const - rest_min) / coef))
                    new = [max(dom[k][0], -(-lo // 1)), min(dom[k][1], hi // 1)]
                    if new[0] > new[1]:
                        return False
                    if new != dom[k]:
                        dom[k] = [int(new[0]), int(new[1])]
                        changed = True
        return True

    def search(dom):
        if not propagate(dom):
            return None
        open_keys = [k for k in dom if dom[k][0] < dom[k][1]]
        if not open_keys:
            solution = {**known, **{k: d[0] for k, d in dom.items()}}
            ok = all(sum(c * solution[k] for k, c in eq.items()) == 0 for eq in equations)
            return solution if ok else None
        k = min(open_keys, key=lambda o: dom[o][1] - dom[o][0])
        for v in range(dom[k][0], dom[k][1] + 1):
            trial = {o: list(d) for o, d in dom.items()}
            trial[k] = [v, v]
            found = search(trial)
            if found:
                return found
        return None

    for target_value in (values[target] - 1, values[target] + 1):
        dom = {k: list(d) for k, d in domains.items()}
        if not dom[target][0] <= target_value <= dom[target][1]:
            continue
        dom[target] = [target_value, target_value]
        found = search(dom)
        if found:
            return found
    return None


def check_equations(alt, equations):
    return all(sum(coef * alt[key] for key, coef in eq.items()) == 0 for eq in equations)


@settings(max_examples=500, deadline=None)
@given(tables(), st.booleans())
def test_no_hidden_cell_can_be_recovered_from_a_random_table(table, fixed_grand):
    cells, row_totals, col_totals, grand = table
    result = suppress_table(cells, row_totals, col_totals, grand, fixed_grand=fixed_grand)
    values, equations = published(cells, row_totals, col_totals, grand)
    published_cells = shown(result)
    hidden = {k for k, c in published_cells.items() if c.hidden}

    # What is shown is true, and every count from 1 to 4 is hidden behind "<5".
    for key, cell in published_cells.items():
        assert cell.value == values[key]
        if 0 < values[key] < THRESHOLD:
            assert cell.hidden and str(cell) in ("<5", ".."), f"small count {values[key]} at {key} is shown"
        if cell.hidden and not cell.masked:
            assert (str(cell) == "<5") == (0 < values[key] < THRESHOLD)
    if fixed_grand and grand is not None and grand >= THRESHOLD:
        assert not published_cells[("g",)].hidden  # published elsewhere; never hidden here

    # A withheld table shows no cell at all; what follows from its total
    # alone is no secret, unless it is a small count.
    protect = {k for k in hidden if not (result.withheld and not 0 < values[k] < THRESHOLD)}
    if result.withheld:
        assert all(c.masked for k, c in published_cells.items() if c.hidden)

    # The obvious attack: an equation with exactly one hidden number in it.
    for eq in equations:
        unknown = [key for key in eq if key in hidden]
        assert not (len(unknown) == 1 and unknown[0] in protect), \
            f"{unknown[0]} is alone in an equation with visible numbers"

    # The full attack: every hidden cell must have another feasible value,
    # shown by a concrete second table that fits everything published.
    bounds = {key: reader_bounds(published_cells[key]) for key in hidden}
    for key in protect:
        alt = alternative_table(values, equations, bounds, key)
        assert alt is not None, f"hidden cell {key} (value {values[key]}) is determined: {result}"
        assert check_equations(alt, equations)
        assert all(alt[k] == v for k, v in values.items() if k not in hidden)
        for k, (low, high) in bounds.items():
            assert alt[k] >= low and (high is None or alt[k] <= high)
        assert alt[key] != values[key]


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=1, max_size=12), st.booleans())
def test_a_group_with_its_total_never_reveals_a_hidden_cell(values, fixed_total):
    total = sum(values)
    cells, total_cell = suppress_group(values, total, fixed_total=fixed_total)
    keyed = {("c", 0, j): c for j, c in enumerate(cells)}
    keyed[("g",)] = total_cell
    everything = {("c", 0, j): v for j, v in enumerate(values)}
    everything[("g",)] = total
    equations = [{**{k: 1 for k in everything if k[0] == "c"}, ("g",): -1}]
    hidden = {k for k, c in keyed.items() if c.hidden}
    bounds = {k: reader_bounds(keyed[k]) for k in hidden}
    for key in hidden:
        assert alternative_table(everything, equations, bounds, key) is not None, (values, key)
    for cell, value in zip(cells, values):
        assert cell.value == value
        if 0 < value < THRESHOLD:
            assert cell.hidden


def suppress_row(values):
    """A group of cells whose sum is published as their total."""
    return suppress_group(values, sum(values), fixed_total=False)[0]


def test_a_single_small_cell_hides_the_next_smallest_partner():
    cells = suppress_row([3, 12, 7, 0])
    assert [str(c) for c in cells] == ["<5", "12", "..", "0"]


def test_two_ones_that_must_add_up_to_two_take_a_third_cell_with_them():
    # 1 + 1 = 12 - 10: hiding only the ones would give both away, because a
    # "<5" cell is at least 1.
    cells = suppress_row([1, 1, 10])
    assert [str(c) for c in cells] == ["<5", "<5", ".."]


def test_a_table_that_cannot_be_protected_is_withheld():
    # 1 + x = 6 with x shown as ".." (at least 5): x would have to be 5.
    table = suppress_table([[1, 5]], grand_total=6, fixed_grand=True)
    assert table.withheld
    assert [str(c) for c in table.cells[0]] == ["..", ".."]
    assert str(table.grand_total) == "6"


def test_a_table_without_small_counts_is_shown_in_full():
    result = suppress_table([[5, 0, 9], [12, 7, 0]], [14, 19], [17, 7, 9], 33)
    assert hidden_keys(result) == set()


def test_a_small_cell_in_a_two_way_table_takes_a_rectangle_with_it():
    # 2 is small; hiding it alone would let row 0 and column 0 give it away.
    result = suppress_table([[2, 10, 20], [8, 30, 40]], [32, 78], [10, 40, 60], 110)
    hidden = hidden_keys(result)
    assert ("c", 0, 0) in hidden
    assert {("c", 0, 1), ("c", 1, 0), ("c", 1, 1)} <= hidden  # the cheapest closing cycle
    assert ("g",) not in hidden and ("r", 0) not in hidden
    assert str(result.cells[0][0]) == "<5" and str(result.cells[1][1]) == ".."


def test_a_lone_small_count_in_its_row_hides_a_total_rather_than_leaking():
    # Row 0 has one non-zero cell, so its total equals it; the cycle must run
    # through the margins.
    result = suppress_table([[3, 0], [10, 20]], [3, 30], [13, 20], 33)
    hidden = hidden_keys(result)
    assert ("c", 0, 0) in hidden and ("r", 0) in hidden
    values, equations = published([[3, 0], [10, 20]], [3, 30], [13, 20], 33)
    bounds = {key: reader_bounds(shown(result)[key]) for key in hidden}
    for key in hidden:
        assert alternative_table(values, equations, bounds, key) is not None


def test_zero_is_shown_and_large_counts_are_shown():
    assert str(primary(0)) == "0"
    assert str(primary(4)) == "<5"
    assert str(primary(5)) == "5"
    assert Cell(3, hidden=True).shown is None
    assert str(Cell(28, hidden=True)) == ".."  # never a false "<5"


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=1, max_size=10))
def test_rare_terms_counted_together_still_protect_every_hidden_cell(values):
    """The "Övriga" fallback (situation.figures.fold_rare): the group as
    published (single terms and Others) fits the truth, shows no count from
    1 to 4, keeps zeros as zeros, and no hidden cell in it can be worked out
    from the rest and the total."""
    from situation.figures import Others, Suppressor, fold_rare

    total = sum(values)
    terms = list(range(len(values)))
    group = fold_rare(terms, values, total, Suppressor(True))
    published_values = [sum(values[t] for t in term.terms) if isinstance(term, Others) else values[term]
                        for term in group.terms]
    assert sum(published_values) == total and str(group.total) == str(Cell(total, hidden=0 < total < THRESHOLD))
    for term, cell, value in zip(group.terms, group.cells, published_values):
        assert cell.value == value
        assert not (0 < value < THRESHOLD and not cell.hidden)
        if not isinstance(term, Others) and values[term] == 0:
            assert str(cell) in ("0", "..")  # a zero is never folded ("..": a withheld group)
    if group.others is not None:
        assert all(values[t] > 0 for t in group.others.terms) and len(group.others.terms) >= 2
    everything = {("c", 0, j): v for j, v in enumerate(published_values)}
    everything[("g",)] = total
    keyed = {("c", 0, j): c for j, c in enumerate(group.cells)}
    keyed[("g",)] = group.total
    equations = [{**{k: 1 for k in everything if k[0] == "c"}, ("g",): -1}]
    hidden = {k for k, c in keyed.items() if c.hidden}
    bounds = {k: reader_bounds(keyed[k]) for k in hidden}
    for key in hidden:
        if keyed[key].masked and not 0 < everything[key] < THRESHOLD:
            continue  # a withheld group: what follows from the total alone is no secret
        assert alternative_table(everything, equations, bounds, key) is not None, (values, key)
