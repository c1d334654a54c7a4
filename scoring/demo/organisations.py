"""The demo's organisation tree: the work committee, its party committees and general
branch, about 40 branches with their election terms, and their members."""

import datetime
import random
from dataclasses import dataclass

from simple_history.utils import bulk_create_with_history

from branches.models import Duty, Member, MemberStatus, Organisation, OrgKind
from starrating import audit

from .data import (
    COMMITTEE_NAME,
    DEMO_ACTION,
    DIRECT_BRANCHES,
    GIVEN_CHARS,
    PARENT_TERM_YEARS,
    PARENTS,
    RETIREES,
    SURNAMES,
    TERM_YEARS,
    add_years,
    reference_date,
)


@dataclass
class DemoOrganisations:
    committee: Organisation
    parents: list[Organisation]  # the party committees, then the general branch
    branches: list[Organisation]  # every branch, in code order (directly managed first)

    def branches_under(self, parent: Organisation) -> list[Organisation]:
        return [b for b in self.branches if b.parent_id == parent.pk]

    @property
    def direct_branches(self) -> list[Organisation]:
        return self.branches_under(self.committee)


def person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=range(len(SURNAMES), 0, -1))[0]
    chars = GIVEN_CHARS[rng.random() < 0.45]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.sample(chars, length))


def _branch_terms(rng: random.Random, count: int, ref: datetime.date, keep: set[int]) -> list[dict]:
    """Term fields per branch: most on time, three overdue, one overdue more than a
    year, one overdue with an approved postponement (all judged at `ref`, the current
    campaign's reference date). Branches whose index is in `keep` stay on time."""
    special = rng.sample([i for i in range(count) if i not in keep], 5)
    overdue, over_1y, postponed = special[:3], special[3], special[4]
    terms = []
    for i in range(count):
        postponement = False
        if i in overdue:
            term_end = ref - datetime.timedelta(days=rng.randint(20, 250))
        elif i == over_1y:
            term_end = ref - datetime.timedelta(days=rng.randint(400, 520))
        elif i == postponed:
            term_end = ref - datetime.timedelta(days=rng.randint(30, 120))
            postponement = True
        else:
            # Elected so that the term runs well past the reference date.
            term_end = ref + datetime.timedelta(days=rng.randint(220, 1060))
        term_start = add_years(term_end, -TERM_YEARS)
        terms.append(
            {
                "term_start": term_start,
                "term_end": term_end,
                "last_election": term_start,
                "postponement_approved": postponement,
            }
        )
    return terms


def build_organisations(
    rng: random.Random, *, year: int, reference: datetime.date | None = None
) -> DemoOrganisations:
    """The work committee, its party committees and general branch, and about 40
    branches (six directly managed), each with 8–25 members. Election terms are set
    against `reference` (the current campaign's reference date, 5 June by default)."""
    recorded = audit.bulk_options(actor=None, action=DEMO_ACTION)
    committee = Organisation.objects.create(name=COMMITTEE_NAME, code="JG", kind=OrgKind.COMMITTEE)
    parents = []
    for number, (name, kind, _names) in enumerate(PARENTS, start=1):
        start = datetime.date(year - rng.randint(1, 4), rng.randint(1, 12), rng.randint(1, 28))
        parents.append(
            Organisation(
                name=name,
                code=f"JG-{number:02d}",
                kind=kind,
                parent=committee,
                term_start=start,
                term_end=add_years(
                    start, PARENT_TERM_YEARS if kind == OrgKind.PARTY_COMMITTEE else TERM_YEARS
                ),
                last_election=start,
            )
        )
    bulk_create_with_history(parents, Organisation, **recorded)
    parents = list(Organisation.objects.filter(parent=committee).order_by("code"))

    specs = [(committee, f"JG-00-{i:02d}", name) for i, name in enumerate(DIRECT_BRANCHES, 1)]
    for parent, (_name, _kind, names) in zip(parents, PARENTS, strict=True):
        specs += [(parent, f"{parent.code}-{i:02d}", name) for i, name in enumerate(names, 1)]
    specs.sort(key=lambda spec: spec[1])
    # The demo accounts' branches (the first direct one, the first under the first
    # party committee) stay on time so their pages start plain.
    keep = {i for i, spec in enumerate(specs) if spec[1] in ("JG-00-01", "JG-01-01")}
    terms = _branch_terms(rng, len(specs), reference or reference_date(year), keep)
    branches = [
        Organisation(name=name, code=code, kind=OrgKind.BRANCH, parent=parent, **term)
        for (parent, code, name), term in zip(specs, terms, strict=True)
    ]
    bulk_create_with_history(branches, Organisation, **recorded)
    branches = list(Organisation.objects.filter(kind=OrgKind.BRANCH).order_by("code"))

    bulk_create_with_history(build_members(rng, branches, year=year), Member, **recorded)
    return DemoOrganisations(committee=committee, parents=parents, branches=branches)


def build_members(rng: random.Random, branches, *, year: int) -> list[Member]:
    """Unsaved members: one secretary per branch, a deputy in big branches, two
    committee members, some probationary members; retirees joined long ago."""
    ref = reference_date(year)
    members = []
    for branch in branches:
        retirees = branch.name == RETIREES
        count = rng.randint(15, 25) if retirees else rng.randint(8, 25)
        duties = [Duty.SECRETARY]
        if count >= 15:
            duties.append(Duty.DEPUTY)
        duties += [Duty.COMMITTEE_MEMBER] * 2
        duties += [Duty.MEMBER] * (count - len(duties))
        leaders = len(duties) - duties.count(Duty.MEMBER)
        probationary = set()
        if not retirees:
            probationary = set(rng.sample(range(leaders, count), rng.randint(0, 2)))
        names = set()
        for index, duty in enumerate(duties):
            name = person_name(rng)
            while name in names:
                name = person_name(rng)
            names.add(name)
            if index in probationary:
                status = MemberStatus.PROBATIONARY
                joined = ref - datetime.timedelta(days=rng.randint(30, 330))
            else:
                status = MemberStatus.FULL
                first, last = (1965, 1992) if retirees else (1988, year - 2)
                joined = datetime.date(rng.randint(first, last), rng.randint(1, 12), 1)
                joined += datetime.timedelta(days=rng.randint(0, 27))
            members.append(
                Member(
                    code=f"{branch.code}-{index + 1:02d}",
                    name=name,
                    branch=branch,
                    duty=duty,
                    status=status,
                    joined=joined,
                )
            )
    return members
