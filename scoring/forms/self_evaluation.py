"""Forms of the self-evaluation page: one score and remark per criterion, the star, files."""

from django import forms
from django.utils.translation import gettext_lazy as _

from starrating.forms import DecimalField, TextField, UploadField
from starrating.uploads import EVIDENCE

from .versions import VersionField

STAR_CHOICES = [(str(n), str(n)) for n in range(6)]


class SelfEvaluationForm(forms.Form):
    """Fields `score_<criterion id>`, `remark_<criterion id>`, `self_star` and `confirm`.

    Scores are optional while drafting (the submit service checks completeness) but
    never negative, above the criterion's maximum or with more than two decimals. A
    submission (`submitting=True`) needs `confirm` ticked: submitting cannot be undone by
    the secretary, and the box asks for that without relying on JavaScript.
    """

    self_star = forms.TypedChoiceField(
        label=_("Self-placed star"),
        choices=STAR_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )

    confirm = forms.BooleanField(
        label=_("Confirm the submission (read-only afterwards unless returned)"),
        required=False,
    )

    def __init__(self, *args, criteria, sheet, submitting=False, **kwargs):
        self.submitting = submitting
        scores = {s.criterion_id: s for s in sheet.scores.all()}
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("self_star", "" if sheet.self_star is None else str(sheet.self_star))
        super().__init__(*args, **kwargs)
        self.fields["version"] = VersionField(initial=sheet.version)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            existing = scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = DecimalField(
                label=_("Score"),
                required=False,
                min_value=0,
                max_value=criterion.max_points,
                max_digits=5,
                decimal_places=2,
                initial=existing.score if existing else None,
                widget=forms.NumberInput(
                    attrs={
                        "step": "0.01",
                        "min": "0",
                        "max": str(criterion.max_points),
                        "inputmode": "decimal",
                        "class": "js-score",
                    }
                ),
            )
            self.fields[f"remark_{criterion.pk}"] = TextField(
                label=_("Remark"),
                required=False,
                initial=existing.remark if existing else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        data = super().clean()
        if self.submitting and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm the submission."))
        return data

    def mark_unscored(self, criteria):
        """Mark the score field of each criterion a refused submission found unscored."""
        for criterion in criteria:
            name = f"score_{criterion.pk}"
            if name in self.fields and name not in self.errors:
                self.add_error(name, _("Score this criterion before submitting."))

    def rows(self):
        """(criterion, score field, remark field) for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"remark_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict:
        """{criterion id: (score or None, remark)} for `save_draft`."""
        return {
            c.pk: (self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"remark_{c.pk}"))
            for c in self.criteria
        }


class EvidenceForm(forms.Form):
    file = UploadField(
        EVIDENCE,
        label=_("Evidence file"),
        help_text=_("PDF, JPG, PNG, Word (.docx) or Excel (.xlsx), at most 10 MB."),
    )


class ReturnForm(forms.Form):
    version = VersionField()
    reason = TextField(label=_("Reason for return"), widget=forms.Textarea(attrs={"rows": 3}))
