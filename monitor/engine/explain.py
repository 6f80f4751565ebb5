"""Why the engine read a document as it did: each claim with the reasons it kept."""

from __future__ import annotations

from typing import Any

from monitor.engine import Engine
from monitor.engine.aggregate import MIN_CONFIDENCE, tier
from monitor.models import Claim

_TIERS = {2: "current", 1: "background or headline"}


def explain(engine: Engine, text: str, actor: str | None = None) -> list[dict[str, Any]]:
    """The claims of `text` (of one actor, if given) as JSON objects, in text order."""
    return [claim_object(c) for c in engine.claims(text) if actor is None or c.actor == actor]


def claim_object(claim: Claim) -> dict[str, Any]:
    return {
        "actor": claim.actor,
        "issue": claim.issue,
        "stance": claim.stance,
        "confidence": claim.confidence,
        "counts": claim.confidence >= MIN_CONFIDENCE,
        "weight": _TIERS[tier(claim)],
        "sentence": claim.sentence,
        "reasons": dict(claim.reasons),
    }


def render(claims: list[dict[str, Any]]) -> str:
    """Plain text: one block per claim, its reasons indented under it."""
    if not claims:
        return "no claims"
    blocks = []
    for c in claims:
        counts = "" if c["counts"] else " (too weak to make a position)"
        lines = [
            f"{c['actor']} · {c['issue']}: {c['stance']} "
            f"(confidence {c['confidence']:.2f}, {c['weight']}){counts}",
            f"  “{c['sentence']}”",
        ]
        lines += [f"  {key}: {value}" for key, value in c["reasons"].items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
