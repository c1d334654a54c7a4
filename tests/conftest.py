import pytest

from tests.factories import Tree


@pytest.fixture
def tree(db):
    """An organisation tree with one user per role (see tests.factories.Tree)."""
    return Tree()
