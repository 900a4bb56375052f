"""Small filters that turn stored values into words for the pages."""

from __future__ import annotations

from typing import Any

from django import template

from dualpower.bodies.charter import KIND_LABELS

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@register.filter
def words(name: str) -> str:
    """'admit_member' → 'Admit member', 'members.view' stays as it is."""
    text = str(name).replace("_", " ")
    return text[:1].upper() + text[1:]


METHOD_LABELS = {
    "motion": "Motion (yes/no)",
    "consent": "Consent (no paramount objection)",
    "consensus": "Consensus",
    "approval": "Approval voting",
    "score": "Score voting",
    "irv": "Instant runoff",
    "stv": "Single transferable vote",
    "schulze": "Schulze (ranked)",
    "quadratic": "Quadratic voting",
}


@register.filter
def method_label(method: str) -> str:
    return METHOD_LABELS.get(method, words(method))


@register.filter
def short_hash(digest: str) -> str:
    return digest[:12]


@register.filter
def share(value: float) -> str:
    """A fraction as a percentage: 0.6667 → '66.7%', 0.5 → '50%'."""
    return f"{value * 100:.1f}".removesuffix(".0") + "%"


@register.filter
def quorum(value: float) -> str:
    """A quorum below 1 is a share of members, from 1 up a head count."""
    if value == 0:
        return "none"
    if value < 1:
        return f"{share(value)} of members"
    return f"{int(value)} members"


@register.filter
def journal_summary(payload: Any) -> str:
    """One line about an entry: whom it concerns and by what."""
    if not isinstance(payload, dict):
        return ""
    parts: list[str] = []
    for key in ("person", "holder", "founder"):
        ref = payload.get(key)
        if isinstance(ref, dict) and ref.get("name"):
            parts.append(str(ref["name"]))
    for key in ("name", "role", "version"):
        if key in payload and not isinstance(payload[key], dict | list):
            parts.append(f"{key} {payload[key]}" if key == "version" else str(payload[key]))
    by = payload.get("by")
    if isinstance(by, dict) and by.get("name"):
        parts.append(f"by {by['name']}")
    elif isinstance(by, str) and by:
        parts.append(f"by {by}")
    return " · ".join(parts)
