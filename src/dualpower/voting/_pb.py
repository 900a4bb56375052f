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
    wu: list[FloatArray]  # weight * util
    wu_total: list[float]
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
    wu: list[FloatArray] = []
    wu_total: list[float] = []
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
        wu.append(weight[-1] * util[-1])
        wu_total.append(float(wu[-1].sum()))
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
        wu=wu,
        wu_total=wu_total,
        free=free,
        candidates=candidates,
        first_rho=first_rho,
    )


_NOBODY: IntArray = np.zeros(0, dtype=np.intp)


def _rho(
    b: FloatArray,
    u: FloatArray,
    w: FloatArray,
    cost: float,
    wu: FloatArray | None = None,
    wu_total: float | None = None,
) -> tuple[float, IntArray]:
    """Least rho with sum(w * min(b, rho * u)) >= cost (the supporters can afford it).

    Also returns the supporters (positions in ``b``) who pay all they have at that rho.
    The "poor and rich" iteration: guess that everyone pays ``rho * u``; those who cannot
    pay all they have, and rho is recomputed for the rest. The poor only grow, so it ends,
    usually after two or three linear passes (cheaper than a sort); a sort settles it if not.
    ``wu`` (``w * u``) and its sum may be given, computed once per project.
    """
    if wu is None:
        wu = w * u
    util = float(wu.sum()) if wu_total is None else wu_total
    wb = w * b
    if util > 0:  # the first pass, with nobody poor yet
        rho = cost / util
        poor = b < rho * u * (1 - TOL)
        if not poor.any():
            return rho, _NOBODY
        paid = float(wb[poor].sum())
        for _ in range(7):
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
    horizon: float = float(np.inf)  # how far the trace may hold (see _mes_run)


def _first_turn(margins: list[FloatArray], slopes: list[FloatArray]) -> float:
    """Least ``d >= 0`` at which some ``margin + slope * d`` changes sign (inf if none does)."""
    if not margins:
        return float(np.inf)
    m, s = np.concatenate(margins), np.concatenate(slopes)
    moving = (m * s < 0) | ((m == 0) & (s != 0))
    if not moving.any():
        return float(np.inf)
    return float((-m[moving] / s[moving]).min())


