"""docs/rules.md §4.1: an `Outcome` as the calculator's JSON output.

Numbers in results are strings with two decimals; the trace and the quota reasons are
rendered with the caller's *translate* (the English msgids when none is given).
"""

import json
from collections.abc import Callable

from .i18n import Translate, untranslated
from .model import Adjustment, BranchResult, Outcome, QuotaReport

_SHOWN_MAX = 100_000  # rendered lines kept by write_outcome, some 25 MB


def result_dict(result: BranchResult, translate: Translate = untranslated) -> dict:
    """One result as docs/rules.md §4.1 prints it."""
    return {
        "id": result.id,
        "base": str(result.base),
        "bonus": str(result.bonus),
        "penalty": str(result.penalty),
        "score": str(result.score),
        "band": result.band,
        "star": result.star,
        "limits": list(result.limits),
        "explain": [note.render(translate) for note in result.explain],
    }


def quota_dict(
    report: QuotaReport, translate: Translate = untranslated, *, stored: bool = False
) -> dict:
    """The quota report as docs/rules.md §4.1 prints it.

    With *stored*, the form the web app keeps (`Campaign.quota_report`): each adjustment
    also names its rule, and its reason is the note itself (`Note.as_json`), rendered in
    each reader's language when shown.
    """
    return {
        "mode": report.mode,
        "total": report.total,
        "five_star_max": report.five_star_max,
        "low_min": report.low_min,
        "adjusted": [_move(a, translate, stored) for a in report.adjusted],
        "violations": [_move(a, translate, stored) for a in report.violations],
    }


def outcome_dict(outcome: Outcome, translate: Translate = untranslated) -> dict:
    """The whole output document as one dict."""
    return {
        "results": [result_dict(r, translate) for r in outcome.results],
        "quota": quota_dict(outcome.quota, translate),
    }


def write_outcome(
    outcome: Outcome,
    write: Callable[[str], object],
    translate: Translate = untranslated,
    *,
    chunk: int = 2000,
) -> None:
    """Write the output document as compact JSON, a chunk of results at a time.

    The same document as ``json.dumps(outcome_dict(outcome), ensure_ascii=False)`` (a test
    holds them equal), built without the intermediate dicts and never whole in memory:
    100,000 traced results are some 100 MB of text.
    """
    quote = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept
    # Most lines are Notes that the engine shares among branches (steps.Run): each is
    # rendered once. Keyed by id(), sound while the outcome holds every note; bounded, so
    # that a campaign of unshared lines cannot double its memory.
    shown: dict[int, str] = {}
    results = outcome.results
    write('{"results":[')
    for start in range(0, len(results), chunk):
        if len(shown) > _SHOWN_MAX:
            shown.clear()
        parts = []
        for r in results[start : start + chunk]:
            lines = []
            for note in r.explain:
                line = shown.get(id(note))
                if line is None:
                    line = shown[id(note)] = quote(note.render(translate))
                lines.append(line)
            explain = ",".join(lines)
            limits = ",".join([quote(code) for code in r.limits])
            parts.append(
                f'{{"id":{quote(r.id)},"base":"{r.base}","bonus":"{r.bonus}",'
                f'"penalty":"{r.penalty}","score":"{r.score}","band":{r.band:d},'
                f'"star":{r.star:d},"limits":[{limits}],"explain":[{explain}]}}'
            )
        if start:
            write(",")
        write(",".join(parts))
    write('],"quota":')
    write(
        json.dumps(quota_dict(outcome.quota, translate), ensure_ascii=False, separators=(",", ":"))
    )
    write("}\n")


def _move(adjustment: Adjustment, translate: Translate, stored: bool) -> dict:
    move = {"id": adjustment.id, "from": adjustment.from_star, "to": adjustment.to_star}
    if stored:
        move["rule"] = adjustment.rule
        move["reason"] = adjustment.reason.as_json()
    else:
        move["reason"] = adjustment.reason.render(translate)
    return move
