"""The ballot's radios, written out by the form (`scoring.forms.survey._radios`): the names,
ids, values and checked state Django's RadioSelect gives, and every text escaped."""

from html.parser import HTMLParser

from scoring.forms.survey import BallotForm, _options, _radios
from scoring.services.survey import BallotCriterion

CRITERIA = [BallotCriterion(pk, f"Item {pk}", "", 10) for pk in (7, 9)]


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs, self.labels = [], []
        self._label = None

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.inputs.append(dict(attrs))
        elif tag == "label":
            self._label = [dict(attrs)["for"], ""]
            self.labels.append(self._label)

    def handle_data(self, data):
        if self._label is not None:
            self._label[1] += data

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None


def _parsed(html):
    parser = _Inputs()
    parser.feed(str(html))
    return parser


def _as_radioselect(bound_field):
    """(name, value, id, checked) of each option as Django's RadioSelect renders it."""
    return [
        (
            widget.data["name"],
            widget.data["value"],
            widget.data["attrs"]["id"],
            widget.data["selected"],
        )
        for widget in bound_field.subwidgets
    ]


def _as_written(html):
    return [
        (attrs["name"], attrs["value"], attrs["id"], "checked" in attrs)
        for attrs in _parsed(html).inputs
    ]


def test_the_radios_are_those_radioselect_gives_unbound_and_bound():
    posted = {"criterion_7": "G", "verdict": "satisfied"}
    for form in (BallotForm(criteria=CRITERIA), BallotForm(posted, criteria=CRITERIA)):
        form.is_bound and form.is_valid()
        groups = [*form.criterion_groups(), form.verdict_group()]
        fields = [*form.criterion_fields(), form["verdict"]]
        assert len(groups) == 3
        for group, field in zip(groups, fields, strict=True):
            assert _as_written(group["radios"]) == _as_radioselect(field)
            parsed = _parsed(group["radios"])
            assert all("required" in attrs for attrs in parsed.inputs)
            assert [attrs["id"] for attrs in parsed.inputs] == [f for f, _ in parsed.labels]
            labels = [str(label) for _, label in field.field.choices]
            assert [text for _, text in parsed.labels] == labels


def test_only_a_group_with_an_error_is_marked_invalid():
    form = BallotForm({"criterion_7": "G", "criterion_9": "X"}, criteria=CRITERIA)
    assert not form.is_valid()
    first, second = form.criterion_groups()
    assert "aria-invalid" not in first["radios"]
    assert all(attrs["aria-invalid"] == "true" for attrs in _parsed(second["radios"]).inputs)
    assert "aria-invalid" in form.verdict_group()["radios"]


def test_every_text_of_a_radio_is_escaped():
    form = BallotForm({"verdict": 'a"b'}, criteria=[])
    field = form["verdict"]
    html = str(_radios(field, _options([('a"b', "<b>&amp;</b>")]), 'x" onclick="y'))
    assert "<b>" not in html
    assert '"a&quot;b"' in html and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in html
    assert 'class="btn x&quot; onclick=&quot;y"' in html
    assert " checked" in html  # the posted value matched, before escaping
    (attrs,) = _parsed(html).inputs
    assert attrs["value"] == 'a"b' and "onclick" not in attrs


def test_each_criterions_field_is_its_own_copy_of_the_grade_field():
    first, second = BallotForm(criteria=CRITERIA), BallotForm(criteria=CRITERIA)
    fields = [
        form.fields[BallotForm.field_name(criterion)]
        for form in (first, second)
        for criterion in CRITERIA
    ]
    assert [field.label for field in fields] == ["Item 7", "Item 9"] * 2
    for one, other in zip(fields, fields[1:], strict=False):
        assert one is not other and one.widget is not other.widget
        assert one.widget.attrs is not other.widget.attrs
        assert one.error_messages is not other.error_messages
        assert one.validators is not other.validators
    assert all(field.widget.attrs == {"class": "btn-check"} for field in fields)
    assert all([value for value, _ in field.choices] == ["E", "G", "F", "P"] for field in fields)
    required = str(fields[0].error_messages["required"])
    fields[0].widget.attrs["data-x"] = "1"
    fields[0].error_messages["required"] = "changed"
    fresh = BallotForm(criteria=CRITERIA).fields["criterion_7"]
    assert fresh.widget.attrs == {"class": "btn-check"}
    assert str(fresh.error_messages["required"]) == required != "changed"
