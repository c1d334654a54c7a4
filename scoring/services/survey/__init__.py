"""The member/public survey (党员群众测评): docs/survey.md §2.1.2, its component docs/rules.md §4.1.

Anonymity is kept by the schema (see `scoring.models.survey`) and by these services,
one module per job; docs/survey.md states each guarantee (A1–A16) with its code and test:

- `codes`: make, normalise and hash slip codes (only their HMAC is stored);
- `slips`: issue more, reissue, render and store the printable sheet, drop sheets,
  count the slips left;
- `ballots`: cast one ballot, deleting its slip in the ballot's transaction;
- `life`: open (freeze the electorate, issue the slips), participation ("issued −
  left"), close (`MIN_PARTICIPATION`, or staff with a reason; rewrite the ballots);
- `figures`: the one read model `SurveyFigures` and the per-criterion distribution,
  aggregates only, nothing below three ballots;
- `paper`: two tellers enter a paper ballot by its slip's code; the matching second
  entry casts it through `cast_ballot`; the paper and phone counts;
- `surveys_to_run`: what the secretary's survey to-dos read.

The public names are importable from here (``from scoring.services import survey``).
"""

from .ballots import (
    BallotCriterion,
    BallotInvalid,
    CodeSurvey,
    SlipInvalid,
    SurveyClosed,
    cast_ballot,
    survey_for_code,
    survey_status_for_code,
)
from .codes import (
    CODE_ALPHABET,
    CODE_LENGTH,
    format_code,
    hash_code,
    looks_like_code,
    new_code,
    normalise_code,
    paper_hash,
    teller_tag,
)
from .figures import (
    MIN_GROUP,
    CriterionRow,
    Distribution,
    SurveyFigures,
    criterion_distribution,
    figures_for,
    summary_context,
    survey_figures,
)
from .life import (
    MIN_PARTICIPATION,
    MIN_PARTICIPATION_PERCENT,
    Participation,
    ParticipationTooLow,
    close_survey,
    open_survey,
    participation,
    participation_of,
    participation_rate,
)
from .paper import (
    Entered,
    EntryResult,
    PaperCounts,
    SameTeller,
    enter_paper_ballot,
    paper_counts,
)
from .slips import (
    MAX_PUBLIC_SLIPS,
    InvalidSlipCount,
    IssuedSlips,
    ballot_link,
    issue_more_public_slips,
    reissue_slips,
    render_slip_sheet,
)
from .todos import surveys_to_run

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_PUBLIC_SLIPS",
    "MIN_GROUP",
    "MIN_PARTICIPATION",
    "MIN_PARTICIPATION_PERCENT",
    "BallotCriterion",
    "BallotInvalid",
    "CodeSurvey",
    "CriterionRow",
    "Distribution",
    "Entered",
    "EntryResult",
    "InvalidSlipCount",
    "IssuedSlips",
    "PaperCounts",
    "Participation",
    "ParticipationTooLow",
    "SameTeller",
    "SlipInvalid",
    "SurveyClosed",
    "SurveyFigures",
    "ballot_link",
    "cast_ballot",
    "close_survey",
    "criterion_distribution",
    "enter_paper_ballot",
    "figures_for",
    "format_code",
    "hash_code",
    "issue_more_public_slips",
    "looks_like_code",
    "new_code",
    "normalise_code",
    "open_survey",
    "paper_counts",
    "paper_hash",
    "participation",
    "participation_of",
    "participation_rate",
    "reissue_slips",
    "render_slip_sheet",
    "summary_context",
    "survey_figures",
    "survey_for_code",
    "survey_status_for_code",
    "surveys_to_run",
    "teller_tag",
]
