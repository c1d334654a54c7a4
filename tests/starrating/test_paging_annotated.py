"""Keys-first pages of an annotated queryset keep its annotations (starrating/paging.py)."""

import pytest
from django.db.models import Count

from branches.models import Organisation
from starrating.paging import KeysPaginator, load_keys
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def parents():
    committee = factories.committee()
    made = []
    for number, members in enumerate((3, 1, 2)):
        parent = factories.org(kind="party_committee", parent=committee, code=f"P-{number}")
        for index in range(members):
            factories.branch(parent, code=f"P-{number}-{index}")
        made.append(parent)
    return (
        Organisation.objects.filter(pk__in=[p.pk for p in made])
        .annotate(branches=Count("children"))
        .order_by("-branches", "code")
    )


def test_an_annotated_page_is_the_querysets_page_with_its_annotations(parents):
    paginator = KeysPaginator(parents, 2, count=3, annotated=True)
    shown = [(o.code, o.branches) for o in paginator.get_page(1)]
    assert shown == [(o.code, o.branches) for o in parents[:2]] == [("P-0", 3), ("P-2", 2)]
    assert [(o.code, o.branches) for o in paginator.get_page(2)] == [("P-1", 1)]


def test_rows_read_by_key_alone_carry_no_annotation(parents):
    keys = parents.values_list("pk", flat=True)
    assert not any(hasattr(o, "branches") for o in load_keys(parents, keys))
    assert all(hasattr(o, "branches") for o in load_keys(parents, keys, annotated=True))
