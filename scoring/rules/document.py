"""docs/rules.md §4.1: the calculator's JSON input, read into engine inputs (`output` writes back).

Reading is strict: anything the contract does not describe is `InvalidInput`, naming the
branch and field — including keys it does not know (at the top level, in the policy and
its weights, in a branch, its components and its events), a key given twice in one
object, and a field an event type does not take (a `count` on a bonus event, a `level`
on a criticism). Numbers are read from their decimal text, never through a float.
"""

import json
from dataclasses import dataclass
from decimal import Decimal

from .errors import InvalidInput, found, not_a_number, out_of_range, unknown_value
from .i18n import N_, Note
from .model import (
    ELECTIONS,
    EVENT_TYPES,
    ISSUERS,
    KINDS,
    LEVELS,
    PENALTY_TYPES,
    QUOTA_MODES,
    SEVERITIES,
    BranchInput,
    Event,
)
from .policy import Policy

#: Decided (docs/decisions.md): a penalty `count` above this is taken as a typo.
MAX_COUNT = 1000

_ONE, _HUNDRED = Decimal(1), Decimal(100)
_TOP_KEYS = frozenset({"kind", "policy", "branches"})
_POLICY_KEYS = frozenset({"weights", "bands", "five_star_share", "low_share", "quotas"})
_WEIGHT_KEYS = ("self", "survey", "review")
_BRANCH_KEYS = frozenset({"id", "components", "base", "satisfaction", "election", "events"})
_COMPONENT_KEYS = ("self", "survey", "review")
_COMPONENT_SET = frozenset(_COMPONENT_KEYS)
_WEIGHT_SET = frozenset(_WEIGHT_KEYS)
#: The field each event type needs, with its vocabulary (docs/rules.md §4.1).
_EVENT_FIELD = {
    "commendation": ("level", LEVELS),
    "media_article": ("level", LEVELS),
    "innovation": ("level", LEVELS),
    "criticism": ("by", ISSUERS),
    "leader_discipline": ("severity", SEVERITIES),
    "member_violation": None,
    "absence": None,
}
_EVENT_KEYS = {
    kind: frozenset(
        {"type"} | ({need[0]} if need else set()) | ({"count"} if kind in PENALTY_TYPES else set())
    )
    for kind, need in _EVENT_FIELD.items()
}

_MISSING = Note(N_("required field is missing"))
_NOT_OBJECT = Note(N_("must be a JSON object"))
_NOT_LIST = Note(N_("must be a list"))
_TWICE = Note(N_("the field is given more than once"))


@dataclass(frozen=True, slots=True)
class Document:
    """A calculator input: what `engine.rate` takes."""

    kind: str
    policy: Policy
    branches: list[BranchInput]


def parse(text: str) -> Document:
    """Read the calculator's input document (JSON text); raises `InvalidInput`."""
    return read(loads(text))


