"""Filters and tags of the decision pages: Markdown made safe, ballots in words, and the
Proposals tab of a body's navigation."""

from __future__ import annotations

from typing import Any

import nh3
from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from dualpower.bodies import policy
from dualpower.bodies.models import Body

register = template.Library()

# Raw HTML in the source is escaped by markdown-it and whatever it produces is cleaned
# by nh3 again: a proposal's text can never carry a script or a style into the page.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

CHOICE_WORDS = {
    "yes": "Yes",
    "no": "No",
    "abstain": "Abstain",
    "consent": "Consent",
    "object": "Object",
    "agree": "Agree",
    "stand_aside": "Stand aside",
    "block": "Block",
}


@register.filter
def markdown(text: str) -> SafeString:
    html = _MD.render(str(text or ""))
    return mark_safe(nh3.clean(html, link_rel="noopener noreferrer nofollow"))


@register.filter
def choice_word(choice: str) -> str:
    return CHOICE_WORDS.get(str(choice), str(choice))


def _label(labels: dict[str, str], key: str) -> str:
    return labels.get(key, key)


@register.filter
def ballot_words(content: Any, labels: dict[str, str] | None = None) -> str:
    """A stored ballot as one line a person reads."""
    labels = labels or {}
    if not isinstance(content, dict):
        return ""
    if "choice" in content:
        word = CHOICE_WORDS.get(str(content["choice"]), str(content["choice"]))
        return f"{word}: {content['reason']}" if content.get("reason") else word
    if "approve" in content:
        approved = [_label(labels, k) for k in content["approve"]]
        return "Approves " + ", ".join(approved) if approved else "Approves none"
    if "scores" in content or "votes" in content:
        values = content.get("scores") or content.get("votes") or {}
        return ", ".join(f"{_label(labels, k)}: {v}" for k, v in values.items()) or "Empty"
    if "ranking" in content:
        ranked = [f"{i}. {_label(labels, k)}" for i, k in enumerate(content["ranking"], 1)]
        return " ".join(ranked) or "Empty"
    return ""


@register.filter
def option_label(key: str, labels: dict[str, str]) -> str:
    return _label(labels, str(key))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.inclusion_tag("decisions/_tab.html", takes_context=True)
def proposals_tab(context: template.Context) -> dict[str, Any]:
    """The Proposals tab of a body's navigation, for those who may see its decisions."""
    body = context.get("body")
    request = context.get("request")
    user = getattr(request, "user", None)
    shown = isinstance(body, Body) and policy.can(user, "decisions.view", body)
    return {
        "shown": shown,
        "href": reverse("decisions:list", args=[body.slug]) if shown and body else "",
        "current": context.get("tab") == "proposals",
    }
