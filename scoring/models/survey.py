"""The member/public survey (党员群众测评, docs/survey.md §2.1.2): surveys, unspent slips, ballots.

How anonymity and one vote per slip hold *in the schema*
--------------------------------------------------------

- A `Slip` row is an **unspent** slip and nothing else: its survey, its kind (member or
  public) and a keyed hash (HMAC-SHA256 with ``settings.SLIP_HASH_KEY``) of its
  normalised code. It has no holder (no member, no user) and no time. The plaintext
  code exists only on the printed sheet (`SlipSheet`) and in the voter's hand.
- Casting **deletes** the slip row: ``DELETE FROM slip WHERE code_hash = %s AND the
  survey is open RETURNING survey_id, kind`` in the same transaction that inserts the
  `Ballot`. One returned row means the slip was valid and unspent; zero rows means it
  was spent or never existed (one message for both). Two concurrent posts of one code
  race for the same row: the database lets one DELETE take it and the other finds
  nothing, so exactly one ballot is stored. Participation is "issued − left".
- A `Ballot` row has a random UUID key (not a sequence), the day only (`cast_on`), no
  user, no address, no reference to a slip, and no `history`. Neither its key nor its
  day reveals the order of casting within the day.
- Why delete rather than mark spent: in PostgreSQL every row carries ``xmin``, the id
  of the transaction that last wrote it. A slip *updated* to "spent" in the ballot's
  transaction would share its ``xmin`` with the ballot row, and anyone who can query
  both tables could join them. A deleted row is no longer visible to any query; its
  dead tuple stays on disk only until VACUUM (readable then only by a database
  superuser with page-inspection tools, who could equally log every statement).
- Nothing else is written beside a ballot. Any row written in a neighbouring
  transaction carries a neighbouring ``xmin``: a session row names the user and its
  expiry gives the time, a throttle row in the cache table gives the address (and the
  login log maps the address to a user). So the request that casts a ballot writes the
  slip's DELETE and the ballot's INSERT and nothing more: no session row (a logged-in
  voter's session is left as it is, no flash message), no cache row (the throttle
  counts failed code checks only), no history row, no log line; the `Survey` row is
  not updated (the ballot's foreign key check, and `cast_ballot` before it, only lock
  it, which sets its ``xmax`` and tells nothing the ballot's own ``survey`` and
  ``xmin`` do not). Between the scan and the cast the code is kept on the voter's
  device only, in a signed, HttpOnly, short-lived cookie scoped to the ballot pages;
  the server keeps only the slip's hash (`scoring.views.ballot`).
- While the survey is open the ballots' ``xmin`` and physical order (``ctid``) still
  follow the order of casting: someone querying the database directly could match it
  to the order in which people were seen to vote. Closing the survey rewrites its
  ballots, shuffled and with new keys, in the closing transaction
  (`scoring.services.survey.life.close_survey`): afterwards every ballot has the close's
  ``xmin``, and neither that nor its position tells the order of casting (the old
  rows' dead tuples last until VACUUM, as above). A cast racing the close waits for it
  and is refused, so no ballot escapes the rewrite.
- Slips and ballots stay out of django-simple-history (history rows carry times and
  users). Opening, closing, issue counts and every override of the 80 % rule are
  audited on `Survey`, which does have history (`starrating.audit`, codes `survey.*`).
- Results are shown only in aggregate; see `scoring.services.survey.figures`.
- A paper ballot (the slip sheet doubles as one) is entered by two different tellers
  (`scoring.services.survey.paper`). The first entry waits as a `PaperEntry`: its own
  keyed hash of the code (not the slip's, so it joins no slip row), a keyed tag of the
  first teller (not a user reference) and the grades. The matching second entry casts
  the ballot through `cast_ballot`, the phone's function (one slip, one ballot), and
  deletes the entry in the same transaction; afterwards nothing links the ballot to a
  teller, a slip or a time. A ballot's `channel` (paper or phone) is its only trace of
  how it came, like its `kind`: no time, no order.

docs/survey.md states each of these as a guarantee (A1–A16) with the test that holds it.
"""

__all__ = [
    "Ballot",
    "BallotChannel",
    "Grade",
    "PaperEntry",
    "SlipKind",
    "Slip",
    "SlipSheet",
    "Survey",
    "SurveyStatus",
    "Verdict",
]

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .campaign import Assessment


class SurveyStatus(models.TextChoices):
    NOT_OPEN = "not_open", _("Not open")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", _("Closed")


class SlipKind(models.TextChoices):
    MEMBER = "member", _("Party member")
    PUBLIC = "public", _("Public")


class Grade(models.TextChoices):
    """A criterion grade, stored as one letter; `code` is the rules engine's name."""

    EXCELLENT = "E", _("Good")  # 好
    GOOD = "G", _("Fairly good")  # 较好
    FAIR = "F", _("Average")  # 一般
    POOR = "P", _("Poor")  # 差

    @property
    def code(self) -> str:
        return {"E": "excellent", "G": "good", "F": "fair", "P": "poor"}[self.value]


class BallotChannel(models.TextChoices):
    """How a ballot came: by phone (the voter cast it) or on paper (two tellers entered it)."""

    PHONE = "phone", _("By phone")
    PAPER = "paper", _("On paper")


