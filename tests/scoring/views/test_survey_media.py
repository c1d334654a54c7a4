"""A slip sheet leaves only through its permission-checked view, DEBUG or not.

It holds plain codes: its stored path must never become a public address, not even on a
developer's machine (nothing is routed at MEDIA_URL).
"""

import pytest
from django.urls import reverse


@pytest.mark.usefixtures("debug_urls")
def test_a_slip_sheet_is_not_served_at_its_media_address_under_debug(client, tree, issued):
    sheet = issued.sheet
    assert sheet.file.storage.exists(sheet.file.name)
    for user in (None, tree.secretary, tree.staff):
        if user:
            client.force_login(user)
        response = client.get(f"/media/{sheet.file.name}")
        assert response.status_code == 404
        assert not response.streaming
    client.force_login(tree.secretary)
    checked = reverse("scoring:survey_sheet", args=[sheet.survey.assessment_id, sheet.pk])
    assert client.get(checked).status_code == 200
