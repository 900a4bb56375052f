"""Charter rules as versioned, validated data, and the starter charter of every kind.

A charter is a pydantic model: whatever a body adopts is validated against it, so a rule
set that the software cannot honour can never be adopted.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

BODY_KINDS: tuple[str, ...] = (
    "assembly",
    "council",
    "cooperative",
    "union",
    "mutual_aid",
    "time_bank",
    "credit_network",
    "land_trust",
    "caucus",
    "working_group",
    "federation",
)

KIND_LABELS: dict[str, str] = {
    "assembly": "Popular assembly",
    "council": "Council",
    "cooperative": "Worker cooperative",
    "union": "Union",
    "mutual_aid": "Mutual-aid hub",
    "time_bank": "Time bank",
    "credit_network": "Mutual-credit network",
    "land_trust": "Community land trust",
    "caucus": "Caucus",
    "working_group": "Working group",
    "federation": "Federation",
}

DECISION_KINDS: tuple[str, ...] = (
    "general",
    "admit_member",
    "remove_member",
    "amend_charter",
    "fill_mandate",
    "recall_mandate",
    "spend",
    "federation",
)

Method = Literal[
    "motion", "consent", "consensus", "approval", "score", "irv", "stv", "schulze", "quadratic"
]
POWER_PATTERN = r"^[a-z_]+(\.[a-z_]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DecisionRule(_Strict):
    """How one kind of decision is taken."""

    proposers: Literal["member"] | str = Field(
        default="member", description="'member', or a power a proposer must hold"
    )
    cosigners: int = Field(default=0, ge=0, le=1000)
    deliberation_days: int = Field(default=3, ge=0, le=365)
    voting_days: int = Field(default=3, ge=0, le=365)
    method: Method = "motion"
    quorum: float = Field(default=0.0, ge=0, description="fraction of members if < 1, else a count")
    threshold: float = Field(
        default=0.5, gt=0, le=1, description="share of yes votes needed (> it)"
    )
    ballot: Literal["open", "secret"] = "open"
    of: Literal["cast", "members"] = Field(
        default="cast", description="threshold counted over votes cast or over all members"
    )
    seats: int = Field(default=1, ge=1, le=100, description="winners, for elections")
    credits: int = Field(
        default=100, ge=1, le=10000, description="per-voter budget, quadratic voting"
    )
    score_max: int = Field(default=5, ge=1, le=100)
    consensus_fallback: float | None = Field(
        default=None, gt=0, le=1, description="supermajority that decides after a blocked round"
    )
    amendments: Literal["author", "vote"] = Field(
        default="author", description="who accepts an amendment: the author, or a vote of its own"
    )


class MandateRules(_Strict):
    fill: Literal["election", "sortition", "rotation"] = "election"
    term_days: int = Field(default=365, ge=1, le=3650)
    max_consecutive_terms: int = Field(default=2, ge=1, le=100)


class CreditRules(_Strict):
    default_limit: int = Field(default=20, ge=0, description="how far below zero a member may go")
    ceiling: int | None = Field(default=None, ge=0)


class FederationRules(_Strict):
    """How a federation decides: by the ratification of every member body (each under its
    own charter), counted by ``count``."""

    mode: Literal["ratification", "delegates"] = "ratification"
    count: Literal["majority", "supermajority", "consensus", "weighted"] = "majority"
    threshold: float = Field(default=2 / 3, gt=0, le=1, description="for count 'supermajority'")


class Charter(_Strict):
    """The rules of one body."""

    visibility: Literal["public", "members", "hidden"] = "public"
    member_list: Literal["public", "members", "power"] = "members"
    member_list_power: str | None = Field(default=None, pattern=POWER_PATTERN)
    admission: Literal["invitation", "open", "decision"] = "invitation"
    invite: Literal["members", "power"] = "members"
    invite_power: str | None = Field(default=None, pattern=POWER_PATTERN)
    invitation_days: int = Field(default=7, ge=1, le=90)
    decisions: dict[str, DecisionRule] = Field(default_factory=dict)
    mandates: MandateRules = MandateRules()
    credit: CreditRules | None = None
    federation: FederationRules = FederationRules()
    modules: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _coherent(self) -> Charter:
        if self.member_list == "power" and not self.member_list_power:
            raise ValueError("member_list 'power' needs member_list_power")
        if self.invite == "power" and not self.invite_power:
            raise ValueError("invite 'power' needs invite_power")
        unknown = set(self.decisions) - set(DECISION_KINDS)
        if unknown:
            raise ValueError(f"unknown decision kinds: {', '.join(sorted(unknown))}")
        if "general" not in self.decisions:
            raise ValueError("a charter needs a rule for 'general' decisions")
        return self

    def rule_for(self, decision_kind: str) -> DecisionRule:
        return self.decisions.get(decision_kind, self.decisions["general"])


def _rules(**overrides: DecisionRule) -> dict[str, DecisionRule]:
    base = {
        "general": DecisionRule(),
        "admit_member": DecisionRule(deliberation_days=1, voting_days=2),
        "remove_member": DecisionRule(
            deliberation_days=7, voting_days=7, threshold=2 / 3, ballot="secret"
        ),
        "amend_charter": DecisionRule(
            deliberation_days=7, voting_days=7, threshold=2 / 3, quorum=0.25
        ),
        "fill_mandate": DecisionRule(method="stv", ballot="secret"),
        "recall_mandate": DecisionRule(deliberation_days=1, voting_days=3),
    }
    base.update(overrides)
    return base


def starter_charter(kind: str) -> Charter:
    """The charter a new body of ``kind`` starts with; its members amend it from there."""
    if kind not in BODY_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    match kind:
        case "assembly" | "council":
            return Charter(
                visibility="public", member_list="members", admission="open", decisions=_rules()
            )
        case "cooperative":
            return Charter(
                visibility="public",
                admission="decision",
                decisions=_rules(
                    general=DecisionRule(method="consent"), spend=DecisionRule(voting_days=3)
                ),
                modules=("ledger",),
            )
        case "union":
            # Membership lists of a union must never leak: only the holders of a
            # mandate with the power 'members.view' (a secretary elected by the members)
            # see who is in it.
            return Charter(
                visibility="public",
                member_list="power",
                member_list_power="members.view",
                admission="invitation",
                decisions=_rules(general=DecisionRule(ballot="secret")),
            )
        case "mutual_aid":
            return Charter(
                visibility="public", admission="open", decisions=_rules(), modules=("listings",)
            )
        case "time_bank":
            return Charter(
                visibility="public",
                admission="open",
                decisions=_rules(),
                credit=CreditRules(default_limit=20, ceiling=None),
                modules=("ledger", "listings"),
            )
        case "credit_network":
            return Charter(
                visibility="members",
                admission="decision",
                decisions=_rules(),
                credit=CreditRules(default_limit=100),
                modules=("ledger",),
            )
        case "land_trust":
            return Charter(
                visibility="public",
                admission="decision",
                decisions=_rules(
                    amend_charter=DecisionRule(
                        deliberation_days=14, voting_days=7, threshold=3 / 4, quorum=0.5
                    )
                ),
            )
        case "caucus":
            return Charter(
                visibility="members",
                admission="invitation",
                decisions=_rules(general=DecisionRule(ballot="secret")),
            )
        case "working_group":
            return Charter(
                visibility="members",
                admission="invitation",
                decisions=_rules(general=DecisionRule(method="consent", deliberation_days=1)),
            )
        case _:  # federation
            return Charter(
                visibility="public",
                member_list="public",
                admission="decision",
                decisions=_rules(federation=DecisionRule(deliberation_days=14, voting_days=14)),
            )
