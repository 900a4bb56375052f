"""Differential tests: our participatory-budgeting methods against pabutools.

pabutools (exact rational arithmetic) is the independent reference for greedy, the
Method of Equal Shares (``Cost_Sat``, ``Cardinality_Sat``, ``Additive_Cardinal_Sat``), the
add-one completion (``exhaustion_by_budget_increase`` with a step of one unit per voter)
and sequential Phragmén. We compare selected *sets*.

Where the two differ only by tie-breaking the comparison would be meaningless: pabutools
breaks ties lexicographically, we by a seeded random order. So an instance where *our*
count recorded a tie (``tie_breaks`` non-empty; we see a tie whenever two prices agree to
a relative 1e-9, which includes every exact tie) is left out, and each test asserts that
most instances were compared. pabutools also funds projects nobody voted for at the very
end, when they fit; we never fund them, so those are left out of its set before comparing
(they come after every supported project, so they cannot change the rest).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from dualpower.voting import BudgetInstance, Result, mes, mes_plain, pb_greedy, phragmen

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    Additive_Cardinal_Sat,
    ApprovalMultiProfile,
    Cardinality_Sat,
    Cost_Sat,
    CumulativeMultiProfile,
    FrozenApprovalBallot,
    FrozenCumulativeBallot,
    Instance,
    Project,
)
from pabutools.rules import (  # noqa: E402
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)

N_INSTANCES = 500  # generated per test; those without ties are compared


def random_instance(rng: np.random.Generator, *, cumulative: bool = False) -> BudgetInstance:
    """A small random budget: 3-8 projects, 4-12 ballots cast 1-39 times, costs 1-60."""
    p = int(rng.integers(3, 9))
    n = int(rng.integers(4, 13))
    costs = {f"p{j}": int(rng.integers(1, 61)) for j in range(p)}
    budget = int(rng.integers(10, max(11, sum(costs.values()))))
    ballots: list[list[str] | dict[str, float]] = []
    for _ in range(n):
        chosen = [f"p{j}" for j in range(p) if rng.random() < 0.5]
        if cumulative:
            ballots.append({c: float(rng.integers(1, 4)) for c in chosen})
        else:
            ballots.append(chosen)
    # Varied multiplicities keep equal supports (hence ties) rarer.
    counts = [float(c) for c in rng.integers(1, 40, size=n)]
    return BudgetInstance.from_ballots(costs, budget, ballots, counts=counts)


def to_pabutools(inst: BudgetInstance) -> tuple[Instance, object]:
    """The same budget for pabutools: each distinct ballot once, with its multiplicity."""
    projects = [Project(name, int(c)) for name, c in zip(inst.projects, inst.costs, strict=True)]
    pb_inst = Instance(projects, budget_limit=int(inst.budget))
    profile: ApprovalMultiProfile | CumulativeMultiProfile
    if inst.vote_type == "approval":
        profile = ApprovalMultiProfile(instance=pb_inst)
        for row, count in zip(inst.values, inst.counts, strict=True):
            profile[FrozenApprovalBallot(projects[j] for j in np.flatnonzero(row))] = int(count)
    else:
        profile = CumulativeMultiProfile(instance=pb_inst)
        for row, count in zip(inst.values, inst.counts, strict=True):
            ballot = FrozenCumulativeBallot({projects[j]: int(row[j]) for j in np.flatnonzero(row)})
            profile[ballot] = int(count)
    return pb_inst, profile


def supported(inst: BudgetInstance, names: object) -> set[str]:
    votes = dict(zip(inst.projects, inst.scores(), strict=True))
    return {str(p) for p in names if votes[str(p)] > 0}  # type: ignore[attr-defined]


def compare(
    ours: Callable[[BudgetInstance], Result],
    theirs: Callable[[Instance, object], object],
    *,
    seed: int,
    cumulative: bool = False,
    instances: int = N_INSTANCES,
) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    compared = skipped = 0
    for _ in range(instances):
        inst = random_instance(rng, cumulative=cumulative)
        result = ours(inst)
        if result.tie_breaks:
            skipped += 1
            continue
        pb_inst, profile = to_pabutools(inst)
        expected = supported(inst, theirs(pb_inst, profile))
        assert set(result.winners) == expected, (
            inst.projects,
            inst.costs,
            inst.budget,
            inst.values,
            inst.counts,
        )
        compared += 1
    # Small integer instances tie often under MES (equal prices); most still compare.
    assert compared >= instances * 2 // 3, f"only {compared} of {instances} instances without ties"
    print(f"compared {compared}, left out for ties {skipped}")
    return compared, skipped


def test_greedy_agrees_with_pabutools_greedy_utilitarian_welfare_with_cost_sat() -> None:
    # With Cost_Sat, pabutools' greedy orders by (approvals x cost) / cost = approvals.
    compare(pb_greedy, lambda i, p: greedy_utilitarian_welfare(i, p, sat_class=Cost_Sat), seed=1)


def test_mes_plain_with_cost_utilities_agrees_with_pabutools() -> None:
    compare(mes_plain, lambda i, p: method_of_equal_shares(i, p, sat_class=Cost_Sat), seed=2)


def test_mes_plain_with_approval_utilities_agrees_with_pabutools_cardinality_sat() -> None:
    compare(
        lambda inst: mes_plain(inst, utility="approval"),
        lambda i, p: method_of_equal_shares(i, p, sat_class=Cardinality_Sat),
        seed=3,
    )


def test_mes_add1_agrees_with_pabutools_exhaustion_by_budget_increase() -> None:
    # One unit more per voter at each step: the budget limit grows by the number of voters.
    compare(
        mes,
        lambda i, p: exhaustion_by_budget_increase(
            i, p, method_of_equal_shares, {"sat_class": Cost_Sat}, budget_step=p.num_ballots()
        ),
        seed=4,
    )


def test_mes_add1_without_exhaustive_stop_agrees_with_pabutools() -> None:
    compare(
        lambda inst: mes(inst, exhaustive_stop=False),
        lambda i, p: exhaustion_by_budget_increase(
            i,
            p,
            method_of_equal_shares,
            {"sat_class": Cost_Sat},
            budget_step=p.num_ballots(),
            exhaustive_stop=False,
        ),
        seed=5,
    )


def test_mes_on_cumulative_ballots_agrees_with_pabutools_additive_cardinal_sat() -> None:
    compare(
        lambda inst: mes_plain(inst, utility="approval"),
        lambda i, p: method_of_equal_shares(i, p, sat_class=Additive_Cardinal_Sat),
        seed=6,
        cumulative=True,
    )


def test_phragmen_agrees_with_pabutools_sequential_phragmen() -> None:
    compare(phragmen, lambda i, p: sequential_phragmen(i, p), seed=7)
