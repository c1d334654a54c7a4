import pytest

from .helpers import po_catalogue


@pytest.fixture(scope="session")
def chinese():
    """gettext as the app will have it once zh_hans.po is merged into its catalogue."""
    catalogue = po_catalogue()
    return catalogue.__getitem__
