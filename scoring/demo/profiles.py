"""Branch profiles: which tier each branch is in (the strong, the weak, the one closed
below 80 % participation), and the scores, grades and verdicts a tier gives."""

import random
from dataclasses import dataclass
from decimal import Decimal

from .data import GOOD, MEDIUM, STRONG, TIERS, VERDICTS, WEAK
from .organisations import DemoOrganisations


@dataclass
class Profile:
    tier: str
    participation: float  # share of members who vote
    satisfaction: float | None = None  # forced (satisfied + basically) / valid
    override: bool = False  # survey closed below 80 % by staff


def branch_profiles(rng: random.Random, orgs: DemoOrganisations) -> dict[int, Profile]:
    """Seven strong branches (the secretary account's among them), two weak ones (one
    with satisfaction below 60 %, one below 50 %), one closed below 80 % participation;
    the rest good or medium."""
    branches = orgs.branches
    own = orgs.branches_under(orgs.parents[0])[0]
    others = [b for b in branches if b.pk != own.pk]
    picked = rng.sample(others, 9)
    strong = [own, *picked[:6]]
    below_60, below_50, low_turnout = picked[6], picked[7], picked[8]
    profiles = {}
    for branch in branches:
        tier = GOOD if rng.random() < 0.5 else MEDIUM
        profiles[branch.pk] = Profile(tier, rng.uniform(0.82, 1.0))
    for branch in strong:
        profiles[branch.pk].tier = STRONG
    profiles[below_60.pk] = Profile(WEAK, rng.uniform(0.85, 1.0), satisfaction=0.56)
    profiles[below_50.pk] = Profile(WEAK, rng.uniform(0.85, 1.0), satisfaction=0.42)
    profiles[low_turnout.pk] = Profile(MEDIUM, 0.7, override=True)
    return profiles


def criterion_scores(rng: random.Random, criteria, level: float) -> list[Decimal]:
    """One score per criterion around `level` (out of 10), in half points."""
    scores = []
    for criterion in criteria:
        value = level + rng.choice((-1.0, -0.5, -0.5, 0.0, 0.0, 0.5, 0.5))
        value = max(0.0, min(float(criterion.max_points), value))
        value *= float(criterion.max_points) / 10
        scores.append(Decimal(round(value * 2) / 2).quantize(Decimal("0.01")))
    return scores


def self_star_for(total: Decimal) -> int:
    for star, threshold in ((5, 90), (4, 80), (3, 70), (2, 60), (1, 50)):
        if total >= threshold:
            return star
    return 0


def _spread(count: int, shares) -> list[int]:
    """`count` choices split by `shares` (largest remainder), in random order."""
    total = sum(shares)
    raw = [count * share / total for share in shares]
    counts = [int(r) for r in raw]
    order = sorted(range(len(shares)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: count - sum(counts)]:
        counts[i] += 1
    return counts


def verdicts_for(rng: random.Random, valid: int, profile: Profile) -> list[str]:
    shares = TIERS[profile.tier][3]
    if profile.satisfaction is not None:
        happy = int(valid * profile.satisfaction)  # rounded down: stays below the mark
        satisfied = happy // 2
        counts = [satisfied, happy - satisfied, valid - happy]
    else:
        counts = _spread(valid, shares)
    verdicts = [v for v, n in zip(VERDICTS, counts, strict=True) for _i in range(n)]
    rng.shuffle(verdicts)
    return verdicts
