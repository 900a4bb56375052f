"""Participatory budgeting: greedy by votes, the Method of Equal Shares, Phragmén.

Every method takes a :class:`BudgetInstance` and returns a :class:`Result` whose
``winners`` are the selected project ids in order of selection, with one :class:`Round`
per step. Ties that decide something are broken by the seeded step of ``_tiebreak`` and
recorded in ``tie_breaks``.

Numbers are floats; two quantities are treated as equal (a tie) when they differ by less
than a relative ``1e-9``, so that a tie in exact arithmetic is still seen as a tie after
rounding. Projects nobody voted for are never selected.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._budget import BudgetInstance
from ._errors import VotingError
from ._result import Result, Round, TieBreak
from ._tiebreak import RULE, break_tie, seeded_order

TOL = 1e-9

Seed = str | int | None
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def _check(instance: BudgetInstance) -> None:
    if not isinstance(instance, BudgetInstance):
        raise VotingError("participatory budgeting methods need a BudgetInstance")


def _fits(spent: float, cost: float, budget: float) -> bool:
    return spent + cost <= budget + TOL * 1e-3 * max(budget, 1.0)


def _fmt(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- greedy


def pb_greedy(
    instance: BudgetInstance, *, seed: Seed = None, min_votes: float | None = None
) -> Result:
    """Greedy by votes: projects in order of votes, each funded if it still fits.

    Votes are approvals (or total points for cumulative ballots). A project that no
    longer fits in what is left of the budget is skipped and the next one is tried.
    With ``min_votes``, projects with fewer votes are not funded (Pabulib's
    ``greedy-threshold``). Projects with equal votes are ordered by the seeded tie-break;
    the tie is recorded when it decided which of them were funded.

    >>> inst = BudgetInstance.from_ballots(
    ...     {"park": 70, "bench": 20, "mural": 40}, 100,
    ...     [["park", "mural"], ["park"], ["mural", "bench"], ["park", "bench"]],
    ... )
    >>> pb_greedy(inst).winners
    ('park', 'bench')

    Complexity: O(n p + p log p) for n distinct ballots over p projects.
    """
    _check(instance)
    scores = instance.scores()
    names = instance.projects
    costs = instance.costs
    order = sorted(range(len(names)), key=lambda j: -scores[j])
    groups: list[list[int]] = []
    for j in order:
        if groups and abs(scores[groups[-1][0]] - scores[j]) <= TOL * max(abs(scores[j]), 1.0):
            groups[-1].append(j)
        else:
            groups.append([j])
    rounds: list[Round] = []
    ties: list[TieBreak] = []
    winners: list[str] = []
    spent = 0.0
    for group in groups:
        members = group
        if len(group) > 1:
            index = {names[j]: j for j in group}
            members = [index[n] for n in seeded_order(index, seed)]
        fate: list[bool] = []
        for j in members:
            name, cost, score = names[j], float(costs[j]), float(scores[j])
            left = instance.budget - spent
            if score <= 0:
                note, ok = "no votes: not funded", False
            elif min_votes is not None and score < min_votes:
                note, ok = f"{_fmt(score)} votes, under the threshold of {_fmt(min_votes)}", False
            elif _fits(spent, cost, instance.budget):
                spent += cost
                note, ok = f"funded: costs {_fmt(cost)}, {_fmt(left - cost)} left", True
            else:
                note, ok = f"does not fit: costs {_fmt(cost)}, only {_fmt(left)} left", False
            fate.append(ok)
            if ok:
                winners.append(name)
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    counts={name: score},
                    elected=(name,) if ok else (),
                    eliminated=() if ok else (name,),
                    note=note,
                )
            )
        if len(members) > 1 and any(fate) and not all(fate):
            tied = tuple(sorted(names[j] for j in members))
            chosen = tuple(names[j] for j, ok in zip(members, fate, strict=True) if ok)
            ties.append(
                TieBreak(
                    step="order of projects with equal votes", tied=tied, chosen=chosen, rule=RULE
                )
            )
    return Result(
        method="pb-greedy",
        winners=tuple(winners),
        rounds=tuple(rounds),
        tie_breaks=tuple(ties),
        explanation=f"Greedy by votes: {len(winners)} projects funded for {_fmt(spent)} of {_fmt(instance.budget)}.",
    )


# --------------------------------------------------------------------------- MES


@dataclass
class _MesData:
    """Per-project supporters, precomputed once and reused by every run of MES."""

    names: tuple[str, ...]
    costs: FloatArray
    budget: float
    n: float
    m: int
    idx: list[IntArray]
    util: list[FloatArray]
    weight: list[FloatArray]
    free: list[int]  # supported projects that cost nothing
    candidates: list[int]  # supported projects with a positive cost
    first_rho: FloatArray


def _mes_data(instance: BudgetInstance, utility: str) -> _MesData:
    if utility not in ("cost", "approval"):
        raise VotingError(f"utility must be 'cost' or 'approval', not {utility!r}")
    values, counts, costs = instance.values, instance.counts, instance.costs
    idx: list[IntArray] = []
    util: list[FloatArray] = []
    weight: list[FloatArray] = []
    free: list[int] = []
    candidates: list[int] = []
    first_rho = np.full(len(instance.projects), np.inf)
    for j in range(len(instance.projects)):
        rows = np.flatnonzero((values[:, j] > 0) & (counts > 0))
        u = values[rows, j] * (costs[j] if utility == "cost" else 1.0)
        w = counts[rows]
        idx.append(rows)
        util.append(np.ascontiguousarray(u))
        weight.append(np.ascontiguousarray(w))
        if rows.size == 0:
            continue
        if costs[j] > 0:
            candidates.append(j)
            first_rho[j] = costs[j] / float(w @ u)
        else:
            free.append(j)
    return _MesData(
        names=instance.projects,
        costs=costs,
        budget=instance.budget,
        n=float(counts.sum()),
        m=values.shape[0],
        idx=idx,
        util=util,
        weight=weight,
        free=free,
        candidates=candidates,
        first_rho=first_rho,
    )


def _rho(b: FloatArray, u: FloatArray, w: FloatArray, cost: float) -> tuple[float, IntArray]:
    """Least rho with sum(w * min(b, rho * u)) >= cost (the supporters can afford it).

    Also returns the supporters (positions in ``b``) who pay all they have at that rho.
    The "poor and rich" iteration: guess that everyone pays ``rho * u``; those who cannot
    pay all they have, and rho is recomputed for the rest. The poor only grow, so it ends,
    usually after two or three linear passes (cheaper than a sort); a sort settles it if not.
    """
    wb = w * b
    wu = w * u
    poor = np.zeros(b.shape[0], dtype=bool)
    paid = 0.0
    for _ in range(8):
        util = float(wu[~poor].sum())
        if util <= 0:
            break
        rho = (cost - paid) / util
        new = ~poor & (b < rho * u * (1 - TOL))
        if not new.any():
            return rho, np.flatnonzero(poor)
        poor |= new
        paid = float(wb[poor].sum())
    r = b / u
    order = np.argsort(r, kind="stable")
    rs = r[order]
    paid_before = np.cumsum(wb[order]) - wb[order]
    util_after = np.cumsum(wu[order][::-1])[::-1]
    rhos = (cost - paid_before) / util_after
    ok = np.flatnonzero(rhos <= rs * (1 + TOL))
    k = int(ok[0]) if ok.size else rhos.size - 1
    return float(rhos[k]), order[:k]


@dataclass
class _MesRun:
    winners: list[int]
    rounds: list[Round]
    ties: list[TieBreak]
    cost: float
    trace: tuple[object, ...] = ()


def _mes_run(
    data: _MesData, per_voter: float, seed: Seed, *, record: bool, trace: bool = False
) -> _MesRun:
    """One run of MES with every voter starting from ``per_voter``.

    With ``trace``, the run also keeps every branch it took (which projects it looked at,
    which it dropped, which supporters were short of money, which ties it broke): two runs
    with the same trace took the same decisions, whatever their starting budgets.
    """
    steps: list[object] = []
    b = np.full(data.m, per_voter, dtype=np.float64)
    names, costs = data.names, data.costs
    winners: list[int] = list(data.free)
    rounds: list[Round] = []
    ties: list[TieBreak] = []
    if record:
        for j in data.free:
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    counts={names[j]: 0.0},
                    elected=(names[j],),
                    note="costs nothing: selected",
                )
            )
    # A heap of lower bounds on each project's price: budgets only shrink within a run, so
    # a price never falls, and a project whose last price already exceeds the best price
    # of this round need not be looked at again (the lazy evaluation of equalshares.net).
    heap = [(float(data.first_rho[j]), j) for j in data.candidates]
    heapq.heapify(heap)
    spent = float(sum(costs[j] for j in data.free))
    while heap:
        best = np.inf
        found: dict[int, float] = {}
        while heap and heap[0][0] <= best * (1 + TOL):
            _, j = heapq.heappop(heap)
            bj = b[data.idx[j]]
            cost = float(costs[j])
            if float(data.weight[j] @ bj) < cost * (1 - TOL):
                if trace:
                    steps.append((j, -1))
                continue  # its supporters can no longer afford it: dropped for good
            rho, poor = _rho(bj, data.util[j], data.weight[j], cost)
            if trace:
                steps.append((j, poor.size, hash(np.sort(poor).tobytes()) if poor.size else 0))
            found[j] = rho
            best = min(best, rho)
        if not found:
            break
        tied = [j for j, r in found.items() if r <= best * (1 + TOL)]
        if len(tied) > 1:
            chosen_name, tb = break_tie(
                [names[j] for j in tied], seed, f"round {len(rounds) + 1}: select"
            )
            ties.append(tb)
            pick = next(j for j in tied if names[j] == chosen_name)
        else:
            pick = tied[0]
        rho = found.pop(pick)
        for j, r in found.items():
            heapq.heappush(heap, (r, j))
        rows = data.idx[pick]
        share = rho * data.util[pick]
        if trace:
            steps.append((pick, tuple(tied), hash(np.packbits(b[rows] <= share).tobytes())))
        b[rows] = np.maximum(b[rows] - np.minimum(b[rows], share), 0.0)
        winners.append(pick)
        spent += float(costs[pick])
        if record:
            top = float(rho * data.util[pick].max())
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    counts={names[j]: r for j, r in sorted(found.items(), key=lambda t: t[1])},
                    elected=(names[pick],),
                    note=(
                        f"{names[pick]} selected: costs {_fmt(float(costs[pick]))}, each supporter "
                        f"pays at most {_fmt(top)} (counts: price per unit of utility)"
                    ),
                )
            )
    return _MesRun(winners=winners, rounds=rounds, ties=ties, cost=spent, trace=tuple(steps))


def _mes_result(
    method: str, data: _MesData, run: _MesRun, extra: Sequence[Round], explanation: str
) -> Result:
    rounds = list(run.rounds)
    for r in extra:
        rounds.append(Round(number=len(rounds) + 1, counts=r.counts, note=r.note))
    return Result(
        method=method,
        winners=tuple(data.names[j] for j in run.winners),
        rounds=tuple(rounds),
        tie_breaks=tuple(run.ties),
        explanation=explanation,
    )


def mes_plain(instance: BudgetInstance, *, utility: str = "cost", seed: Seed = None) -> Result:
    """The Method of Equal Shares, without completion.

    Every voter gets an equal share of the budget. Repeatedly, the project whose
    supporters can pay for it with the lowest price per unit of utility (``rho``: each
    supporter pays ``min(their money, rho * utility)``) is selected and paid for; stop
    when no project can be paid for by its supporters. ``utility="cost"``: a project's
    utility to a supporter is its cost (times the points for cumulative ballots);
    ``utility="approval"``: 1 per approval (the points for cumulative ballots).

    >>> inst = BudgetInstance.from_ballots(
    ...     {"a": 50, "b": 50, "c": 50}, 100, [["a"], ["a"], ["a", "b"], ["c"]]
    ... )
    >>> mes_plain(inst).winners
    ('a',)

    Complexity: O(k p s log s) for k selected projects, p projects, s supporters each.
    """
    _check(instance)
    data = _mes_data(instance, utility)
    if data.n <= 0:
        return Result(method="mes-plain", winners=(), explanation="No ballots.")
    run = _mes_run(data, instance.budget / data.n, seed, record=True)
    return _mes_result(
        "mes-plain",
        data,
        run,
        (),
        f"Equal Shares ({utility} utilities): {len(run.winners)} projects for {_fmt(run.cost)} of {_fmt(instance.budget)}.",
    )


def _add1(
    data: _MesData, base: float, seed: Seed, *, exhaustive_stop: bool, skip: bool = True
) -> tuple[int, str, list[TieBreak]]:
    """The add-one completion: how many one-unit raises are kept, why it stopped, the ties.

    Raising every voter's budget by one unit at a time is the rule; running MES once per
    unit would be slow where a voter's share is large (forints, say). But under a fixed
    trace (the same branches taken) every budget and price in a run is an affine function
    of the starting budget, and every branch is the sign of one. So if the runs at raise
    ``k`` and at raise ``k + s`` have the same trace, so do all the runs between them, and
    their outcome is the same. We therefore gallop (s = 1, 2, 4, ...) to a raise whose trace
    differs, then bisect to the first such raise, and only there run the rule's test. With
    ``skip=False`` every raise is run (the reference, for tests).

    The raises stop, as in pabutools, once a voter's share passes ``budget * (n + 1) / n``.
    """
    cache: dict[int, _MesRun] = {}

    def at(k: int) -> _MesRun:
        if k not in cache:
            cache[k] = _mes_run(data, base + k, seed, record=False, trace=skip)
        return cache[k]

    limit = max(0, int(np.floor(data.budget * (data.n + 1) / data.n - base)))
    n_supported = len(data.free) + len(data.candidates)
    k, cur = 0, at(0)
    ties: dict[tuple[object, ...], TieBreak] = {}

    def keep_ties(run: _MesRun) -> None:
        for tb in run.ties:
            ties.setdefault((tb.step, tb.tied, tb.chosen), tb)

    keep_ties(cur)
    while True:
        for old in [key for key in cache if key < k]:
            del cache[old]
        if exhaustive_stop and _exhaustive(data, cur.winners, cur.cost):
            return k, "the outcome is exhaustive: no other project fits", list(ties.values())
        if len(cur.winners) == n_supported:
            return k, "every project with a vote is selected", list(ties.values())
        if k >= limit:
            return k, "a voter's share has reached the whole budget", list(ties.values())
        nk = k + 1
        if skip and at(nk).trace == cur.trace:
            lo, s, hi = nk, 2, -1
            while lo < limit:
                t = min(k + s, limit)
                if at(t).trace != cur.trace:
                    hi = t
                    break
                lo, s = t, s * 2
            if hi < 0:  # the same decisions all the way to the limit
                k, cur = lo, at(lo)
                continue
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if at(mid).trace == cur.trace:
                    lo = mid
                else:
                    hi = mid
            nk = hi
        nxt = at(nk)
        keep_ties(nxt)
        if not _fits(nxt.cost, 0.0, data.budget):
            return (
                nk - 1,
                f"one more unit per voter would select projects costing {_fmt(nxt.cost)}, "
                f"over the budget of {_fmt(data.budget)}",
                list(ties.values()),
            )
        k, cur = nk, nxt


def _exhaustive(data: _MesData, chosen: Sequence[int], spent: float) -> bool:
    taken = set(chosen)
    return all(
        not _fits(spent, float(data.costs[j]), data.budget)
        for j in range(len(data.names))
        if j not in taken
    )


def mes(
    instance: BudgetInstance,
    *,
    utility: str = "cost",
    seed: Seed = None,
    exhaustive_stop: bool = True,
) -> Result:
    """The Method of Equal Shares completed by the add-one rule (Pabulib's ``equalshares/add1``).

    First :func:`mes_plain` with the real budget. While its outcome is not exhaustive
    (some unselected project would still fit), every voter's budget is raised by one unit
    and MES is run again; the new outcome is kept if it still fits the real budget, and
    the completion stops at the first raise whose outcome would not (no greedy step
    after). This is the rule of equalshares.net; pabutools'
    ``exhaustion_by_budget_increase`` with a step of one unit per voter computes it too.
    With ``exhaustive_stop=False`` the raises go on past an exhaustive outcome, for as
    long as the outcome fits (pabutools' ``exhaustive_stop=False``): this reproduces the
    official outcome of Wieliczka 2023 (Pabulib's ``equalshares/add1-comparison``).
    Runs whose every decision provably matches the previous run's are skipped, which
    changes nothing but the time (see ``_add1``); the raises also stop, as in pabutools,
    once a voter's share passes ``budget * (n + 1) / n``. The last round's note says how
    many raises were kept and why the completion stopped.

    >>> inst = BudgetInstance.from_ballots(
    ...     {"a": 50, "b": 50, "c": 50}, 100, [["a"], ["a"], ["a", "b"], ["c"]]
    ... )
    >>> mes(inst).winners
    ('a', 'c')

    Complexity: O(r k p s log s) for r raises of the budget (see :func:`mes_plain`).
    """
    _check(instance)
    data = _mes_data(instance, utility)
    if data.n <= 0:
        return Result(method="mes", winners=(), explanation="No ballots.")
    base = instance.budget / data.n
    steps, stop, ties = _add1(data, base, seed, exhaustive_stop=exhaustive_stop)
    final = _mes_run(data, base + steps, seed, record=True)
    final.ties = list(ties)
    note = (
        f"add-one completion: each voter's budget raised {steps} time(s) by one unit, "
        f"from {_fmt(base)} to {_fmt(base + steps)}; stopped because {stop}"
    )
    return _mes_result(
        "mes",
        data,
        final,
        (Round(number=0, counts={}, note=note),),
        f"Equal Shares ({utility} utilities) with add-one completion: {len(final.winners)} projects "
        f"for {_fmt(final.cost)} of {_fmt(instance.budget)}. {note}.",
    )


# --------------------------------------------------------------------------- Phragmén


def phragmen(instance: BudgetInstance, *, seed: Seed = None) -> Result:
    """Sequential Phragmén for participatory budgeting (load balancing).

    Voters earn money continuously; a project is bought as soon as its supporters
    together hold its cost, their loads (money spent) then evened out to the new common
    level ``(cost + supporters' loads) / supporters``. Each step buys the project with the
    lowest such level; the method stops when that project no longer fits the budget.
    Projects that cost more than the whole budget are left out from the start (as in
    pabutools). Any positive value on a ballot counts as an approval.

    >>> inst = BudgetInstance.from_ballots(
    ...     {"a": 40, "b": 40, "c": 30}, 80, [["a"], ["a"], ["a", "b"], ["c"]]
    ... )
    >>> phragmen(inst).winners
    ('a', 'c')

    Complexity: O(k n p) for k selected projects, n distinct ballots, p projects.
    """
    _check(instance)
    approve = (instance.values > 0).astype(np.float64)
    w = instance.counts
    support = w @ approve
    names, costs = instance.projects, instance.costs
    loads = np.zeros(approve.shape[0], dtype=np.float64)
    remaining = [j for j in range(len(names)) if support[j] > 0 and costs[j] <= instance.budget]
    winners: list[str] = []
    rounds: list[Round] = []
    ties: list[TieBreak] = []
    spent = 0.0
    note = ""
    while remaining:
        cols = np.asarray(remaining, dtype=np.intp)
        level = ((w * loads) @ approve[:, cols] + costs[cols]) / support[cols]
        best = float(level.min())
        tied = [remaining[k] for k in np.flatnonzero(level <= best + TOL * abs(best))]
        if len(tied) > 1:
            chosen, tb = break_tie(
                [names[j] for j in tied], seed, f"round {len(rounds) + 1}: select"
            )
            ties.append(tb)
            pick = next(j for j in tied if names[j] == chosen)
        else:
            pick = tied[0]
        new_load = float(level[remaining.index(pick)])
        counts = {names[j]: float(x) for j, x in zip(remaining, level, strict=True)}
        if not _fits(spent, float(costs[pick]), instance.budget):
            note = f"{names[pick]} would be next but does not fit: costs {_fmt(float(costs[pick]))}, {_fmt(instance.budget - spent)} left"
            rounds.append(Round(number=len(rounds) + 1, counts=counts, note=note))
            break
        spent += float(costs[pick])
        loads[approve[:, pick] > 0] = new_load
        winners.append(names[pick])
        remaining.remove(pick)
        rounds.append(
            Round(
                number=len(rounds) + 1,
                counts=counts,
                elected=(names[pick],),
                note=f"{names[pick]} bought: its supporters' loads rise to {_fmt(new_load)} (counts: load each project would bring)",
            )
        )
    return Result(
        method="phragmen",
        winners=tuple(winners),
        rounds=tuple(rounds),
        tie_breaks=tuple(ties),
        explanation=f"Sequential Phragmén: {len(winners)} projects for {_fmt(spent)} of {_fmt(instance.budget)}.",
    )
