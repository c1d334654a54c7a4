"""The bad-input campaign's harness (docs/nonfunctional.md §7, *Bad input*).

Adding a target is one entry: a test builds the world with the usual fixtures and calls
``attack(client, Target(...))``::

    def test_event_form(client, tree):
        attack(client, Target(
            "events",                                   # its name in the table of counts
            url=reverse("scoring:event_create"),
            user=tree.staff,                            # None: anonymous
            data={"branch": str(tree.branch_a.pk), "type": "bonus_award", ...},  # valid POST
            fields=("count", "date", "description"),    # the fields to spoil
            models=(ScoreEvent,),                       # "nothing saved": their rows, hashed
            files={"upload": ("a.pdf", PDF)},           # optional: file fields to spoil
        ))

Optional: `silent` (fields whose junk may change nothing without a word: a honeypot, a
dry run), `today` (the day it runs on), `before` (called before each POST: enter a slip
code), `accepted` (for a target that keeps what it accepts outside the tables: a
cookie), `max_examples` (40). Before the junk, the valid POST must be accepted
(`check_target`).

Each example (hypothesis, a fixed seed) spoils one to three of `fields` with `junk_text`
(or one of `files` with `junk_file`), posts the form as a browser would (urlencoded, or
multipart with files; invalid UTF-8 where the junk holds a lone surrogate), inside a
transaction rolled back at the end of the example, and asserts:

1. never a 500 (the client raises the view's exception);
2. if the rows of `models` (and their history) and the files under MEDIA_ROOT did not
   change — a refusal —, the page (or the page a redirect leads to) shows an error and
   every error is Chinese (CJK characters; none of Django's English messages); a 4xx
   page must be our Chinese page;
3. if they changed — the junk was accepted —, no stored text holds an invisible control
   character and every stored file has a random name (``folder/xx/<uuid>.<ext>``).

`COUNTS` records how many inputs each target got and how many were refused; the
session prints the table (tests/junk/conftest.py).
"""

import collections
import contextlib
import dataclasses
import hashlib
import os
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from starrating import clock

from .strategies import MISSING, Many, junk_file, junk_text

#: JUNK_SCALE=3 runs three times the examples of each target (a deeper run by hand).
SCALE = float(os.environ.get("JUNK_SCALE", "1"))
#: name → Counter(inputs=…, refused=…, accepted=…)
COUNTS: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
#: Texts only Django's English catalogue (or an untranslated msgid) would show.
ENGLISH = (
    "This field is required",
    "Enter a valid",
    "Enter a whole number",
    "Enter a number",
    "Ensure this value",
    "Select a valid choice",
    "The submitted file is empty",
    "No file was submitted",
    "Upload a valid",
    "Bad Request",
    "Server Error",
)
INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
RANDOM_NAME = re.compile(r"[a-z]+/[0-9a-f]{2}/[0-9a-f]{32}(\.(pdf|jpg|jpeg|png|docx|xlsx))?")
ERROR_CLASSES = {"invalid-feedback", "alert-danger", "alert-warning", "errorlist", "text-danger"}


@dataclasses.dataclass
class Target:
    name: str
    url: str
    user: object | None
    data: dict
    fields: tuple = ()
    models: tuple = ()
    files: dict = dataclasses.field(default_factory=dict)
    #: Fields whose junk may leave everything as it was without a word (a honeypot, a
    #: dry run, a step the view reads its own way).
    silent: frozenset = frozenset()
    #: The day the example runs on (`starrating.clock.frozen`), if not today.
    today: object = None
    max_examples: int = 40
    #: Called in each example before the POST, with the client (e.g. enter a slip code).
    before: object = None
    #: For a target that stores nothing in a table when it accepts: response → accepted?
    accepted: object = None


# --- Posting --------------------------------------------------------------------------------


def _bytes(value) -> bytes:
    return str(value).encode("utf-8", "surrogatepass")


def _pairs(data):
    for key, value in data.items():
        if value is MISSING:
            continue
        for one in value if isinstance(value, Many | list) else (value,):
            yield key, one


def _urlencoded(data) -> bytes:
    return "&".join(
        f"{urllib.parse.quote_from_bytes(_bytes(k))}={urllib.parse.quote_from_bytes(_bytes(v))}"
        for k, v in _pairs(data)
    ).encode()


BOUNDARY = b"JunkBoundary7MA4YWxkTrZu0gW"


def _multipart(data, files) -> bytes:
    lines = []
    for key, value in _pairs(data):
        lines += [b"--" + BOUNDARY, b'Content-Disposition: form-data; name="%s"' % _bytes(key)]
        lines += [b"", _bytes(value)]
    for key, (filename, content) in files.items():
        name = _bytes(filename).replace(b'"', b"%22").replace(b"\r", b"").replace(b"\n", b"")
        lines += [
            b"--" + BOUNDARY,
            b'Content-Disposition: form-data; name="%s"; filename="%s"' % (_bytes(key), name),
            b"Content-Type: application/octet-stream",
            b"",
            content,
        ]
    lines += [b"--" + BOUNDARY + b"--", b""]
    return b"\r\n".join(lines)


def post(client, url, data, files=None):
    if files:
        body, kind = _multipart(data, files), "multipart/form-data; boundary=" + BOUNDARY.decode()
    else:
        body, kind = _urlencoded(data), "application/x-www-form-urlencoded"
    return client.generic("POST", url, body, content_type=kind)


# --- What changed -------------------------------------------------------------------------


def _tables(target_models):
    for model in target_models:
        yield model
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model"):
            yield history.model


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def snapshot(target_models):
    """Row count and a hash of every row of each table, and the files under MEDIA_ROOT."""
    tables = {}
    for model in _tables(target_models):
        rows = list(model._base_manager.order_by("pk").values_list())
        digest = hashlib.sha256(repr(rows).encode("utf-8", "surrogatepass")).hexdigest()
        tables[model._meta.label] = (len(rows), digest)
    return tables, media_files()


