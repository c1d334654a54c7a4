"""`manage.py rate [FILE|-]`: reading, writing and exit status (docs/rules.md §4.1)."""

import gc
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from scoring.rules import Policy, rate
from scoring.rules.document import parse
from scoring.rules.output import outcome_dict, write_outcome

from .helpers import branch, rate_json, run

EXAMPLE = {"branches": [{"id": "B01", "components": {"self": 95, "survey": 90, "review": 92}}]}


def test_reads_the_file_named(tmp_path):
    path = tmp_path / "campaign.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    out = io.StringIO()
    call_command("rate", str(path), stdout=out)
    assert json.loads(out.getvalue())["results"][0]["base"] == "92.00"


def test_reads_standard_input_when_no_file_is_named():
    out = io.StringIO()
    call_command("rate", stdin=io.StringIO(json.dumps(EXAMPLE)), stdout=out)
    assert json.loads(out.getvalue())["results"][0]["id"] == "B01"


def test_a_byte_order_mark_is_tolerated(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(EXAMPLE).encode())
    assert run("", str(path))[0] == 0


def test_an_unreadable_file_exits_2_naming_it(tmp_path):
    code, out, err = run("", str(tmp_path / "missing.json"))
    assert (code, out) == (2, "")
    assert "missing.json" in err


def test_a_file_that_is_not_utf8_exits_2(tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes('{"branches": [{"id": "支部"}]}'.encode("gbk"))
    code, out, err = run("", str(path))
    assert (code, out) == (2, "")
    assert "UTF-8" in err


def test_numbers_are_read_from_their_decimal_text():
    # Through a float, 89.995 is 89.99499… (→ 89.99) and 0.6 is 0.59999… (→ −5).
    document = {"branches": [{"id": "A", "base": 89.995, "satisfaction": 0.6}]}
    result = rate_json(document)["results"][0]
    assert (result["score"], result["penalty"], result["band"]) == ("90.00", "0.00", 5)


def test_weights_given_as_decimals_that_sum_to_1_are_accepted():
    weights = {"self": 0.1, "survey": 0.2, "review": 0.7}
    document = {**EXAMPLE, "policy": {"weights": weights, "quotas": "off"}}
    assert rate_json(document)["results"][0]["base"] == "91.90"  # 9.5 + 18 + 64.4


def test_the_output_has_exactly_the_contract_keys():
    output = rate_json(EXAMPLE)
    assert list(output) == ["results", "quota"]
    assert list(output["results"][0]) == [
        "id",
        "base",
        "bonus",
        "penalty",
        "score",
        "band",
        "star",
        "limits",
        "explain",
    ]
    assert list(output["quota"]) == [
        "mode",
        "total",
        "five_star_max",
        "low_min",
        "adjusted",
        "violations",
    ]
    assert list(output["quota"]["adjusted"][0]) == ["id", "from", "to", "reason"]


def test_the_design_example_gives_the_design_output():
    document = {
        "kind": "initial",
        "policy": {
            "weights": {"self": 0.2, "survey": 0.3, "review": 0.5},
            "bands": [90, 80, 70, 60, 50],
            "five_star_share": 0.10,
            "low_share": 0.10,
            "quotas": "enforce",
        },
        "branches": [
            {
                "id": "B01",
                "components": {"self": 95, "survey": 90, "review": 92},
                "satisfaction": 0.83,
                "election": "on_time",
                "events": [
                    {"type": "commendation", "level": "city"},
                    {"type": "criticism", "by": "work_committee", "count": 1},
                ],
            }
        ],
    }
    output = rate_json(document)
    result = output["results"][0]
    assert {k: result[k] for k in ("id", "base", "bonus", "penalty", "score", "band")} == {
        "id": "B01",
        "base": "92.00",
        "bonus": "3.00",
        "penalty": "3.00",
        "score": "92.00",
        "band": 5,
    }
    assert (result["star"], result["limits"]) == (1, [])
    quota = output["quota"]
    assert [(a["id"], a["from"], a["to"]) for a in quota["adjusted"]] == [
        ("B01", 5, 4),
        ("B01", 4, 1),
    ]
    assert (quota["total"], quota["five_star_max"], quota["low_min"]) == (1, 0, 1)


def test_the_streamed_output_is_the_output_document():
    branches = [branch(f"B{i}", base=100 - 3 * i, satisfaction="0.8") for i in range(30)]
    outcome = rate(branches, Policy(quota_mode="warn"))
    chunks = []
    write_outcome(outcome, chunks.append, chunk=7)
    assert json.loads("".join(chunks)) == outcome_dict(outcome)


def test_the_output_is_plain_chinese_in_the_site_language():
    explain = rate_json(EXAMPLE)["results"][0]["explain"]
    assert explain[0] == "基础分 = 自评 95.00×0.2 + 测评 90.00×0.3 + 考评 92.00×0.5 = 92.00"


def test_the_command_leaves_garbage_collection_as_it_found_it():
    assert gc.isenabled()
    rate_json(EXAMPLE)
    assert gc.isenabled()


def test_the_parser_and_the_engine_are_the_ones_the_web_app_calls(settings):
    settings.LANGUAGE_CODE = "en"  # so that the trace is the msgids, as outcome_dict gives
    document = parse(json.dumps(EXAMPLE))
    direct = outcome_dict(rate(document.branches, document.policy, document.kind))
    assert rate_json(EXAMPLE) == direct


def manage(*args, stdin: str) -> subprocess.CompletedProcess:
    manage_py = Path(settings.BASE_DIR) / "manage.py"
    return subprocess.run(
        [sys.executable, str(manage_py), "rate", *args],
        input=stdin.encode(),
        capture_output=True,
        cwd=settings.BASE_DIR,
        timeout=60,
    )


def test_as_a_process_bad_input_exits_2_with_nothing_on_standard_output():
    done = manage("-", stdin='{"branches": [{"id": "B1", "base": "90"}]}')
    assert (done.returncode, done.stdout) == (2, b"")
    assert b"B1" in done.stderr and b"base" in done.stderr


def test_as_a_process_good_input_prints_one_utf8_json_document():
    done = manage(stdin=json.dumps({"branches": [{"id": "支部一", "base": 91}]}))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["results"][0]["id"] == "支部一"


def test_the_output_is_chinese_through_the_app_catalogue():
    compiled = Path(settings.BASE_DIR) / "locale/zh_Hans/LC_MESSAGES/django.mo"
    assert compiled.exists(), "make setup compiles the catalogue"
    explain = rate_json({"branches": [{"id": "A", "base": 80, "satisfaction": 0.5}]})
    lines = explain["results"][0]["explain"]
    assert lines[0] == "基础分（直接给定）：80.00"
    assert all(re.search("[\u4e00-\u9fff]", line) for line in lines)
    assert not [line for line in lines if re.search("[A-Za-z]{3,}", line)]