def _mes_run(
    data: _MesData,
    per_voter: float,
    seed: Seed,
    *,
    record: bool,
    trace: bool = False,
    horizon: bool = False,
) -> _MesRun:
    """One run of MES with every voter starting from ``per_voter``.

    With ``trace``, the run also keeps every branch it took (which projects it looked at,
    which it dropped, which supporters were short of money, which ties it broke): two runs
    with the same trace took the same decisions, whatever their starting budgets.

    With ``horizon`` as well, it guesses how far its trace holds. Under the same decisions
    every budget and price is an affine function of the starting budget (``b + slope * d``
    after ``d`` more units per voter), so every branch is the sign of an affine margin; the
    run keeps each margin with its slope and returns the least ``d`` at which one of them
    reaches zero. Only a guess (rounding; margins this model may leave out): ``_add1``
    checks it with real runs.
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
    # For the horizon: slopes of the budgets and of the keys in the heap, and the margins.
    slope = np.ones(data.m) if horizon else np.zeros(0)
    key = data.first_rho.copy()
    key_slope = np.zeros(len(names))
    queued = np.zeros(len(names), dtype=bool)
    queued[data.candidates] = True
    margins: list[FloatArray] = []
    slopes: list[FloatArray] = []
    scalars: list[tuple[float, float]] = []
    up = 1 + TOL
    while heap:
        best, best_slope = np.inf, 0.0
        found: dict[int, tuple[float, float]] = {}
        last = -1  # the last project popped in this round
        while heap and heap[0][0] <= best * up:
            r, j = heapq.heappop(heap)
            rows = data.idx[j]
            bj = b[rows]
            cost = float(costs[j])
            w = data.weight[j]
            if horizon:
                # Keys do not change within a round: they are popped in order.
                queued[j] = False
                if last >= 0:
                    scalars.append((r - key[last], key_slope[j] - key_slope[last]))
                if best < np.inf:  # looked at: its key is within the best price so far
                    scalars.append((r - best * up, key_slope[j] - best_slope * up))
                last = j
            money = float(w @ bj)
            if money < cost * (1 - TOL):
                if trace:
                    steps.append((j, -1))
                if horizon:
                    scalars.append((money - cost * (1 - TOL), float(w @ slope[rows])))
                continue  # its supporters can no longer afford it: dropped for good
            u = data.util[j]
            rho, poor = _rho(bj, u, w, cost, data.wu[j], data.wu_total[j])
            rho_slope = 0.0
            if trace:
                steps.append((j, poor.size, hash(np.sort(poor).tobytes()) if poor.size else 0))
            if horizon:
                sj = slope[rows]
                rich = np.ones(rows.size, dtype=bool)
                rich[poor] = False
                rich_util = float(w[rich] @ u[rich])  # > 0: someone is not short of money
                rho_slope = -float(w[poor] @ sj[poor]) / rich_util if rich_util > 0 else 0.0
                margins.append(bj - rho * (1 - TOL) * u)  # < 0: short of money
                slopes.append(sj - rho_slope * (1 - TOL) * u)
            found[j] = (rho, rho_slope)
            if rho < best:
                best, best_slope = rho, rho_slope
        if not found:
            break
        tied = [j for j, (r, _) in found.items() if r <= best * up]
        if horizon:
            scalars.extend((r - best * up, s - best_slope * up) for r, s in found.values())
            if heap:  # the looking stopped at a key above the best price
                r, j = heap[0]
                scalars.append((r - best * up, key_slope[j] - best_slope * up))
                if last >= 0:  # and the last popped was below every key left
                    margins.append(key[queued] - key[last])
                    slopes.append(key_slope[queued] - key_slope[last])
        if len(tied) > 1:
            chosen_name, tb = break_tie(
                [names[j] for j in tied], seed, f"round {len(rounds) + 1}: select"
            )
            ties.append(tb)
            pick = next(j for j in tied if names[j] == chosen_name)
        else:
            pick = tied[0]
        rho, rho_slope = found.pop(pick)
        for j, (r, s) in found.items():
            heapq.heappush(heap, (r, j))
            if horizon:
                key[j], key_slope[j], queued[j] = r, s, True
        rows = data.idx[pick]
        share = rho * data.util[pick]
        if trace:
            steps.append((pick, tuple(tied), hash(np.packbits(b[rows] <= share).tobytes())))
        if horizon:
            paid = rho_slope * data.util[pick]
            margins.append(b[rows] - share)  # <= 0: pays all it has
            slopes.append(slope[rows] - paid)
            slope[rows] = np.where(b[rows] <= share, 0.0, slope[rows] - paid)
        b[rows] = np.maximum(b[rows] - np.minimum(b[rows], share), 0.0)
        winners.append(pick)
        spent += float(costs[pick])
        if record:
            top = float(rho * data.util[pick].max())
            rounds.append(
                Round(
                    number=len(rounds) + 1,
                    counts={
                        names[j]: r for j, (r, _) in sorted(found.items(), key=lambda t: t[1][0])
                    },
                    elected=(names[pick],),
                    note=(
                        f"{names[pick]} selected: costs {_fmt(float(costs[pick]))}, each supporter "
                        f"pays at most {_fmt(top)} (counts: price per unit of utility)"
                    ),
                )
            )
    if scalars:
        pairs = np.array(scalars)
        margins.append(pairs[:, 0])
        slopes.append(pairs[:, 1])
    return _MesRun(
        winners=winners,
        rounds=rounds,
        ties=ties,
        cost=spent,
        trace=tuple(steps),
        horizon=_first_turn(margins, slopes) if horizon else float(np.inf),
    )


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
    their outcome is the same. A run can also guess where its first branch turns (its
    ``horizon``, see :func:`_mes_run`), so we run the raise just before the guess and the
    guess: if the first has the same trace as raise ``k`` and the second another, the
    second is the first raise whose decisions differ, and only there is the rule's test
    run. The guess is never trusted: one that falls short (the same trace again) moves
    ``k`` on; one that overshoots (the raise before already differs) is corrected by
    bisection between ``k`` and it. Where the decisions change at every raise the guesses
    would buy nothing, so runs are made without one until a raise has the same trace as
    the last. With ``skip=False`` every raise is run (the reference, for tests).

    The raises stop, as in pabutools, once a voter's share passes ``budget * (n + 1) / n``.
    """
    cache: dict[int, tuple[_MesRun, bool]] = {}

    def at(k: int, guess: bool = False) -> _MesRun:
        """The run at raise ``k``; with ``guess``, one that has its horizon."""
        if k not in cache or (guess and not cache[k][1]):
            run = _mes_run(data, base + k, seed, record=False, trace=skip, horizon=guess)
            cache[k] = (run, guess)
        return cache[k][0]

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
        if skip and cache[k][1]:
            # The horizon is where a margin reaches zero, to the rounding: lean early.
            h = cur.horizon * (1 - 1e-6) - 1e-6
            nk = limit if not h < limit - k else k + max(1, int(np.ceil(h)))
        if skip and nk > k + 1:
            if at(nk - 1).trace != cur.trace:
                lo, hi = k, nk - 1  # a branch turned before the horizon: bisect
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if at(mid).trace == cur.trace:
                        lo = mid
                    else:
                        hi = mid
                nk = hi
            elif at(nk, True).trace == cur.trace:  # the same decisions up to nk
                k, cur = nk, at(nk)
                continue
        elif skip and at(nk).trace == cur.trace:
            # Decisions that last more than one raise: find how long, from nk.
            k, cur = nk, at(nk, True)
            continue
        # Where every raise changes something, runs without a horizon are cheaper.
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
    MES is not run at every raise, only where its decisions change: each run guesses from
    its own prices how many raises its decisions last, and two runs check the guess (the
    raise before, with the same decisions; the raise itself, with others). This changes
    nothing but the time (see ``_add1``); the raises also stop, as in pabutools, once a
    voter's share passes ``budget * (n + 1) / n``. The last round's note says how many
    raises were kept and why the completion stopped.

    >>> inst = BudgetInstance.from_ballots(
    ...     {"a": 50, "b": 50, "c": 50}, 100, [["a"], ["a"], ["a", "b"], ["c"]]
    ... )
    >>> mes(inst).winners
    ('a', 'c')

    Complexity: O(c k p s log s) for c changes of MES's decisions over the raises, at
    most the number of raises (see :func:`mes_plain`); Budapest VIII 2024 has 1,186 in
    51,514 one-forint raises.
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
