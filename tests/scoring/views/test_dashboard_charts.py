"""The dashboard's charts, each an SVG response of its own (scoring/views/dashboard.py
`dashboard_chart`, D-7pa): what each draws, for whom, under which policy, and what the
page refers to. Their query counts at two sizes: tests/scoring/views/test_pages_scale.py."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from branches.models import Organisation
from tests.scoring.services.test_dashboard import World

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(tree):
    return World(tree)


def chart(client, user, name, size="wide", **query):
    client.force_login(user)
    return client.get(reverse("scoring:dashboard_chart", args=[name, size]), query)


def texts(response) -> list[str]:
    """Every text of the SVG, parsed as XML (so it is well formed)."""
    root = ET.fromstring(response.content)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_each_chart_is_an_svg_image_with_its_figures(client, tree, world):
    distribution = chart(client, tree.staff, "distribution", campaign=world.campaign.pk)
    assert distribution.status_code == 200
    assert distribution["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert {"五星级", "不定星级"} <= set(texts(distribution))
    trend = chart(client, tree.staff, "trend", "narrow", campaign=world.campaign.pk)
    assert {str(world.campaign.year - 1), str(world.campaign.year)} <= set(texts(trend))
    comparison = texts(chart(client, tree.staff, "comparison", campaign=world.campaign.pk))
    assert world.p2.name in comparison and tree.party_committee.name in comparison


def test_the_two_sizes_differ_in_width(client, tree, world):
    boxes = {
        size: ET.fromstring(chart(client, tree.staff, "distribution", size).content).get("viewBox")
        for size in ("wide", "narrow")
    }
    assert boxes == {"wide": "0 0 640 320", "narrow": "0 0 360 300"}


def test_a_reviewer_compares_only_the_parents_under_them(client, tree, world):
    names = texts(chart(client, tree.reviewer, "comparison"))
    assert tree.party_committee.name in names
    assert world.p2.name not in names


def test_the_latest_campaign_is_drawn_unless_one_is_chosen(client, tree, world):
    latest = texts(chart(client, tree.staff, "distribution"))
    assert latest == texts(chart(client, tree.staff, "distribution", campaign=world.campaign.pk))
    assert latest != texts(chart(client, tree.staff, "distribution", campaign=world.last.pk))


@pytest.mark.parametrize(
    "name, size, query",
    [
        ("pie", "wide", {}),
        ("distribution", "huge", {}),
        ("distribution", "wide", {"campaign": "999999"}),
        ("distribution", "wide", {"campaign": "x"}),
    ],
)
def test_an_unknown_chart_size_or_campaign_is_not_found(client, tree, world, name, size, query):
    assert chart(client, tree.staff, name, size, **query).status_code == 404


def test_a_chart_with_nothing_to_draw_is_not_found(client, tree):
    from tests import factories

    factories.campaign(tree.committee)  # opened, nobody rated yet
    assert chart(client, tree.staff, "distribution").status_code == 404
    assert chart(client, tree.staff, "trend").status_code == 404


@pytest.mark.parametrize("role", ["secretary", "approver", "rereviewer", "nobody"])
def test_other_roles_are_refused(client, tree, world, role):
    assert chart(client, getattr(tree, role), "comparison").status_code == 403


def test_the_chart_runs_no_script_and_is_not_kept_stale(client, tree, world):
    response = chart(client, tree.staff, "distribution")
    policy = response["Content-Security-Policy"]
    assert "script-src 'none'" in policy and "default-src 'none'" in policy
    assert response["Cache-Control"] == "private, no-cache"


def test_a_parents_name_is_escaped_in_the_svg(client, tree, world):
    name = '<script>alert("x")</script> & 党委'
    Organisation.objects.filter(pk=world.p2.pk).update(name=name)
    response = chart(client, tree.staff, "comparison")
    assert b"<script>alert" not in response.content
    assert name in texts(response)


def test_the_stars_tab_refers_to_the_charts_and_draws_none(client, tree, world):
    client.force_login(tree.staff)
    url = reverse("scoring:dashboard", args=["stars"])
    html = client.get(url, {"campaign": world.campaign.pk})
    html = html.content.decode()
    assert "data:image" not in html and "<svg" not in html
    sources = re.findall(r'(?:src|srcset)="(/dashboard/charts/[^"]+)"', html)
    assert len(sources) == 6
    for source in sources:
        assert client.get(source.replace("&amp;", "&")).status_code == 200
    # The figures stay readable as text beside each chart (the counts and the tables).
    assert 'id="star-counts"' in html and 'id="trend-table"' in html
    assert html.count('alt="') >= 3
