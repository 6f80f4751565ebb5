"""One position per (actor, issue) per document, from its claims.

The evidence users trust comes first: the actor's current words and deeds outweigh
background and headlines (a quote or reported speech is surer than a narrated deed,
so it weighs more and is shown first). Claims below `MIN_CONFIDENCE` (others' words,
demands, speculation, hedges) are kept for `explain` but make no position.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from monitor.models import Claim, Position
from monitor.profile import Issue, Profile

MIN_CONFIDENCE = 0.35
_OWN_WORDS = {"quote": 2, "reported": 1}


def tier(claim: Claim) -> int:
    """2: the actor's current words or deed; 1: background or a headline."""
    return 2 if claim.current else 1


def position(claims: Sequence[Claim], issue: Issue) -> tuple[str, float, Claim] | None:
    """One document's stance for one (actor, issue): (stance, confidence, best evidence).

    Only the claims of the best tier vote, each with its confidence. A conditional
    statement qualifies absolute ones of the same tier ("will not surrender our weapons
    ... only then will we discuss a defence strategy") unless they weigh twice as much;
    a condition on a stance the plain claims already take only adds to it.
    """
    usable = [c for c in claims if c.confidence >= MIN_CONFIDENCE]
    if not usable:
        return None
    best = max(tier(c) for c in usable)
    usable = [c for c in usable if tier(c) == best]
    plain = {c.stance for c in usable if c.unconditioned is None}
    weight: dict[str, float] = {}
    for claim in usable:
        counted = claim.unconditioned if claim.unconditioned in plain else claim.stance
        key = counted or claim.stance
        weight[key] = weight.get(key, 0.0) + claim.confidence
    total = sum(weight.values())
    stance = max(weight, key=lambda k: (weight[k], -issue.index(k)))
    conditioned = sum(
        c.confidence
        for c in usable
        if c.stance == issue.conditional and c.unconditioned and c.unconditioned not in plain
    )
    rest = total - weight.get(issue.conditional or "", 0.0)
    if issue.conditional and conditioned and 2 * conditioned >= rest:
        stance = issue.conditional
    chosen = [c for c in usable if stance in (c.stance, c.unconditioned)]
    evidence = max(chosen, key=_evidence_rank)
    agreement = weight.get(stance, 0.0) / total
    if stance == issue.conditional:
        agreement = max(agreement, 0.6)
    support = min(1.0, 0.75 + 0.25 * (len(chosen) - 1))
    return stance, round(evidence.confidence * agreement * support, 3), evidence


def _evidence_rank(claim: Claim) -> tuple[int, int, float, int]:
    """What a reader should see first: own words, then the surest claim, then the earliest."""
    return tier(claim), _OWN_WORDS.get(claim.attribution, 0), claim.confidence, -claim.span[0]


def positions(
    claims: Sequence[Claim],
    profile: Profile,
    *,
    document_id: int,
    published_at: date,
    outlet: str | None = None,
) -> list[Position]:
    """The document's positions, one per (actor, issue) it has usable claims for."""
    grouped: dict[tuple[str, str], list[Claim]] = {}
    for claim in claims:
        grouped.setdefault((claim.actor, claim.issue), []).append(claim)
    found = []
    for (actor, issue_name), group in sorted(grouped.items()):
        issue = profile.issues.get(issue_name)
        result = position(group, issue) if issue else None
        if issue is None or result is None:
            continue
        stance, confidence, evidence = result
        found.append(
            Position(
                actor=actor,
                issue=issue_name,
                document_id=document_id,
                published_at=published_at,
                stance=stance,
                score=issue.score(stance),
                confidence=confidence,
                evidence=evidence.sentence,
                outlet=outlet,
            )
        )
    return found
