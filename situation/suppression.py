"""Suppression of small counts for aggregate-only audiences.

Step 1 (primary): counts from 1 to 4 are hidden and shown as "<5". Zero is
shown: "nobody" does not point at a person.

Step 2 (secondary): further cells are hidden, shown as "..", so that no
hidden cell can be worked out from the other cells, totals, subtotals and
margins of the same table. We assume the reader knows everything we show
and what the symbols mean: a "<5" cell holds 1 to 4, a ".." cell holds 5 or
more (zeros and small counts are never "..").

How it is decided. A published table is a set of linear equations: each
row adds up to its row total, each column to its column total, the totals to
the grand total. Every cell sits in at most two of them, so the table is a
graph: equations are nodes and cells are edges (a cell in one equation only
is an edge to a "ground" node that has no equation). Another table that fits
everything shown arises by moving the hidden cells around a cycle of that
graph, alternately up and down by one. A hidden cell can be recovered exactly
when no such cycle through it is possible within the cells' known bounds
(1–4 for "<5", at least 5 for ".."). With the sign of each cell in its
equations taken into account, "possible within bounds" becomes a directed
graph (an arc for each way a cell may move), and the question is whether the
cell's arc lies on a directed cycle. Step 2 hides the cheapest further cells
until every hidden cell lies on one.

The grand total is usually also published elsewhere (the number of reports),
so it is treated as known and never hidden by step 2. If a table cannot be
protected at all, it is withheld as a whole (`withheld`), and the page says
so instead of showing it.
"""
from dataclasses import dataclass

THRESHOLD = 5
# Hiding a total costs more than hiding an inner cell of the same size.
MARGIN_COST = 1000
GROUND = ("ground",)


@dataclass(frozen=True)
class Cell:
    value: int
    hidden: bool = False
    # Hidden as part of a withheld table: says nothing about the value.
    masked: bool = False

    def __str__(self):
        if not self.hidden:
            return str(self.value)
        return "<5" if is_small(self.value) and not self.masked else ".."

    @property
    def shown(self):
        """The value a reader may see: None when hidden."""
        return None if self.hidden else self.value


def is_small(value: int) -> bool:
    return 0 < value < THRESHOLD


def primary(value: int) -> Cell:
    return Cell(value, hidden=is_small(value))


def visible(value: int) -> Cell:
    """A cell for readers who may see exact counts."""
    return Cell(value)


@dataclass
class SuppressedTable:
    cells: list[list[Cell]]
    row_totals: list[Cell] | None
    col_totals: list[Cell] | None
    grand_total: Cell | None
    withheld: bool = False


@dataclass
class _Edge:
    value: int
    row_side: tuple  # the equation node on the "row" side, or GROUND
    col_side: tuple  # the equation node on the "column" side, or GROUND
    sign: int        # +1 for inner cells and the grand total, -1 for margins
    cost: int
    fixed: bool = False  # never hidden by step 2


def _bounds(value: int) -> tuple[int, float]:
    """What a reader knows about a hidden cell from its symbol."""
    return (1, THRESHOLD - 1) if is_small(value) else (THRESHOLD, float("inf"))


def _arcs(edges: dict, hidden: set) -> dict:
    """Directed arcs: node -> [(next node, edge key)]. Moving a cell by +1 in
    the sign-adjusted sense runs from its row side to its column side."""
    arcs: dict = {}
    for key in hidden:
        e = edges[key]
        low, high = _bounds(e.value)
        up, down = e.value < high, e.value > low
        forward, backward = (up, down) if e.sign > 0 else (down, up)
        if forward:
            arcs.setdefault(e.row_side, []).append((e.col_side, key))
        if backward:
            arcs.setdefault(e.col_side, []).append((e.row_side, key))
    return arcs


def _reach(arcs: dict, start, skip) -> set:
    seen = {start}
    stack = [start]
    while stack:
        for nxt, key in arcs.get(stack.pop(), ()):
            if key != skip and nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _free(edges: dict, hidden: set, key, arcs=None) -> bool:
    """Can this hidden cell take another value that fits everything shown?"""
    e = edges[key]
    if e.row_side == GROUND and e.col_side == GROUND:
        return True  # in no equation: only its own bounds, which leave room
    arcs = arcs if arcs is not None else _arcs(edges, hidden)
    for start, goal in ((e.row_side, e.col_side), (e.col_side, e.row_side)):
        if any(k == key and nxt == goal for nxt, k in arcs.get(start, ())):
            if start in _reach(arcs, goal, key):
                return True
    return False


