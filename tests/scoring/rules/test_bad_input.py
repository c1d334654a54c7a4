"""docs/rules.md §4.1: bad input exits 2 with one message naming branch and field, stdout empty."""

import json

import pytest

from .helpers import run

OK_BRANCH = {"id": "B1", "base": 80}


def doc(branch=None, **top):
    """A document with one branch (OK_BRANCH changed by *branch*) and top-level keys."""
    return {"branches": [{**OK_BRANCH, **(branch or {})}], **top}


def with_event(event):
    return doc({"events": [event]})


def drop(key):
    return {k: v for k, v in OK_BRANCH.items() if k != key}


CASES = [
    # (case id, document as dict or raw text, fragments the message must name)
    ("malformed JSON", '{"branches": [', ["JSON"]),
    ("trailing garbage", '{"branches": []} x', ["JSON"]),
    ("empty document", "", ["JSON"]),
    ("top level a list", "[]", ["JSON"]),
    ("branches missing", {}, ["branches"]),
    ("branches not a list", {"branches": {}}, ["branches"]),
    ("unknown top-level key", {"branches": [], "brnaches": []}, ["brnaches"]),
    ("unknown kind", doc(kind="final"), ["kind", "final"]),
    ("policy not an object", doc(policy=[]), ["policy"]),
    ("unknown policy key", doc(policy={"weight": {}}), ["policy.weight"]),
    ("unknown quota mode", doc(policy={"quotas": "strict"}), ["policy.quotas", "strict"]),
    (
        "weights not summing to 1",
        doc(policy={"weights": {"self": 0.2, "survey": 0.3, "review": 0.4}}),
        ["policy.weights"],
    ),
    (
        "weights not naming all three",
        doc(policy={"weights": {"self": 0.5, "survey": 0.5}}),
        ["policy.weights.review"],
    ),
    (
        "unknown weight",
        doc(policy={"weights": {"self": 0.2, "survey": 0.3, "review": 0.5, "x": 0}}),
        ["policy.weights.x"],
    ),
    (
        "weight out of range",
        doc(policy={"weights": {"self": 1.5, "survey": -0.5, "review": 0}}),
        ["policy.weights.self"],
    ),
    ("weight a string", doc(policy={"weights": {"self": "0.2"}}), ["policy.weights.self"]),
    ("four bands", doc(policy={"bands": [90, 80, 70, 60]}), ["policy.bands"]),
    ("bands not descending", doc(policy={"bands": [90, 80, 80, 60, 50]}), ["policy.bands"]),
    ("band out of range", doc(policy={"bands": [101, 80, 70, 60, 50]}), ["policy.bands[0]"]),
    ("share out of range", doc(policy={"five_star_share": 1.1}), ["policy.five_star_share"]),
    ("share a boolean", doc(policy={"low_share": True}), ["policy.low_share"]),
    ("branch not an object", {"branches": [1]}, ["branches[0]"]),
    ("missing id", {"branches": [drop("id")]}, ["branches[0].id"]),
    ("empty id", doc({"id": ""}), ["branches[0].id"]),
    ("blank id", doc({"id": "  "}), ["branches[0].id"]),
    ("id not a string", doc({"id": 7}), ["branches[0].id"]),
    ("duplicate id", {"branches": [OK_BRANCH, OK_BRANCH]}, ["B1", "id", "branches[0]"]),
    ("both components and base", doc({"components": {}}), ["B1", "components"]),
    ("neither components nor base", {"branches": [drop("base")]}, ["B1", "components"]),
    (
        "components missing one",
        {"branches": [{"id": "B1", "components": {"self": 90, "survey": 90}}]},
        ["B1", "components.review"],
    ),
    (
        "unknown component",
        {"branches": [{"id": "B1", "components": {"self": 9, "survey": 9, "review": 9, "x": 9}}]},
        ["B1", "components.x"],
    ),
    (
        "component out of range",
        {"branches": [{"id": "B1", "components": {"self": 100.01, "survey": 9, "review": 9}}]},
        ["B1", "components.self"],
    ),
    (
        "component a string",
        {"branches": [{"id": "B1", "components": {"self": 9, "survey": "90", "review": 9}}]},
        ["B1", "components.survey"],
    ),
    (
        "components not an object",
        {"branches": [{"id": "B1", "components": [90, 90, 90]}]},
        ["B1", "components"],
    ),
    ("base NaN", '{"branches": [{"id": "B1", "base": NaN}]}', ["B1", "base", "NaN"]),
    ("base Infinity", '{"branches": [{"id": "B1", "base": Infinity}]}', ["B1", "base"]),
    ("base negative", doc({"base": -0.01}), ["B1", "base"]),
    ("base null", doc({"base": None}), ["B1", "base"]),
    ("base a boolean", doc({"base": True}), ["B1", "base"]),
    ("satisfaction above 1", doc({"satisfaction": 1.01}), ["B1", "satisfaction"]),
    ("satisfaction a string", doc({"satisfaction": "0.8"}), ["B1", "satisfaction"]),
    ("unknown election", doc({"election": "late"}), ["B1", "election", "late"]),
    ("election null", doc({"election": None}), ["B1", "election"]),
    ("unknown branch key", doc({"satisfation": 0.8}), ["B1", "satisfation"]),
    ("key given twice", '{"branches": [{"id": "B1", "base": 80, "base": 90}]}', ["B1", "base"]),
    ("events not a list", doc({"events": {}}), ["B1", "events"]),
    ("event not an object", doc({"events": ["absence"]}), ["B1", "events[0]"]),
    ("event without type", with_event({"count": 1}), ["B1", "events[0].type"]),
    ("unknown event type", with_event({"type": "praise"}), ["B1", "events[0].type", "praise"]),
    ("bonus without level", with_event({"type": "commendation"}), ["B1", "events[0].level"]),
    (
        "unknown level",
        with_event({"type": "innovation", "level": "county"}),
        ["B1", "events[0].level", "county"],
    ),
    ("criticism without by", with_event({"type": "criticism"}), ["B1", "events[0].by"]),
    (
        "unknown issuer",
        with_event({"type": "criticism", "by": "press"}),
        ["B1", "events[0].by", "press"],
    ),
    (
        "discipline without severity",
        with_event({"type": "leader_discipline"}),
        ["B1", "events[0].severity"],
    ),
    (
        "unknown severity",
        with_event({"type": "leader_discipline", "severity": "expulsion"}),
        ["B1", "events[0].severity"],
    ),
    (
        "count on a bonus event",
        with_event({"type": "commendation", "level": "city", "count": 2}),
        ["B1", "events[0].count"],
    ),
    (
        "level on a penalty event",
        with_event({"type": "criticism", "by": "work_committee", "level": "city"}),
        ["B1", "events[0].level"],
    ),
    ("count zero", with_event({"type": "absence", "count": 0}), ["B1", "events[0].count"]),
    ("count fractional", with_event({"type": "absence", "count": 1.5}), ["B1", "events[0].count"]),
    ("count a string", with_event({"type": "absence", "count": "2"}), ["B1", "events[0].count"]),
    ("count a boolean", with_event({"type": "absence", "count": True}), ["B1", "events[0].count"]),
    ("count too large", with_event({"type": "absence", "count": 1001}), ["B1", "events[0].count"]),
]


@pytest.mark.parametrize(("document", "names"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_message_naming_where(document, names):
    code, out, err = run(document)
    assert code == 2
    assert out == ""
    message = err.strip()
    assert message and "\n" not in message
    for name in names:
        assert name in message


def test_the_message_names_the_later_branch_by_its_id(settings):
    settings.LANGUAGE_CODE = "en"
    document = {"branches": [{"id": "OK", "base": 80}, {"id": "支部-7", "base": 101}]}
    assert run(document)[2].strip() == "Branch 支部-7, field base: must be between 0 and 100"


def test_the_message_is_in_the_site_language():
    code, out, err = run(doc({"base": 101}))
    assert (code, out, err.strip()) == (2, "", "支部 B1，字段 base：必须在 0 到 100 之间")


def test_a_count_written_as_a_whole_decimal_is_accepted():
    code, out, _ = run(with_event({"type": "absence", "count": 2.0}))
    assert code == 0
    assert json.loads(out)["results"][0]["penalty"] == "6.00"
