"""Evidence leaves only through its permission-checked view, DEBUG or not."""

import pytest
from django.urls import reverse

from scoring.services import self_evaluation as service
from tests.factories import PDF, upload


@pytest.mark.usefixtures("debug_urls")
def test_evidence_is_not_served_at_its_media_address_under_debug(client, tree, sheet):
    evidence = service.add_evidence(
        sheet=sheet, actor=tree.secretary, uploaded_file=upload("记录.pdf", PDF)
    )
    for user in (None, tree.secretary):
        if user:
            client.force_login(user)
        response = client.get(f"/media/{evidence.file.name}")
        assert response.status_code == 404
        assert not response.streaming
    assert client.get(reverse("scoring:evidence_download", args=[evidence.pk])).status_code == 200
