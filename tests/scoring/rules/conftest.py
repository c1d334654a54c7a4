import pytest
from django.utils import translation


@pytest.fixture(scope="session")
def chinese():
    """gettext through the app's Chinese catalogue, whatever language is active."""

    def translate(msgid):
        with translation.override("zh-hans"):
            return translation.gettext(msgid)

    return translate
