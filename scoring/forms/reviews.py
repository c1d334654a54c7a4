"""Forms of the review and the five-star audit."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from starrating.forms import DecimalField, TextField

from .versions import VersionField


class ConfirmField(forms.BooleanField):
    """The box to tick before an irreversible step: checked by the form's `clean()` only
    for the action it confirms, so the other buttons of the form need no tick. It works
    without JavaScript; templates render it beside its button, not through crispy."""

    def __init__(self, label, **kwargs):
        super().__init__(label=label, required=False, **kwargs)


class ReviewForm(forms.Form):
    """One score (0..max, step 0.01) and one remark per criterion.

    Scores are optional here: a draft may be partial; submitting checks completeness in
    the service (`submit_review`), whose errors come back onto the fields. Submitting
    (`action=submit`) needs `confirm` ticked: a submitted review is locked.
    """

    def __init__(self, *args, criteria, review=None, self_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        stored = {s.criterion_id: s for s in review.scores.all()} if review and review.pk else {}
        for criterion in self.criteria:
            row = stored.get(criterion.pk)
            self.fields[self.score_name(criterion)] = DecimalField(
                label=str(criterion),
                required=False,
                min_value=Decimal(0),
                max_value=criterion.max_points,
                max_digits=5,
                decimal_places=2,
                initial=row.score if row else None,
                help_text=self._help(criterion, (self_scores or {}).get(criterion.pk)),
                widget=forms.NumberInput(
                    attrs={
                        "step": "0.01",
                        "min": "0",
                        "max": criterion.max_points,
                        "class": "review-score",
                        "inputmode": "decimal",
                    }
                ),
            )
            self.fields[self.remark_name(criterion)] = TextField(
                label=_("Remark"),
                required=False,
                initial=row.remark if row else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["version"] = VersionField(initial=review.version if review else 0)
        self.fields["confirm"] = ConfirmField(
            _("I have checked every score: once submitted, the review can no longer be changed.")
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*(name for name in self.fields if name != "confirm"))

    @property
    def submitting(self) -> bool:
        return self.data.get("action") == "submit"

    def clean(self):
        data = super().clean()
        if self.submitting and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm the review before submitting it."))
        return data

    @staticmethod
    def _help(criterion, self_score):
        """The range, and the branch's own score and remark beside it (read-only).

        Crispy renders help text as HTML, and the remark is the secretary's text: it is
        escaped here, its line breaks kept as <br>.
        """
        text = format_html("{}", _("0 to %(max)s points") % {"max": criterion.max_points})
        if self_score is not None:
            score = _("self-evaluation: %(score)s") % {"score": self_score.score}
            text = format_html("{} · {}", text, score)
            if self_score.remark:
                text = format_html(
                    "{} · {}", text, linebreaksbr(self_score.remark, autoescape=True)
                )
        return text

    @staticmethod
    def score_name(criterion):
        return f"score_{criterion.pk}"

    @staticmethod
    def remark_name(criterion):
        return f"remark_{criterion.pk}"

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data.get(self.score_name(c)) for c in self.criteria}

    def remarks(self) -> dict:
        return {c.pk: self.cleaned_data.get(self.remark_name(c), "") for c in self.criteria}

    def add_service_errors(self, errors: dict) -> None:
        by_id = {c.pk: c for c in self.criteria}
        for criterion_id, message in errors.items():
            criterion = by_id.get(criterion_id)
            self.add_error(self.score_name(criterion) if criterion else None, message)


class AuditForm(forms.Form):
    """Agree to a five-star proposal (`action=agree`, with `confirm` ticked) or send it
    back with a reason (the service requires the reason)."""

    version = VersionField()
    reason = TextField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when sending the review back."),
    )
    confirm = ConfirmField(_("I have checked the review and agree to rate the branch five stars."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("version", "reason")

    @property
    def agreeing(self) -> bool:
        return self.data.get("action") == "agree"

    def clean(self):
        data = super().clean()
        if self.agreeing and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm the five stars."))
        return data


class ReturnForm(forms.Form):
    version = VersionField()
    reason = TextField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