class Verdict(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")  # 满意
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")  # 基本满意
    DISSATISFIED = "dissatisfied", _("Dissatisfied")  # 不满意


class Survey(models.Model):
    """One branch's survey in one campaign; its counts are audited, its ballots are not."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="survey", verbose_name=_("assessment")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.NOT_OPEN
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The branch's active members when the survey opened: the participation denominator.
    electorate = models.PositiveIntegerField(_("electorate"), default=0)
    member_slips_issued = models.PositiveIntegerField(_("member slips issued"), default=0)
    public_slips_issued = models.PositiveIntegerField(_("public slips issued"), default=0)
    close_override_reason = models.TextField(
        _("reason for closing below 80 % participation"), blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(
                name="survey_member_slips_match_electorate",
                condition=Q(member_slips_issued__lte=models.F("electorate")),
            ),
        ]
        indexes = [
            # The few surveys closed under 80 % participation by staff's recorded reason
            # (`results.low_participation`): the results page lists and counts them
            # without reading every survey of the campaign (D-7qr).
            models.Index(
                fields=["assessment"],
                name="survey_closed_by_override",
                condition=Q(status=SurveyStatus.CLOSED) & ~Q(close_override_reason=""),
            ),
        ]

    def __str__(self):
        return str(self.assessment)

    @property
    def is_open(self):
        return self.status == SurveyStatus.OPEN

    @property
    def is_closed(self):
        return self.status == SurveyStatus.CLOSED


class Slip(models.Model):
    """An unspent ballot slip: no holder, no time; casting deletes the row (see above)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="slips")
    kind = models.CharField(_("kind"), max_length=6, choices=SlipKind.choices)
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("unspent slip")
        verbose_name_plural = _("unspent slips")
        indexes = [models.Index(fields=["survey", "kind"], name="slip_survey_kind")]

    def __str__(self):
        return f"{self.survey_id} · {self.kind}"


def _sheet_path(instance, filename):
    # A random name: the sheet holds plaintext codes, so its address must not be guessable.
    import secrets

    return f"survey-slips/{secrets.token_hex(16)}.pdf"


class SlipSheet(models.Model):
    """A printable PDF of slips, made when they were issued (plain codes are kept nowhere
    else). Only the branch's secretary and committee staff may download it, and only
    while the survey is open; closing the survey deletes the files (docs/survey.md §2.1.2)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="slip_sheets")
    file = models.FileField(_("file"), upload_to=_sheet_path, max_length=200)
    member_slips = models.PositiveIntegerField(_("member slips"), default=0)
    public_slips = models.PositiveIntegerField(_("public slips"), default=0)
    created_on = models.DateField(_("created on"))
    # Set when a reissue replaced every unspent slip: the codes on this sheet are void.
    void = models.BooleanField(_("void"), default=False)

    class Meta:
        verbose_name = _("slip sheet")
        verbose_name_plural = _("slip sheets")
        ordering = ["survey", "pk"]

    def __str__(self):
        return f"{self.survey} · {self.pk}"


class Ballot(models.Model):
    """One cast ballot: random key, day only, no person, no slip (see module docstring).

    `grades` holds one `Grade` letter per criterion in rubric position order; `points`
    is Σ criterion max × grade factor, computed once from the frozen rubric when cast.
    Three decimals keep it exact for any max with two decimals (7.33 × 0.8 = 5.864).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="ballots")
    kind = models.CharField(_("kind"), max_length=6, choices=SlipKind.choices)
    # Paper or phone, nothing finer: no time, no order, no teller (docs/survey.md A16).
    channel = models.CharField(
        _("channel"), max_length=5, choices=BallotChannel.choices, default=BallotChannel.PHONE
    )
    cast_on = models.DateField(_("cast on"))
    grades = models.CharField(_("grades"), max_length=100)
    verdict = models.CharField(_("overall verdict"), max_length=20, choices=Verdict.choices)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        indexes = [models.Index(fields=["survey", "kind"], name="ballot_survey_kind")]
        constraints = [
            models.CheckConstraint(
                name="ballot_points_0_to_100", condition=Q(points__gte=0, points__lte=100)
            ),
            models.CheckConstraint(
                name="ballot_verdict_known",
                condition=Q(verdict__in=[v.value for v in Verdict]),
            ),
            models.CheckConstraint(
                name="ballot_kind_known", condition=Q(kind__in=[k.value for k in SlipKind])
            ),
            models.CheckConstraint(
                name="ballot_channel_known",
                condition=Q(channel__in=[c.value for c in BallotChannel]),
            ),
        ]

    def __str__(self):
        return str(self.id)


class PaperEntry(models.Model):
    """A paper ballot's first entry, waiting for a second teller's (docs/survey.md A15).

    `entry_hash` is a keyed hash of the code of its own (`paper_hash`), not the slip's
    `code_hash`, so that no query can join a waiting entry to its slip row (whose id
    follows the printed sheet). `teller_tag` is a keyed hash of the first teller and the
    entry, enough to tell that the second teller is someone else, not a user reference.
    When the two entries differ, the grades, verdict and tag are cleared and `differed`
    is set: both entries are discarded and the slip is entered afresh. The matching
    second entry deletes the row in the ballot's transaction; closing the survey or
    reissuing its slips deletes the rest. No history, no time, not in the admin.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="paper_entries")
    entry_hash = models.CharField(_("entry hash"), max_length=64, unique=True)
    teller_tag = models.CharField(_("teller tag"), max_length=64, blank=True)
    grades = models.CharField(_("grades"), max_length=100, blank=True)
    verdict = models.CharField(_("overall verdict"), max_length=20, blank=True)
    differed = models.BooleanField(_("the entries differed"), default=False)

    class Meta:
        verbose_name = _("paper ballot entry")
        verbose_name_plural = _("paper ballot entries")
        constraints = [
            models.CheckConstraint(
                name="paper_entry_waits_or_differed",
                condition=Q(differed=True, teller_tag="", grades="", verdict="")
                | Q(differed=False) & ~Q(teller_tag="") & ~Q(grades="") & ~Q(verdict=""),
            ),
        ]

    def __str__(self):
        return str(self.id)
