"""Form fields every form of the product uses for what people type (docs/nonfunctional.md §7).

`LineField` and `TextField` for free text, `IntegerField` and `DecimalField` for
numbers: each applies the rule of `starrating.inputs` and a length or range, so bad
input is refused by the form with a message in the reader's language and never reaches
the database. `ModelForm` builds these fields for its model fields and runs the model
field's own validators (ranges, the column's integer size) in the form, which matters
for forms that skip the model's instance validation (`_post_clean`).

A drop-down's empty choice says what it means: 请选择 ("Please choose", `CHOOSE`) in a
form, 全部 ("All", `ALL`) in a filter, never Django's "---------". `ModelForm` does it for
the fields it builds; a form that declares its own drop-down of objects uses
`ModelChoiceField` (with `empty_label=ALL` for a filter).

`UploadField(use)` is every file input of a stored upload: the checks of
`starrating.uploads` for that use, run by the form, and the `accept` list of its kinds.

The login forms check the username's length before authenticating: Django's
`AuthenticationForm` sets `max_length` after the field is built, so without this a long
username reaches django-axes, which records it in a 255-character column.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from . import uploads
from .inputs import (
    LINE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    NotANumber,
    NotAWholeNumber,
    clean_text,
    parse_decimal,
    parse_int,
)

TOO_LONG = _("At most %(limit_value)d characters (this has %(show_value)d).")

#: The empty choice of a drop-down in a form, and in a filter.
CHOOSE = _("Please choose")
ALL = _("All")

# The column sizes of the standard SQL integer types (PostgreSQL's), also on SQLite,
# whose integers are all 64 bits: a value is refused alike on either database.
_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


class LineField(forms.CharField):
    """Single-line free text: invisible characters removed, line breaks made spaces,
    at most 200 characters unless the form says fewer."""

    multiline = False
    default_max_length = LINE_MAX_LENGTH

    def __init__(self, *, max_length=None, **kwargs):
        super().__init__(max_length=max_length or self.default_max_length, **kwargs)
        self.validators = [
            MaxLengthValidator(v.limit_value, TOO_LONG) if type(v) is MaxLengthValidator else v
            for v in self.validators
        ]

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        value = clean_text(value, multiline=self.multiline)
        if self.strip:
            value = value.strip()
        return value or self.empty_value


class TextField(LineField):
    """Multi-line free text (remarks, reasons, descriptions): at most 2,000 characters."""

    multiline = True
    default_max_length = TEXT_MAX_LENGTH
    widget = forms.Textarea


class IntegerField(forms.IntegerField):
    """A whole number written in ASCII digits (see `starrating.inputs`)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.localize:
            value = formats.sanitize_separators(value)
        try:
            return parse_int(value)
        except (NotANumber, NotAWholeNumber):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class DecimalField(forms.DecimalField):
    """A number written in ASCII digits with at most one decimal point."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if self.localize:
            value = formats.sanitize_separators(value)
        try:
            return parse_decimal(value)
        except NotANumber:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UploadField(forms.FileField):
    """A file for `use` (a `starrating.uploads.Use`), checked by content, type and size."""

    def __init__(self, use, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": use.accept}))
        super().__init__(validators=[uploads.validator(use)], **kwargs)
        self.use = use


class ModelChoiceField(forms.ModelChoiceField):
    """A drop-down of objects whose empty choice is `CHOOSE` unless told otherwise."""

    def __init__(self, queryset, *, empty_label=CHOOSE, **kwargs):
        super().__init__(queryset, empty_label=empty_label, **kwargs)


def _name_the_empty_choice(field):
    """Replace Django's "---------" of a generated drop-down by `CHOOSE`."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = CHOOSE
    elif isinstance(field, forms.ChoiceField):
        field.choices = [
            (value, CHOOSE if value == "" else label) for value, label in field.choices
        ]
    return field


def formfield_for(model_field, **kwargs):
    """The form field of `model_field`, built from the classes above where they apply,
    carrying the model field's validators; the formfield_callback of `ModelForm`."""
    kind = type(model_field)
    mapped = model_field.choices is None and not model_field.is_relation
    if mapped and kind is models.DecimalField:
        kwargs.setdefault("form_class", DecimalField)
    elif mapped and isinstance(model_field, models.IntegerField):
        low, high = _INTEGER_RANGES.get(model_field.get_internal_type(), (None, None))
        kwargs.setdefault("form_class", IntegerField)
        kwargs.setdefault("min_value", low)
        kwargs.setdefault("max_value", high)
    elif mapped and kind is models.TextField:
        kwargs.setdefault("form_class", TextField)
        kwargs.setdefault("max_length", model_field.max_length or TEXT_MAX_LENGTH)
    elif mapped and kind is models.CharField:
        kwargs.setdefault("form_class", LineField)
    else:
        field = model_field.formfield(**kwargs)
        return None if field is None else _name_the_empty_choice(field)
    field = model_field.formfield(**kwargs)
    if field is not None:
        # The model's own validators (e.g. 0 ≤ share ≤ 1), unless the form already
        # bounds the value the same way (a form may narrow a range, never widen it).
        bounds = (MinValueValidator, MaxValueValidator, MaxLengthValidator)
        for validator in model_field.validators:
            kind_of = type(validator)
            if kind_of in bounds and any(type(v) is kind_of for v in field.validators):
                continue
            if validator not in field.validators:
                field.validators.append(validator)
    return field


class ModelForm(forms.ModelForm):
    """A ModelForm whose generated fields follow the input rules (see `formfield_for`).

    Subclasses inherit the Meta: ``class Meta(ModelForm.Meta): model = …``.
    """

    class Meta:
        formfield_callback = staticmethod(formfield_for)


class _UsernameLength:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        message = _("A username has at most %(limit_value)d characters.")
        username.validators.append(MaxLengthValidator(username.max_length, message))


class LoginForm(_UsernameLength, AuthenticationForm):
    """The login form: a username longer than the user model allows is refused unread."""


class AdminLoginForm(_UsernameLength, AdminAuthenticationForm):
    """The same check on the admin site's login."""
