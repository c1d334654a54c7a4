"""The per-campaign policy of docs/rules.md §4: weights, bands, quota shares and mode."""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .errors import InvalidInput, not_a_number, out_of_range, unknown_value
from .i18n import N_, Note
from .model import QUOTA_MODES

_ZERO, _ONE, _HUNDRED = Decimal(0), Decimal(1), Decimal(100)


@dataclass(frozen=True, slots=True)
class Policy:
    """Weights (§4.2), the lowest score of five … one star (§4.6), quotas (§4.8).

    Defaults are those of docs/rules.md §4. Values are Decimals (ints are taken as such); a
    policy that breaks a rule raises `InvalidInput` naming the field, so the web app's
    forms and the calculator reject the same things.
    """

    weight_self: Decimal = Decimal("0.2")
    weight_survey: Decimal = Decimal("0.3")
    weight_review: Decimal = Decimal("0.5")
    bands: tuple[Decimal, ...] = (Decimal(90), Decimal(80), Decimal(70), Decimal(60), Decimal(50))
    five_star_share: Decimal = Decimal("0.10")
    low_share: Decimal = Decimal("0.10")
    quota_mode: str = "enforce"

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise once, here
        for name in ("weight_self", "weight_survey", "weight_review"):
            set_(self, name, _decimal(getattr(self, name), f"policy.weights.{name[7:]}", _ONE))
        total = Fraction(self.weight_self) + Fraction(self.weight_survey)
        total += Fraction(self.weight_review)
        if total != 1:  # exact: weights given as decimals that sum to 1 are accepted
            problem = Note(
                N_("the three weights must sum to exactly 1, not %(sum)s"),
                {"sum": str(self.weight_self + self.weight_survey + self.weight_review)},
            )
            raise InvalidInput(problem, field="policy.weights")
        set_(self, "bands", _bands(self.bands))
        for name in ("five_star_share", "low_share"):
            set_(self, name, _decimal(getattr(self, name), f"policy.{name}", _ONE))
        if self.quota_mode not in QUOTA_MODES:
            raise InvalidInput(unknown_value(self.quota_mode, QUOTA_MODES), field="policy.quotas")

    @property
    def weights(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.weight_self, self.weight_survey, self.weight_review)

    @classmethod
    def from_campaign(cls, campaign: object) -> "Policy":
        """The policy of an object with the Campaign model's field names (duck-typed)."""
        c = campaign
        return cls(
            weight_self=c.weight_self,
            weight_survey=c.weight_survey,
            weight_review=c.weight_review,
            bands=(c.band_5, c.band_4, c.band_3, c.band_2, c.band_1),
            five_star_share=c.five_star_share,
            low_share=c.low_share,
            quota_mode=c.quota_mode,
        )


def _decimal(value: object, field: str, high: Decimal) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidInput(not_a_number(value), field=field)
    if not _ZERO <= value <= high:
        raise InvalidInput(out_of_range("0", str(high)), field=field)
    return value


def _bands(bands: object) -> tuple[Decimal, ...]:
    if not isinstance(bands, tuple | list) or len(bands) != 5:
        problem = Note(
            N_(
                "must be a list of five numbers (the lowest score for five, four, "
                "three, two and one star)"
            )
        )
        raise InvalidInput(problem, field="policy.bands")
    values = tuple(_decimal(b, f"policy.bands[{i}]", _HUNDRED) for i, b in enumerate(bands))
    if any(low >= high for high, low in zip(values, values[1:], strict=False)):
        raise InvalidInput(Note(N_("must be strictly descending")), field="policy.bands")
    return values