def _stored_problems(target_models):
    for model in target_models:
        concrete = model._meta.concrete_fields
        texts = models.CharField | models.TextField
        text_fields = [f.name for f in concrete if isinstance(f, texts)]
        file_fields = [f.name for f in concrete if isinstance(f, models.FileField)]
        for row in model._base_manager.values(*text_fields, *file_fields):
            for name in text_fields:
                if row[name] and INVISIBLE.search(row[name]):
                    yield f"{model.__name__}.{name} stores {row[name][:80]!r}"
            for name in file_fields:
                if row[name] and not RANDOM_NAME.fullmatch(row[name]):
                    yield f"{model.__name__}.{name} stored as {row[name]!r}"


# --- What the page says --------------------------------------------------------------------


class _Errors(HTMLParser):
    """The texts of the page's error elements (field errors, alerts)."""

    def __init__(self):
        super().__init__()
        self.errors, self._stack = [], []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "input", "img", "hr", "meta", "link"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        self._stack.append([tag, bool(classes & ERROR_CLASSES), []])

    def handle_data(self, data):
        for entry in self._stack:
            if entry[1]:
                entry[2].append(data)
                break

    def handle_endtag(self, tag):
        while self._stack:
            entry = self._stack.pop()
            if entry[1]:
                text = " ".join("".join(entry[2]).split())
                if text and text != "×":
                    self.errors.append(text)
            if entry[0] == tag:
                break


def error_texts(html: str) -> list[str]:
    parser = _Errors()
    parser.feed(html)
    return parser.errors


def check_chinese_refusal(client, response, spoiled):
    status = response.status_code
    if status in (301, 302, 303):
        response = client.get(response["Location"])
        status = response.status_code
    html = response.content.decode("utf-8", "replace")
    english = [text for text in ENGLISH if text in html]
    assert not english, f"English on the page after {spoiled!r}: {english}"
    if status >= 400:
        assert CJK.search(html), f"{status} page without Chinese after {spoiled!r}"
        return
    errors = error_texts(html)
    assert errors, f"nothing saved and no error shown after {spoiled!r} ({status})"
    not_chinese = [e for e in errors if not CJK.search(e)]
    assert not not_chinese, f"errors without Chinese after {spoiled!r}: {not_chinese}"


# --- The campaign ---------------------------------------------------------------------------


def _spoils(target):
    text = st.fixed_dictionaries({}) if not target.fields else None
    if target.fields:
        names = st.lists(
            st.sampled_from(target.fields), min_size=1, max_size=min(3, len(target.fields)),
            unique=True,
        )  # fmt: skip
        text = names.flatmap(
            lambda chosen: st.fixed_dictionaries({name: junk_text for name in chosen})
        )
    options = []
    if target.fields:
        options.append(st.tuples(text, st.just({})))
    if target.files:
        options.append(
            st.tuples(
                st.just({}),
                st.sampled_from(sorted(target.files)).flatmap(
                    lambda name: st.fixed_dictionaries({name: junk_file(good=target.files[name])})
                ),
            )
        )
    return st.one_of(options)


def _run(client, target, data, files):
    """(response, snapshot before, snapshot after) of one POST, in `target`'s day."""
    with clock.frozen(target.today) if target.today else contextlib.nullcontext():
        if target.before:
            target.before(client)
        before = snapshot(target.models)
        response = post(client, target.url, data, files)
        return response, before, snapshot(target.models)


def _changed(target, response, before, after) -> bool:
    if target.accepted is not None and target.accepted(response):
        return True
    return before[0] != after[0]


def check_target(client, target: Target) -> None:
    """The target's valid POST is accepted: it changes the target's tables (then rolled
    back), else every junk would be "refused" and the campaign would prove nothing."""
    before_media = media_files()
    with transaction.atomic():
        try:
            response, before, after = _run(client, target, target.data, target.files)
            assert response.status_code < 400, response.status_code
            assert _changed(target, response, before, after), f"{target.name}: changed nothing"
        finally:
            transaction.set_rollback(True)
    root = Path(settings.MEDIA_ROOT)
    for name in media_files() - before_media:
        os.remove(root / name)


def attack(client, target: Target) -> None:
    """Run the campaign against `target` (see the module docstring)."""
    if target.user is not None:
        client.force_login(target.user)
    check_target(client, target)
    counts = COUNTS[target.name]

    @hypothesis_settings(
        max_examples=max(1, round(target.max_examples * SCALE)),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(_spoils(target))
    def example(spoil):
        fields, files = spoil
        data = {**target.data, **fields}
        all_files = {**target.files, **files}
        spoiled = {**fields, **{k: v[0] for k, v in files.items()}}
        counts["inputs"] += 1
        before_media = media_files()
        with transaction.atomic():
            try:
                response, before, after = _run(client, target, data, all_files)
                assert response.status_code < 500, spoiled
                with clock.frozen(target.today) if target.today else contextlib.nullcontext():
                    if not _changed(target, response, before, after):
                        left = after[1] - before[1]
                        assert not left, f"{spoiled!r}: files left without a row: {left}"
                        counts["refused"] += 1
                        if not set(spoiled) & target.silent:
                            check_chinese_refusal(client, response, spoiled)
                    else:
                        counts["accepted"] += 1
                        problems = list(_stored_problems(target.models))
                        assert not problems, f"{spoiled!r}: {problems}"
            finally:
                transaction.set_rollback(True)
        root = Path(settings.MEDIA_ROOT)
        for name in media_files() - before_media:
            os.remove(root / name)

    example()