def suppress_table(cells, row_totals=None, col_totals=None, grand_total=None, *,
                   fixed_grand: bool = True) -> SuppressedTable:
    """Primary and secondary suppression of a table with optional margins.

    cells: rows of counts. row_totals[i] is published as the total of row i,
    col_totals[j] as the total of column j, grand_total as the total of
    either margin (or of all cells when there are no margins). Totals that
    are not additive (a report with several forms counts once in a row total)
    are treated as if they were: that model has more equations than the
    truth, so a table safe under it is safe.
    """
    n_rows = len(cells)
    n_cols = len(cells[0]) if n_rows else 0
    if any(len(row) != n_cols for row in cells):
        raise ValueError("All rows must have the same number of cells")
    if row_totals is not None and len(row_totals) != n_rows:
        raise ValueError("One row total per row")
    if col_totals is not None and len(col_totals) != n_cols:
        raise ValueError("One column total per column")

    only_grand = grand_total is not None and row_totals is None and col_totals is None
    # Row-side nodes: row equations and the equation over the column totals.
    # Column-side nodes: column equations and the equation over the row totals.
    row_sum = ("row-totals",) if (grand_total is not None and row_totals is not None) else GROUND
    col_sum = ("col-totals",) if (grand_total is not None and col_totals is not None) else GROUND

    def row_node(i):
        if only_grand:
            return ("all",)
        return ("row", i) if row_totals is not None else GROUND

    def col_node(j):
        return ("col", j) if col_totals is not None else GROUND

    edges: dict = {}
    for i in range(n_rows):
        for j in range(n_cols):
            edges[("c", i, j)] = _Edge(cells[i][j], row_node(i), col_node(j), 1, cells[i][j])
    if row_totals is not None:
        for i, value in enumerate(row_totals):
            edges[("r", i)] = _Edge(value, ("row", i), row_sum, -1, value + MARGIN_COST)
    if col_totals is not None:
        for j, value in enumerate(col_totals):
            edges[("k", j)] = _Edge(value, col_sum, ("col", j), -1, value + MARGIN_COST)
    if only_grand:
        edges[("g",)] = _Edge(grand_total, ("all",), GROUND, -1, grand_total + MARGIN_COST, fixed_grand)
    elif grand_total is not None:
        edges[("g",)] = _Edge(grand_total, col_sum, row_sum, 1, grand_total + MARGIN_COST, fixed_grand)

    hidden = {key for key, e in edges.items() if is_small(e.value)}
    withheld = not _secondary(edges, hidden)

    def cell(key):
        # A fixed grand total is published anyway: it follows the primary
        # rule ("<5" when small) even when the rest of the table is withheld.
        if withheld and not (key == ("g",) and fixed_grand):
            return Cell(edges[key].value, hidden=True, masked=True)
        return Cell(edges[key].value, hidden=key in hidden)

    table = SuppressedTable(
        cells=[[cell(("c", i, j)) for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[cell(("r", i)) for i in range(n_rows)] if row_totals is not None else None,
        col_totals=[cell(("k", j)) for j in range(n_cols)] if col_totals is not None else None,
        grand_total=cell(("g",)) if grand_total is not None else None,
        withheld=withheld,
    )
    return table


def _secondary(edges: dict, hidden: set) -> bool:
    """Hide more cells until every hidden cell is free; False if impossible."""
    while True:
        arcs = _arcs(edges, hidden)
        pinned = sorted((key for key in hidden if not _free(edges, hidden, key, arcs)), key=_order)
        if not pinned:
            return True
        key = pinned[0]
        e = edges[key]
        candidates = sorted((k for k, c in edges.items() if k not in hidden and c.value > 0 and not c.fixed),
                            key=lambda k: (edges[k].cost, _order(k)))
        if not candidates:
            return False
        choice = None
        for k in candidates:  # cheapest cell that frees the pinned one at once
            if _free(edges, hidden | {k}, key):
                choice = k
                break
        if choice is None:
            # Otherwise grow the pinned cell's neighbourhood with the cheapest
            # cell that touches it, and look again.
            near = _reach(arcs, e.row_side, None) | _reach(arcs, e.col_side, None) | {e.row_side, e.col_side}
            touching = [k for k in candidates if edges[k].row_side in near or edges[k].col_side in near]
            choice = (touching or candidates)[0]
        hidden.add(choice)


def _order(key):
    return (key[0],) + tuple(key[1:])


def suppress_group(values: list[int], total: int, *, fixed_total: bool = False) -> tuple[list[Cell], Cell]:
    """Cells and their published total (one-way table), both suppressed.
    fixed_total: the total is published elsewhere too, so it stays shown."""
    table = suppress_table([list(values)], grand_total=total, fixed_grand=fixed_total)
    return table.cells[0], table.grand_total
