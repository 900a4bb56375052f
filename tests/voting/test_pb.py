"""Participatory budgeting methods: worked examples and properties (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualpower.voting import (
    BallotError,
    BudgetInstance,
    VotingError,
    mes,
    mes_plain,
    pb_greedy,
    phragmen,
    seeded_order,
)
from dualpower.voting import _pb as pb_module
from dualpower.voting._pb import _add1, _mes_data

METHODS = {
    "pb_greedy": pb_greedy,
    "mes": mes,
    "mes_plain": mes_plain,
    "mes_approval": lambda inst, seed=None: mes(inst, utility="approval", seed=seed),
    "mes_no_exhaustive_stop": lambda inst, seed=None: mes(inst, seed=seed, exhaustive_stop=False),
    "phragmen": phragmen,
}


def playground() -> BudgetInstance:
    return BudgetInstance.from_ballots(
        {"park": 60, "library": 50, "bench": 10, "mural": 30},
        100,
        [["park", "bench"], ["park"], ["park", "mural"], ["library"], ["library", "bench"]],
    )


# ------------------------------------------------------------------ worked examples


def test_greedy_funds_by_votes_and_skips_what_no_longer_fits() -> None:
    # votes: park 3, library 2, bench 2, mural 1; park (60) then library (50) does not fit.
    result = pb_greedy(playground(), seed=1)
    assert result.winners[0] == "park"
    assert "library" not in result.winners
    assert set(result.winners) == {"park", "bench", "mural"}
    assert any("does not fit" in r.note for r in result.rounds)


def test_greedy_threshold_refuses_projects_under_min_votes() -> None:
    result = pb_greedy(playground(), seed=1, min_votes=2)
    assert "mural" not in result.winners
    assert any("under the threshold" in r.note for r in result.rounds)


def test_greedy_records_a_tie_only_when_it_decided_who_was_funded() -> None:
    inst = BudgetInstance.from_ballots({"a": 60, "b": 60}, 100, [["a", "b"]])
    result = pb_greedy(inst, seed="journal-head")
    assert len(result.winners) == 1
    assert result.winners[0] == seeded_order(["a", "b"], "journal-head")[0]
    assert result.tie_breaks[0].tied == ("a", "b")
    both_fit = BudgetInstance.from_ballots({"a": 50, "b": 50}, 100, [["a", "b"]])
    assert pb_greedy(both_fit).tie_breaks == ()


def test_mes_gives_the_minority_its_share_where_greedy_does_not() -> None:
    # Three of four voters want a and b; one wants c. Each costs 50 of 100.
    inst = BudgetInstance.from_ballots(
        {"a": 50, "b": 50, "c": 50}, 100, [["a", "b"], ["a", "b"], ["a", "b"], ["c"]]
    )
    assert set(pb_greedy(inst).winners) == {"a", "b"}
    # Each voter holds 25: the majority (75) buys a, then holds 25 in all for b (cost 50);
    # the minority's 25 cannot buy c. add1 raises budgets until b becomes affordable.
    assert mes_plain(inst).winners == ("a",)
    assert set(mes(inst).winners) == {"a", "b"}


def test_mes_stops_raising_budgets_at_the_first_raise_that_would_not_fit() -> None:
    result = mes(playground())
    assert playground().cost_of(result.winners) <= 100
    assert "add-one completion" in result.rounds[-1].note


def test_mes_records_one_round_per_selected_project() -> None:
    result = mes_plain(playground())
    elected = [r.elected[0] for r in result.rounds if r.elected]
    assert tuple(elected) == result.winners
    assert all(r.number == i + 1 for i, r in enumerate(result.rounds))


def test_zero_cost_projects_with_support_are_selected_first_by_mes() -> None:
    inst = BudgetInstance.from_ballots({"free": 0, "a": 10}, 10, [["free"], ["a"]])
    assert mes_plain(inst).winners[0] == "free"


def test_projects_nobody_voted_for_are_never_selected() -> None:
    inst = BudgetInstance.from_ballots({"wanted": 10, "unwanted": 1}, 100, [["wanted"]])
    for method in METHODS.values():
        assert "unwanted" not in method(inst).winners


def test_phragmen_balances_loads_and_stops_when_the_next_project_does_not_fit() -> None:
    inst = BudgetInstance.from_ballots(
        {"a": 40, "b": 40, "c": 30}, 80, [["a"], ["a"], ["a", "b"], ["c"]]
    )
    result = phragmen(inst)
    # loads: a 40/3; c 30/1; b (40 + 40/3) / 1. a first, c second, then b does not fit.
    assert result.winners == ("a", "c")
    assert "does not fit" in result.rounds[-1].note


def test_mes_refuses_an_unknown_utility() -> None:
    with pytest.raises(VotingError):
        mes(playground(), utility="happiness")


def test_methods_refuse_something_that_is_not_a_budget_instance() -> None:
    with pytest.raises(VotingError):
        pb_greedy("not an instance")  # type: ignore[arg-type]


def test_an_instance_refuses_negative_costs_and_unknown_projects() -> None:
    with pytest.raises(BallotError):
        BudgetInstance.from_ballots({"a": -1}, 10, [["a"]])
    with pytest.raises(BallotError):
        BudgetInstance.from_ballots({"a": 1}, 10, [["b"]])


def test_results_serialise_to_json() -> None:
    data = mes(playground()).to_json()
    assert data["method"] == "mes" and data["rounds"]


# ------------------------------------------------------------------ properties


@st.composite
def instances(draw: st.DrawFn) -> BudgetInstance:
    p = draw(st.integers(1, 7))
    costs = {f"p{j}": draw(st.integers(0, 50)) for j in range(p)}
    budget = draw(st.integers(0, 120))
    cumulative = draw(st.booleans())
    n = draw(st.integers(1, 8))
    ballots: list[list[str] | dict[str, float]] = []
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(sorted(costs)), unique=True, max_size=p))
        if cumulative:
            ballots.append({c: float(draw(st.integers(1, 3))) for c in chosen})
        else:
            ballots.append(chosen)
    counts = [float(draw(st.integers(1, 5))) for _ in range(n)]
    return BudgetInstance.from_ballots(costs, budget, ballots, counts=counts)


@settings(max_examples=150, deadline=None)
@given(inst=instances(), seed=st.integers(0, 3))
def test_no_method_ever_exceeds_the_budget(inst: BudgetInstance, seed: int) -> None:
    for method in METHODS.values():
        winners = method(inst, seed=seed).winners
        assert len(set(winners)) == len(winners)
        assert inst.cost_of(winners) <= inst.budget + 1e-9


@settings(max_examples=60, deadline=None)
@given(inst=instances(), seed=st.integers(0, 3), data=st.data())
def test_anonymity_the_order_and_grouping_of_ballots_do_not_matter(
    inst: BudgetInstance, seed: int, data: st.DataObject
) -> None:
    # Shuffle the rows, and split every count into single ballots: same outcome.
    perm = data.draw(st.permutations(range(inst.values.shape[0])))
    rows = np.repeat(inst.values[list(perm)], inst.counts[list(perm)].astype(int), axis=0)
    split = BudgetInstance(
        projects=inst.projects,
        costs=inst.costs,
        budget=inst.budget,
        values=rows,
        counts=np.ones(rows.shape[0]),
        vote_type=inst.vote_type,
    )
    for method in METHODS.values():
        assert method(split, seed=seed).winners == method(inst, seed=seed).winners


@settings(max_examples=80, deadline=None)
@given(inst=instances())
def test_mes_selects_only_projects_its_supporters_could_pay_for(inst: BudgetInstance) -> None:
    result = mes_plain(inst)
    spent = 0.0
    index = {p: j for j, p in enumerate(inst.projects)}
    for name in result.winners:
        spent += float(inst.costs[index[name]])
        assert spent <= inst.budget + 1e-9
        assert inst.scores()[index[name]] > 0


@settings(max_examples=120, deadline=None)
@given(inst=instances(), seed=st.integers(0, 5), min_votes=st.none() | st.integers(0, 10))
def test_greedy_is_exactly_its_definition(
    inst: BudgetInstance, seed: int, min_votes: int | None
) -> None:
    # Brute check: sort by votes, equal votes in the seeded order; fund what fits.
    scores = dict(zip(inst.projects, inst.scores(), strict=True))
    costs = dict(zip(inst.projects, inst.costs, strict=True))
    by_votes: dict[float, list[str]] = {}
    for p in inst.projects:
        by_votes.setdefault(float(scores[p]), []).append(p)
    expected: list[str] = []
    spent = 0.0
    for votes in sorted(by_votes, reverse=True):
        group = by_votes[votes]
        for p in seeded_order(group, seed) if len(group) > 1 else group:
            if (
                votes > 0
                and (min_votes is None or votes >= min_votes)
                and spent + costs[p] <= inst.budget
            ):
                expected.append(p)
                spent += costs[p]
    assert pb_greedy(inst, seed=seed, min_votes=min_votes).winners == tuple(expected)


@settings(max_examples=40, deadline=None)
@given(inst=instances(), seed=st.integers(0, 3))
def test_the_same_seed_gives_the_same_outcome(inst: BudgetInstance, seed: int) -> None:
    for method in METHODS.values():
        assert method(inst, seed=seed) == method(inst, seed=seed)


@settings(max_examples=80, deadline=None)
@given(
    inst=instances(),
    unit=st.sampled_from([1, 30]),
    utility=st.sampled_from(["cost", "approval"]),
    stop=st.booleans(),
    seed=st.integers(0, 3),
)
def test_skipping_raises_with_identical_runs_changes_nothing(
    inst: BudgetInstance, unit: int, utility: str, stop: bool, seed: int
) -> None:
    # mes() skips runs of the add-one completion whose decisions cannot differ, guided by
    # each run's guess of how long its decisions last; raising one unit at a time must give
    # the same number of raises, the same reason to stop and the same ties. With unit=30
    # (costs and budget in larger coins) a voter's share spans many raises, and most are
    # skipped.
    scaled = BudgetInstance(
        projects=inst.projects,
        costs=inst.costs * unit,
        budget=inst.budget * unit,
        values=inst.values,
        counts=inst.counts,
        vote_type=inst.vote_type,
    )
    data = _mes_data(scaled, utility)
    if data.n <= 0:
        return
    base = scaled.budget / data.n
    fast = _add1(data, base, seed, exhaustive_stop=stop, skip=True)
    slow = _add1(data, base, seed, exhaustive_stop=stop, skip=False)
    assert fast == slow


def test_a_long_add_one_completion_runs_mes_once_per_change_of_decisions_not_per_raise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four voters share 40,000 (10,000 each) and "hall" is selected at once. The rule then
    # raises every share by one unit until "park" becomes affordable, at 12,500 a head, and
    # would overspend: 2,499 raises kept. Only where the decisions change is MES run.
    inst = BudgetInstance.from_ballots(
        {"hall": 30_000, "park": 15_000, "lamp": 4_000},
        40_000,
        [["hall", "park"], ["hall", "lamp"], ["hall"], ["park"]],
    )
    data = _mes_data(inst, "cost")
    runs: list[float] = []
    real_run = pb_module._mes_run

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(args[1])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(pb_module, "_mes_run", counted)
    fast = _add1(data, 10_000.0, None, exhaustive_stop=True)
    skipped = len(runs)
    slow = _add1(data, 10_000.0, None, exhaustive_stop=True, skip=False)
    assert fast[:2] == (
        2_499,
        "one more unit per voter would select projects costing 45,000, over the budget of 40,000",
    )
    assert fast == slow
    assert len(runs) - skipped == 2_499 + 2  # the reference: every raise, and the one over
    assert skipped <= 10


@settings(max_examples=60, deadline=None)
@given(
    inst=instances(),
    stretch=st.sampled_from([0.0, 0.5, 3.0, float("inf")]),
    stop=st.booleans(),
)
def test_a_wrong_guess_of_how_long_decisions_last_costs_runs_not_the_outcome(
    inst: BudgetInstance, stretch: float, stop: bool
) -> None:
    # Every run's horizon is only a guess, checked with real runs: too short, the
    # completion moves on; too long, it bisects back. Spoil the guesses on purpose.
    scaled = BudgetInstance(
        projects=inst.projects,
        costs=inst.costs * 30,
        budget=inst.budget * 30,
        values=inst.values,
        counts=inst.counts,
        vote_type=inst.vote_type,
    )
    data = _mes_data(scaled, "cost")
    if data.n <= 0:
        return
    base = scaled.budget / data.n
    slow = _add1(data, base, None, exhaustive_stop=stop, skip=False)
    real_run = pb_module._mes_run

    def spoiled(*args: Any, **kwargs: Any) -> Any:
        run = real_run(*args, **kwargs)
        run.horizon = run.horizon * stretch if 0 < run.horizon < float("inf") else stretch
        return run

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pb_module, "_mes_run", spoiled)
        assert _add1(data, base, None, exhaustive_stop=stop, skip=True) == slow
