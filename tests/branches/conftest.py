import pytest

from tests.factories import Tree


@pytest.fixture
def tree(db):
    """The shared tree (tests.factories.Tree) with its work committee coded GW, as in the
    test workbooks: a roster holds one work committee, the one already imported."""
    tree = Tree()
    tree.committee.code = "GW"
    tree.committee.save()
    return tree