def loads(text: str) -> object:
    """JSON with every number a Decimal read from its text; NaN/Infinity are flagged."""
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_NonFinite,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        problem = Note(
            N_("malformed JSON: %(error)s (line %(line)s, column %(column)s)"),
            {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
        )
        raise InvalidInput(problem) from None
    except RecursionError:
        raise InvalidInput(Note(N_("malformed JSON: nested too deeply"))) from None


def read(data: object) -> Document:
    """Check a decoded document against docs/rules.md §4.1 and build the engine's inputs."""
    if not isinstance(data, dict):
        raise InvalidInput(Note(N_("the document must be a JSON object")))
    _check_keys(data, _TOP_KEYS, None, "")
    kind = data.get("kind", "initial")
    if kind not in KINDS:
        raise InvalidInput(unknown_value(kind, KINDS), field="kind")
    policy = _policy(data["policy"]) if "policy" in data else Policy()
    if "branches" not in data:
        raise InvalidInput(_MISSING, field="branches")
    branches = data["branches"]
    if type(branches) is not list:
        raise InvalidInput(_NOT_LIST, field="branches")
    seen: dict[str, int] = {}
    events: dict[tuple, Event] = {}  # identical events share one frozen object
    return Document(kind, policy, [_branch(b, i, seen, events) for i, b in enumerate(branches)])


def _policy(obj: object) -> Policy:
    if not isinstance(obj, dict):
        raise InvalidInput(_NOT_OBJECT, field="policy")
    _check_keys(obj, _POLICY_KEYS, None, "policy")
    given: dict[str, object] = {}
    if "weights" in obj:
        weights = obj["weights"]
        if not isinstance(weights, dict):
            raise InvalidInput(_NOT_OBJECT, field="policy.weights")
        _check_keys(weights, _WEIGHT_SET, None, "policy.weights")
        for name in _WEIGHT_KEYS:  # all three must be named
            field = f"policy.weights.{name}"
            if name not in weights:
                raise InvalidInput(_MISSING, field=field)
            given[f"weight_{name}"] = _number(weights[name], _ONE, None, field)
    if "bands" in obj:
        bands = obj["bands"]
        if type(bands) is not list or len(bands) != 5:
            problem = Note(
                N_(
                    "must be a list of five numbers (the lowest score for five, "
                    "four, three, two and one star)"
                )
            )
            raise InvalidInput(problem, field="policy.bands")
        given["bands"] = tuple(
            _number(b, _HUNDRED, None, f"policy.bands[{i}]") for i, b in enumerate(bands)
        )
    for name in ("five_star_share", "low_share"):
        if name in obj:
            given[name] = _number(obj[name], _ONE, None, f"policy.{name}")
    if "quotas" in obj:
        mode = obj["quotas"]
        if mode not in QUOTA_MODES:
            raise InvalidInput(unknown_value(mode, QUOTA_MODES), field="policy.quotas")
        given["quota_mode"] = mode
    return Policy(**given)  # checks the sum of the weights and the order of the bands


def _branch(obj: object, index: int, seen: dict[str, int], events: dict) -> BranchInput:
    if not isinstance(obj, dict):
        raise InvalidInput(_NOT_OBJECT, field=f"branches[{index}]")
    if "id" not in obj:
        raise InvalidInput(_MISSING, field=f"branches[{index}].id")
    bid = obj["id"]
    if type(bid) is not str:
        problem = Note(N_("must be a string, not %(found)s"), {"found": found(bid)})
        raise InvalidInput(problem, field=f"branches[{index}].id")
    if not bid.strip():
        raise InvalidInput(Note(N_("must not be empty")), field=f"branches[{index}].id")
    if bid in seen:
        problem = Note(
            N_("the id is used by more than one branch (first at branches[%(first)s])"),
            {"first": seen[bid]},
        )
        raise InvalidInput(problem, branch=bid, field="id")
    seen[bid] = index
    _check_keys(obj, _BRANCH_KEYS, bid, "")
    if ("components" in obj) == ("base" in obj):
        problem = Note(N_("give either components or base, not both or neither"))
        raise InvalidInput(problem, branch=bid)
    self_score = survey = review = base = None
    if "base" in obj:
        base = _number(obj["base"], _HUNDRED, bid, "base")
    else:
        parts = obj["components"]
        if not isinstance(parts, dict):
            raise InvalidInput(_NOT_OBJECT, branch=bid, field="components")
        _check_keys(parts, _COMPONENT_SET, bid, "components")
        for name in _COMPONENT_KEYS:
            if name not in parts:
                raise InvalidInput(_MISSING, branch=bid, field=f"components.{name}")
        self_score = _number(parts["self"], _HUNDRED, bid, "components.self")
        survey = _number(parts["survey"], _HUNDRED, bid, "components.survey")
        review = _number(parts["review"], _HUNDRED, bid, "components.review")
    satisfaction = obj.get("satisfaction")
    if satisfaction is not None:
        satisfaction = _number(satisfaction, _ONE, bid, "satisfaction")
    election = obj.get("election", "on_time")
    if election not in ELECTIONS:
        raise InvalidInput(unknown_value(election, ELECTIONS), branch=bid, field="election")
    parsed: tuple[Event, ...] = ()
    if "events" in obj:
        given = obj["events"]
        if type(given) is not list:
            raise InvalidInput(_NOT_LIST, branch=bid, field="events")
        parsed = tuple([_event(e, i, bid, events) for i, e in enumerate(given)])
    return BranchInput(bid, self_score, survey, review, base, satisfaction, election, parsed)


def _event(obj: object, index: int, bid: str, cache: dict) -> Event:
    where = f"events[{index}]"  # for messages; events are few beside branches
    if not isinstance(obj, dict):
        raise InvalidInput(_NOT_OBJECT, branch=bid, field=where)
    if "type" not in obj:
        raise InvalidInput(_MISSING, branch=bid, field=f"{where}.type")
    kind = obj["type"]
    if type(kind) is not str or kind not in _EVENT_FIELD:
        raise InvalidInput(unknown_value(kind, EVENT_TYPES), branch=bid, field=f"{where}.type")
    if type(obj) is _Duplicated or not obj.keys() <= _EVENT_KEYS[kind]:
        key = obj.key if type(obj) is _Duplicated else min(obj.keys() - _EVENT_KEYS[kind])
        if type(obj) is _Duplicated:
            problem = _TWICE
        else:
            problem = Note(N_("not allowed on an event of type %(type)s"), {"type": kind})
        raise InvalidInput(problem, branch=bid, field=f"{where}.{key}")
    detail = None
    need = _EVENT_FIELD[kind]
    if need is not None:
        name, choices = need
        if name not in obj:
            raise InvalidInput(_MISSING, branch=bid, field=f"{where}.{name}")
        detail = obj[name]
        if detail not in choices:
            raise InvalidInput(unknown_value(detail, choices), branch=bid, field=f"{where}.{name}")
    count = obj.get("count", 1)
    if count != 1 or type(count) is not int:
        count = _count(count, bid, f"{where}.count")
    key = (kind, detail, count)
    event = cache.get(key)
    if event is None:
        if need is None:
            event = Event(kind, count=count)
        else:
            event = Event(kind, count=count, **{need[0]: detail})
        cache[key] = event
    return event


def _count(value: object, bid: str, field: str) -> int:
    if type(value) is not Decimal:
        raise InvalidInput(not_a_number(value), branch=bid, field=field)
    if value != value.to_integral_value() or not 1 <= value <= MAX_COUNT:
        problem = Note(N_("must be a whole number from 1 to %(most)s"), {"most": MAX_COUNT})
        raise InvalidInput(problem, branch=bid, field=field)
    return int(value)


def _number(value: object, high: Decimal, bid: str | None, field: str) -> Decimal:
    if type(value) is not Decimal:
        if type(value) is _NonFinite:
            problem = Note(N_("must be a finite number, not %(value)s"), {"value": value.text})
        else:
            problem = not_a_number(value)
        raise InvalidInput(problem, branch=bid, field=field)
    if value < 0 or value > high:
        raise InvalidInput(out_of_range("0", str(high)), branch=bid, field=field)
    return value


def _check_keys(obj: dict, allowed: frozenset, bid: str | None, prefix: str) -> None:
    if type(obj) is _Duplicated:
        raise InvalidInput(_TWICE, branch=bid, field=_join(prefix, obj.key))
    if obj.keys() <= allowed:
        return
    extra = obj.keys() - allowed
    if extra:
        problem = Note(
            N_("unknown field; allowed here: %(allowed)s"), {"allowed": ", ".join(sorted(allowed))}
        )
        raise InvalidInput(problem, branch=bid, field=_join(prefix, min(extra)))


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


class _NonFinite:
    """What NaN, Infinity and -Infinity decode to, so the error can say where they were."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class _Duplicated(dict):
    """An object that gave a key twice (JSON allows it; the contract does not)."""

    __slots__ = ("key",)


def _object(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    duplicated = _Duplicated(obj)
    names: set[str] = set()
    duplicated.key = next(k for k, _ in pairs if k in names or names.add(k))
    return duplicated
