"""Demo data: a realistic work committee, one account per role, and a living product:
last year's campaign played through to its ratings, this year's open and part-way.

Everything after the organisation tree and the accounts is done through the real
service functions (create and open the campaign, self-evaluations, surveys with
ballots cast from the issued codes, bonus/penalty events, reviews, the five-star
audit, the recompute), so loading the demo also proves the workflow fits together.
The services stamp dates and deadlines with `django.utils.timezone.now`; while the
demo is built that clock is replaced by `DemoClock` so that last year's campaign
runs on last year's dates (its history reads as it would have happened).

Deterministic: one `random.Random(SEED)` drives every choice and every date is
derived from the campaign year and `today`, so two runs on empty databases on the
same day give the same organisations, members, accounts, scores and ratings (only
the random slip codes and ballot keys differ, as they must). The builder is split in
steps (`build_organisations`, `build_users`, `branch_profiles`,
`play_previous_campaign`, `play_current_campaign`) called by `build_demo`.
"""

import contextlib
import datetime
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branches.models import Duty, Member, MemberStatus, Organisation, OrgKind, Role, RoleAssignment
from scoring.models import Assessment, AuditStatus, Campaign, CampaignKind, SlipKind
from scoring.services import events, reviews, self_evaluation, survey
from scoring.services.campaigns import create_campaign, open_campaign
from scoring.services.recompute import recompute_campaign

SEED = 2026
PASSWORD = "demo12345"
COMMITTEE_NAME = "市直机关工委"

# (name, kind, branch names). The first party committee is the reviewer's.
PARENTS = [
    (
        "市发展和改革委员会机关党委",
        OrgKind.PARTY_COMMITTEE,
        [
            "综合科党支部",
            "办公室党支部",
            "规划处党支部",
            "固定资产投资处党支部",
            "价格管理处党支部",
            "产业发展处党支部",
            "能源处党支部",
            "社会发展处党支部",
            "经济运行处党支部",
            "重点项目办公室党支部",
            "离退休干部党支部",
        ],
    ),
    (
        "市财政局机关党委",
        OrgKind.PARTY_COMMITTEE,
        [
            "办公室党支部",
            "预算处党支部",
            "国库处党支部",
            "税政处党支部",
            "行政政法处党支部",
            "经济建设处党支部",
            "社会保障处党支部",
            "财政监督检查局党支部",
            "离退休干部党支部",
        ],
    ),
    (
        "市教育局机关党委",
        OrgKind.PARTY_COMMITTEE,
        [
            "办公室党支部",
            "基础教育处党支部",
            "职业教育与成人教育处党支部",
            "高等教育处党支部",
            "人事处党支部",
            "教育督导室党支部",
            "招生考试院党支部",
            "电化教育馆党支部",
            "离退休干部党支部",
        ],
    ),
    (
        "市统计局机关党总支",
        OrgKind.GENERAL_BRANCH,
        [
            "综合科党支部",
            "统计调查科党支部",
            "数据管理中心党支部",
            "普查中心党支部",
            "离退休干部党支部",
        ],
    ),
]
# Branches directly under the work committee (直属): committee staff review them.
DIRECT_BRANCHES = [
    "市档案馆党支部",
    "市地方志编纂室党支部",
    "市信访局机关党支部",
    "市机关事务管理局党支部",
    "市政府研究室党支部",
    "市总工会机关党支部",
]
RETIREES = "离退休干部党支部"
DEMO_REASON = gettext_noop("demo data")

# Common surnames, most frequent first (drawn with falling weights).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田"
    "董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛"
)
# Characters of given names, by the convention of the name's bearer.
GIVEN_CHARS = (
    "建国华明志伟军平海涛波宇浩鹏飞鑫磊强勇斌峰辉俊杰凯亮超旭阳东博瑞振荣德永福庆成立新中卫兵文晨",
    "红玉英丽敏静怡佳婷琳晓晶雪梅兰芳萍燕霞娟慧颖倩丹艳秀云欣思雨嘉文晨",
)
TERM_YEARS = 3  # a branch committee's term (支部委员会每届三年)
PARENT_TERM_YEARS = 5  # a party committee's term (机关党委每届五年)


@dataclass
class DemoOrganisations:
    committee: Organisation
    parents: list[Organisation]  # the party committees, then the general branch
    branches: list[Organisation]  # every branch, in code order (directly managed first)

    def branches_under(self, parent: Organisation) -> list[Organisation]:
        return [b for b in self.branches if b.parent_id == parent.pk]

    @property
    def direct_branches(self) -> list[Organisation]:
        return self.branches_under(self.committee)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # a Role value, or "" for the technical administrator
    description: str


@dataclass
class DemoUsers:
    by_username: dict = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)

    def __getitem__(self, username):
        return self.by_username[username]


@dataclass
class Demo:
    organisations: DemoOrganisations
    users: DemoUsers
    campaign: Campaign  # this year's, open
    previous: Campaign  # last year's, played through and recomputed


def reference_date(year: int) -> datetime.date:
    """The campaign's reference date for election status: the default deadline, 5 June."""
    return datetime.date(year, 6, 5)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, weights=range(len(SURNAMES), 0, -1))[0]
    chars = GIVEN_CHARS[rng.random() < 0.45]
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.sample(chars, length))


def _branch_terms(rng: random.Random, count: int, ref: datetime.date, keep: set[int]) -> list[dict]:
    """Term fields per branch: most on time, three overdue, one overdue more than a
    year, one overdue with an approved postponement (all judged at `ref`, the current
    campaign's reference date). Branches whose index is in `keep` stay on time."""
    special = rng.sample([i for i in range(count) if i not in keep], 5)
    overdue, over_1y, postponed = special[:3], special[3], special[4]
    terms = []
    for i in range(count):
        postponement = False
        if i in overdue:
            term_end = ref - datetime.timedelta(days=rng.randint(20, 250))
        elif i == over_1y:
            term_end = ref - datetime.timedelta(days=rng.randint(400, 520))
        elif i == postponed:
            term_end = ref - datetime.timedelta(days=rng.randint(30, 120))
            postponement = True
        else:
            # Elected so that the term runs well past the reference date.
            term_end = ref + datetime.timedelta(days=rng.randint(220, 1060))
        term_start = add_years(term_end, -TERM_YEARS)
        terms.append(
            {
                "term_start": term_start,
                "term_end": term_end,
                "last_election": term_start,
                "postponement_approved": postponement,
            }
        )
    return terms


def build_organisations(
    rng: random.Random, *, year: int, reference: datetime.date | None = None
) -> DemoOrganisations:
    """The work committee, its party committees and general branch, and about 40
    branches (six directly managed), each with 8–25 members. Election terms are set
    against `reference` (the current campaign's reference date, 5 June by default)."""
    committee = Organisation.objects.create(name=COMMITTEE_NAME, code="JG", kind=OrgKind.COMMITTEE)
    parents = []
    for number, (name, kind, _names) in enumerate(PARENTS, start=1):
        start = datetime.date(year - rng.randint(1, 4), rng.randint(1, 12), rng.randint(1, 28))
        parents.append(
            Organisation(
                name=name,
                code=f"JG-{number:02d}",
                kind=kind,
                parent=committee,
                term_start=start,
                term_end=add_years(
                    start, PARENT_TERM_YEARS if kind == OrgKind.PARTY_COMMITTEE else TERM_YEARS
                ),
                last_election=start,
            )
        )
    bulk_create_with_history(parents, Organisation)
    parents = list(Organisation.objects.filter(parent=committee).order_by("code"))

    specs = [(committee, f"JG-00-{i:02d}", name) for i, name in enumerate(DIRECT_BRANCHES, 1)]
    for parent, (_name, _kind, names) in zip(parents, PARENTS, strict=True):
        specs += [(parent, f"{parent.code}-{i:02d}", name) for i, name in enumerate(names, 1)]
    specs.sort(key=lambda spec: spec[1])
    # The demo accounts' branches (the first direct one, the first under the first
    # party committee) stay on time so their pages start plain.
    keep = {i for i, spec in enumerate(specs) if spec[1] in ("JG-00-01", "JG-01-01")}
    terms = _branch_terms(rng, len(specs), reference or reference_date(year), keep)
    branches = [
        Organisation(name=name, code=code, kind=OrgKind.BRANCH, parent=parent, **term)
        for (parent, code, name), term in zip(specs, terms, strict=True)
    ]
    bulk_create_with_history(branches, Organisation)
    branches = list(Organisation.objects.filter(kind=OrgKind.BRANCH).order_by("code"))

    bulk_create_with_history(build_members(rng, branches, year=year), Member)
    return DemoOrganisations(committee=committee, parents=parents, branches=branches)


def build_members(rng: random.Random, branches, *, year: int) -> list[Member]:
    """Unsaved members: one secretary per branch, a deputy in big branches, two
    committee members, some probationary members; retirees joined long ago."""
    ref = reference_date(year)
    members = []
    for branch in branches:
        retirees = branch.name == RETIREES
        count = rng.randint(15, 25) if retirees else rng.randint(8, 25)
        duties = [Duty.SECRETARY]
        if count >= 15:
            duties.append(Duty.DEPUTY)
        duties += [Duty.COMMITTEE_MEMBER] * 2
        duties += [Duty.MEMBER] * (count - len(duties))
        leaders = len(duties) - duties.count(Duty.MEMBER)
        probationary = set()
        if not retirees:
            probationary = set(rng.sample(range(leaders, count), rng.randint(0, 2)))
        names = set()
        for index, duty in enumerate(duties):
            name = person_name(rng)
            while name in names:
                name = person_name(rng)
            names.add(name)
            if index in probationary:
                status = MemberStatus.PROBATIONARY
                joined = ref - datetime.timedelta(days=rng.randint(30, 330))
            else:
                status = MemberStatus.FULL
                first, last = (1965, 1992) if retirees else (1988, year - 2)
                joined = datetime.date(rng.randint(first, last), rng.randint(1, 12), 1)
                joined += datetime.timedelta(days=rng.randint(0, 27))
            members.append(
                Member(
                    code=f"{branch.code}-{index + 1:02d}",
                    name=name,
                    branch=branch,
                    duty=duty,
                    status=status,
                    joined=joined,
                )
            )
    return members


def demo_accounts() -> list[DemoAccount]:
    """The demo accounts in the order they are listed, with what each one does."""
    reviewer_org = PARENTS[0][0]
    branch_1, branch_2 = PARENTS[0][2][0], DIRECT_BRANCHES[0]
    return [
        DemoAccount(
            "staff",
            Role.STAFF,
            _(
                "Runs the campaign: rubric, deadlines, roster; reviews directly managed "
                "branches; publishes the notice."
            ),
        ),
        DemoAccount("approver", Role.APPROVER, _("Approves the list after publicity.")),
        DemoAccount("rereviewer", Role.REREVIEWER, _("Re-reviews five-star results.")),
        DemoAccount(
            "reviewer",
            Role.REVIEWER,
            _("Reviews the branches of %(org)s.") % {"org": reviewer_org},
        ),
        DemoAccount(
            "reviewer2",
            Role.REVIEWER,
            _("Reviews the branches of %(org)s.") % {"org": PARENTS[1][0]},
        ),
        DemoAccount(
            "reviewer3",
            Role.REVIEWER,
            _("Reviews the branches of %(org)s.") % {"org": PARENTS[2][0]},
        ),
        DemoAccount(
            "secretary",
            Role.SECRETARY,
            _("Secretary of %(branch)s under %(parent)s.")
            % {"branch": branch_1, "parent": reviewer_org},
        ),
        DemoAccount(
            "secretary2",
            Role.SECRETARY,
            _("Secretary of %(branch)s, directly managed (staff review it).")
            % {"branch": branch_2},
        ),
        DemoAccount("admin", "", _("Technical administrator: the Django admin at /admin/.")),
    ]


# Demo accounts' Chinese names (surname, given name); the secretaries take the name
# of their branch's secretary on the member roll.
ACCOUNT_NAMES = {
    "staff": ("韩", "晓梅"),
    "approver": ("郑", "国强"),
    "rereviewer": ("孔", "德明"),
    "reviewer": ("蒋", "文博"),
    "reviewer2": ("沈", "立群"),
    "reviewer3": ("罗", "晓燕"),
    "admin": ("系统", "管理员"),
}


def branch_secretary_username(branch: Organisation) -> str:
    """The account of a branch secretary not listed among the demo accounts: JG-02-03 →
    sec-02-03 (same password; the demo's history needs every secretary to act)."""
    return "sec-" + branch.code.removeprefix("JG-").lower()


EXTRA_REVIEWERS = ("reviewer2", "reviewer3")


def build_users(orgs: DemoOrganisations, *, every_branch: bool = False) -> DemoUsers:
    """One account per role (password `PASSWORD`), plus a technical `admin`; the
    secretaries are their branches' secretaries on the roll, linked by `Member.user`.

    With `every_branch` (what `build_demo` does) every other branch's secretary gets an
    unlisted account too (`sec-PP-NN`), and the second and third party committees a
    reviewer each (`reviewer2`, `reviewer3`); the general branch keeps none, so
    committee staff review its branches (docs/process.md §2.1.3). Without it only the first
    party committee has a reviewer and staff review every other branch."""
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once: the slow part of creating users
    first_parent = orgs.parents[0]
    secretary_of = {
        "secretary": orgs.branches_under(first_parent)[0],
        "secretary2": orgs.direct_branches[0],
    }
    if every_branch:
        listed = {branch.pk for branch in secretary_of.values()}
        for branch in orgs.branches:
            if branch.pk not in listed:
                secretary_of[branch_secretary_username(branch)] = branch
    on = {
        "staff": orgs.committee,
        "approver": orgs.committee,
        "rereviewer": orgs.committee,
        "reviewer": first_parent,
        "reviewer2": orgs.parents[1],
        "reviewer3": orgs.parents[2],
        **secretary_of,
    }
    roll = {
        m.branch_id: m
        for m in Member.objects.filter(duty=Duty.SECRETARY, branch__in=secretary_of.values())
    }
    users = DemoUsers()
    assignments = []
    listed_accounts = [
        a for a in demo_accounts() if every_branch or a.username not in EXTRA_REVIEWERS
    ]
    unlisted = [
        DemoAccount(username, Role.SECRETARY, "")
        for username in secretary_of
        if username not in {a.username for a in listed_accounts}
    ]
    for account in [*listed_accounts, *unlisted]:
        if account.username in secretary_of:
            name = roll[secretary_of[account.username].pk].name
            last_name, first_name = name[0], name[1:]
        else:
            last_name, first_name = ACCOUNT_NAMES[account.username]
        admin = account.username == "admin"
        user = User.objects.create(
            username=account.username,
            password=password,
            last_name=last_name,
            first_name=first_name,
            is_staff=admin,
            is_superuser=admin,
        )
        if account.role:
            assignments.append(
                RoleAssignment(user=user, organisation=on[account.username], role=account.role)
            )
        users.by_username[account.username] = user
        if account.description:
            users.accounts.append(account)
    admin = users["admin"]
    bulk_create_with_history(
        assignments, RoleAssignment, default_user=admin, default_change_reason=DEMO_REASON
    )
    members = []
    for username, branch in secretary_of.items():
        member = roll[branch.pk]
        member.user = users[username]
        members.append(member)
    bulk_update_with_history(
        members, Member, ["user"], default_user=admin, default_change_reason=DEMO_REASON
    )
    return users


def build_campaign(
    orgs: DemoOrganisations,
    users: DemoUsers,
    *,
    year: int,
    self_deadline: datetime.date | None = None,
    review_deadline: datetime.date | None = None,
) -> Campaign:
    """A declaration campaign of `year`, still a draft, created by staff through the
    campaign service (the first one gets the default rubric, later ones copy it)."""
    self_deadline = self_deadline or reference_date(year)
    # The stored rubric is in the site's language, as staff would have typed it.
    with translation.override(settings.LANGUAGE_CODE):
        return create_campaign(
            committee=orgs.committee,
            year=year,
            kind=CampaignKind.INITIAL,
            actor=users["staff"],
            title=f"{year}年度基层服务型党组织星级创建",
            self_deadline=self_deadline,
            review_deadline=review_deadline or self_deadline + datetime.timedelta(days=25),
        )


def current_deadline(year: int, today: datetime.date) -> datetime.date:
    """The current campaign's self-evaluation deadline: 5 June, or four weeks from
    `today` once 5 June is less than two weeks away (so the demo stays usable)."""
    deadline = reference_date(year)
    if today > deadline - datetime.timedelta(days=14):
        deadline = today + datetime.timedelta(days=28)
    return deadline


# --- The demo clock ----------------------------------------------------------------------


class DemoClock:
    """`django.utils.timezone.now` while the demo is built: the services stamp their
    dates, deadlines and history with it, so last year's campaign is played through
    on last year's dates. `at(day, hour)` sets the time; every reading advances it by
    a second so histories keep their order. `real()` goes back to the wall clock."""

    def __init__(self):
        self.moment = None

    def at(self, day: datetime.date, hour: int = 9, minute: int = 0) -> None:
        naive = datetime.datetime.combine(day, datetime.time(hour, minute))
        self.moment = timezone.make_aware(naive, timezone.get_default_timezone())

    def real(self) -> None:
        self.moment = None

    def __call__(self):
        if self.moment is None:
            return _real_now()
        self.moment += datetime.timedelta(seconds=1)
        return self.moment


_real_now = timezone.now


@contextlib.contextmanager
def demo_clock():
    clock = DemoClock()
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


# --- Branch profiles: how good each branch is, last year and this year ------------------

STRONG, GOOD, MEDIUM, WEAK = "strong", "good", "medium", "weak"
# Per tier: self level, review level (out of 10 per criterion), survey grade weights
# (好, 较好, 一般, 差) and verdict shares (满意, 基本满意, 不满意).
TIERS = {
    STRONG: (9.6, 9.4, (75, 20, 5, 0), (85, 15, 0)),
    GOOD: (9.1, 8.6, (50, 35, 13, 2), (65, 30, 5)),
    MEDIUM: (8.5, 7.7, (30, 40, 25, 5), (45, 42, 13)),
    WEAK: (7.6, 5.9, (10, 30, 40, 20), (25, 45, 30)),
}
GRADES = ("E", "G", "F", "P")
VERDICTS = ("satisfied", "basically_satisfied", "dissatisfied")


@dataclass
class Profile:
    tier: str
    participation: float  # share of members who vote
    satisfaction: float | None = None  # forced (satisfied + basically) / valid
    override: bool = False  # survey closed below 80 % by staff


def branch_profiles(rng: random.Random, orgs: DemoOrganisations) -> dict[int, Profile]:
    """Seven strong branches (the secretary account's among them), two weak ones (one
    with satisfaction below 60 %, one below 50 %), one closed below 80 % participation;
    the rest good or medium."""
    branches = orgs.branches
    own = orgs.branches_under(orgs.parents[0])[0]
    others = [b for b in branches if b.pk != own.pk]
    picked = rng.sample(others, 9)
    strong = [own, *picked[:6]]
    below_60, below_50, low_turnout = picked[6], picked[7], picked[8]
    profiles = {}
    for branch in branches:
        tier = GOOD if rng.random() < 0.5 else MEDIUM
        profiles[branch.pk] = Profile(tier, rng.uniform(0.82, 1.0))
    for branch in strong:
        profiles[branch.pk].tier = STRONG
    profiles[below_60.pk] = Profile(WEAK, rng.uniform(0.85, 1.0), satisfaction=0.56)
    profiles[below_50.pk] = Profile(WEAK, rng.uniform(0.85, 1.0), satisfaction=0.42)
    profiles[low_turnout.pk] = Profile(MEDIUM, 0.7, override=True)
    return profiles


# Remarks per criterion: (a strong point, a weak point), as secretaries write them.
SELF_REMARKS = [
    ("支委会配备齐全，分工明确，按期完成换届。", "支委缺额一名，正在按程序增补。"),
    ("“三会一课”全年按时召开，记录完整规范。", "个别月份主题党日记录不够完整。"),
    ("牵头完成年度重点任务，攻坚克难作用突出。", "围绕中心工作发挥作用还不够明显。"),
    ("设立党员示范岗5个，党员带头承诺践诺。", "部分党员亮身份、作表率意识不强。"),
    ("开展“我为群众办实事”项目8项，服务对象满意。", "服务形式较单一，覆盖面有待扩大。"),
    ("指导工会、团支部开展活动12次，效果良好。", "群团工作统筹不够，活动偏少。"),
    ("全年无违规违纪情况，廉政教育常态化。", "个别党员学习教育参加不够及时。"),
    ("党员活动室功能齐全，学习资料配备到位。", "活动场地与其他科室共用，设施待完善。"),
    ("上级部署任务均按时高质量完成。", "有1项报送材料超期，已整改。"),
    ("常态化联系服务群众，群众评价较高。", "联系群众渠道还需拓展。"),
]
REVIEW_REMARKS = [
    "组织设置规范。",
    "制度执行台账齐全。",
    "作用发挥有实例支撑。",
    "示范岗作用发挥明显。",
    "服务项目有成效。",
    "群团工作有特色。",
    "纪律教育扎实。",
    "阵地建设达标。",
    "任务落实及时。",
    "群众基础较好。",
]
REVIEW_SHORTFALL = "经查阅台账，该项佐证材料不足，酌情扣分。"


def criterion_scores(rng: random.Random, criteria, level: float) -> list[Decimal]:
    """One score per criterion around `level` (out of 10), in half points."""
    scores = []
    for criterion in criteria:
        value = level + rng.choice((-1.0, -0.5, -0.5, 0.0, 0.0, 0.5, 0.5))
        value = max(0.0, min(float(criterion.max_points), value))
        value *= float(criterion.max_points) / 10
        scores.append(Decimal(round(value * 2) / 2).quantize(Decimal("0.01")))
    return scores


def self_star_for(total: Decimal) -> int:
    for star, threshold in ((5, 90), (4, 80), (3, 70), (2, 60), (1, 50)):
        if total >= threshold:
            return star
    return 0


# --- Playing a campaign through the services ---------------------------------------------


@dataclass
class Played:
    """Handles on the campaign's objects for the later steps."""

    campaign: Campaign
    assessments: dict[int, Assessment]  # branch id → assessment
    criteria: list


def open_demo_campaign(campaign: Campaign, users: DemoUsers) -> Played:
    campaign = open_campaign(campaign=campaign, actor=users["staff"])
    assessments = {
        a.branch_id: a
        for a in Assessment.objects.filter(campaign=campaign).select_related(
            "branch", "campaign", "self_evaluation"
        )
    }
    return Played(campaign, assessments, list(campaign.criteria.order_by("position")))


def secretary_of(users: DemoUsers, orgs: DemoOrganisations, branch) -> object:
    if branch.pk == orgs.branches_under(orgs.parents[0])[0].pk:
        return users["secretary"]
    if branch.pk == orgs.direct_branches[0].pk:
        return users["secretary2"]
    return users[branch_secretary_username(branch)]


def reviewer_of(users: DemoUsers, orgs: DemoOrganisations, branch) -> object:
    """The branch's reviewer: its party committee's, or staff (directly managed
    branches and the general branch, which has no reviewer account)."""
    for username, parent in zip(("reviewer", "reviewer2", "reviewer3"), orgs.parents, strict=False):
        if branch.parent_id == parent.pk:
            return users[username]
    return users["staff"]


def submit_self_evaluation(rng, played: Played, branch, actor, level: float, *, submit=True):
    """Fill in the branch's sheet (scores and remarks) and submit it, or save a draft."""
    sheet = played.assessments[branch.pk].self_evaluation
    values = criterion_scores(rng, played.criteria, level)
    scores = {}
    for criterion, value, (strong, weak) in zip(
        played.criteria, values, SELF_REMARKS, strict=False
    ):
        scores[criterion.pk] = (value, strong if value >= criterion.max_points * 9 / 10 else weak)
    total = sum(values, Decimal(0))
    if submit:
        return self_evaluation.submit(
            sheet=sheet, actor=actor, scores=scores, self_star=self_star_for(total)
        )
    return self_evaluation.save_draft(sheet=sheet, actor=actor, scores=scores)


def _spread(count: int, shares) -> list[int]:
    """`count` choices split by `shares` (largest remainder), in random order."""
    total = sum(shares)
    raw = [count * share / total for share in shares]
    counts = [int(r) for r in raw]
    order = sorted(range(len(shares)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: count - sum(counts)]:
        counts[i] += 1
    return counts


def verdicts_for(rng: random.Random, valid: int, profile: Profile) -> list[str]:
    shares = TIERS[profile.tier][3]
    if profile.satisfaction is not None:
        happy = int(valid * profile.satisfaction)  # rounded down: stays below the mark
        satisfied = happy // 2
        counts = [satisfied, happy - satisfied, valid - happy]
    else:
        counts = _spread(valid, shares)
    verdicts = [v for v, n in zip(VERDICTS, counts, strict=True) for _i in range(n)]
    rng.shuffle(verdicts)
    return verdicts


def run_survey(
    rng,
    played: Played,
    branch,
    actor,
    profile: Profile,
    *,
    voters=None,
    close=True,
    closer=None,
    render_sheet=False,
):
    """Open the branch's survey, cast ballots with the issued codes, close it."""
    issued = survey.open_survey(
        assessment=played.assessments[branch.pk],
        actor=actor,
        public_slips=rng.randint(3, 8),
        render_sheet=render_sheet,
    )
    members = [code for kind, code in issued.codes if kind == SlipKind.MEMBER]
    public = [code for kind, code in issued.codes if kind == SlipKind.PUBLIC]
    if voters is None:
        voters = max(math.ceil(len(members) * 0.8), round(len(members) * profile.participation))
        if profile.override:
            voters = math.ceil(len(members) * profile.participation)
            while voters * 5 >= len(members) * 4:  # stays below 80 %
                voters -= 1
    codes = members[:voters] + public[: max(0, len(public) - rng.randint(0, 2))]
    weights = TIERS[profile.tier][2]
    for code, verdict in zip(codes, verdicts_for(rng, len(codes), profile), strict=True):
        grades = {c.pk: rng.choices(GRADES, weights=weights)[0] for c in played.criteria}
        survey.cast_ballot(code=code, grades=grades, verdict=verdict)
    if not close:
        return issued
    if profile.override:
        survey.close_survey(
            survey=played.assessments[branch.pk].survey,
            actor=closer,
            override_reason="该支部离退休及外派党员较多，经多次组织仍未达到80%，经工委研究同意关闭测评。",
        )
    else:
        survey.close_survey(survey=played.assessments[branch.pk].survey, actor=actor)
    return issued


def review_scores(rng, played: Played, level: float) -> tuple[dict, dict]:
    values = criterion_scores(rng, played.criteria, level)
    scores, remarks = {}, {}
    for criterion, value, remark in zip(played.criteria, values, REVIEW_REMARKS, strict=False):
        scores[criterion.pk] = value
        remarks[criterion.pk] = (
            remark if value >= criterion.max_points * 8 / 10 else REVIEW_SHORTFALL
        )
    return scores, remarks


# --- Last year's campaign, played through ------------------------------------------------

EVENTS = [
    # (which branch, month, day, fields)
    (
        "strong",
        3,
        18,
        {
            "type": "commendation",
            "level": "province",
            "description": "支部被评为省直机关先进基层党组织。",
            "document_ref": "省直工委〔{y}〕12号",
        },
    ),
    (
        "strong",
        4,
        22,
        {
            "type": "commendation",
            "level": "city",
            "description": "支部书记被评为全市优秀党务工作者。",
            "document_ref": "市委〔{y}〕35号",
        },
    ),
    (
        "good",
        2,
        27,
        {
            "type": "commendation",
            "level": "province",
            "description": "支部获省级“五好党支部”称号。",
            "document_ref": "省直工委〔{y}〕8号",
        },
    ),
    (
        "good",
        5,
        9,
        {
            "type": "media_article",
            "level": "city",
            "description": "支部书记署名文章刊登于《市日报》理论版。",
        },
    ),
    (
        "strong",
        4,
        8,
        {
            "type": "innovation",
            "level": "province",
            "description": "“党建+项目服务”工作法被省直工委推广。",
            "document_ref": "省直工委简报第21期",
        },
    ),
    (
        "medium",
        3,
        30,
        {
            "type": "innovation",
            "level": "city",
            "description": "“支部联支部”结对共建做法被市直工委推广。",
        },
    ),
    (
        "medium",
        4,
        15,
        {
            "type": "criticism",
            "issuer": "work_committee",
            "description": "党费收缴不及时，被工委通报批评。",
            "document_ref": "市直工委通报〔{y}〕3号",
        },
    ),
    (
        "weak",
        3,
        6,
        {
            "type": "leader_discipline",
            "severity": "warning",
            "description": "支部委员一人受党内警告处分。",
        },
    ),
    (
        "medium",
        5,
        20,
        {"type": "member_violation", "count": 1, "description": "党员一人违反交通法规受行政处罚。"},
    ),
    ("absent", 2, 24, {"type": "absence", "description": "无故缺席工委季度党建工作例会。"}),
    ("absent", 4, 11, {"type": "absence", "description": "未按时报送党员信息季度核查表。"}),
    ("absent", 5, 16, {"type": "absence", "description": "无故缺席书记专题培训班。"}),
    ("good", 3, 12, {"type": "absence", "description": "未按时完成主题党日报送任务。"}),
]


def record_events(
    rng, orgs: DemoOrganisations, users: DemoUsers, profiles, *, year: int, clock: DemoClock
) -> None:
    """A dozen bonus and penalty events of `year`, recorded by staff a few days after."""
    by_tier = {tier: [b for b in orgs.branches if profiles[b.pk].tier == tier] for tier in TIERS}
    pools = {
        "strong": rng.sample(by_tier[STRONG][1:], 3),
        "good": rng.sample(by_tier[GOOD], 3),
        "medium": rng.sample(by_tier[MEDIUM], 3),
        "weak": by_tier[WEAK][:1],
        "absent": [rng.choice([b for b in by_tier[STRONG][1:]])],
    }
    used = {key: 0 for key in pools}
    for key, month, day, fields in sorted(EVENTS, key=lambda e: (e[1], e[2])):
        pool = pools[key]
        branch = pool[used[key] % len(pool)]  # "absent": three times the same branch
        used[key] += 1
        date = datetime.date(year, month, day)
        clock.at(date + datetime.timedelta(days=rng.randint(1, 4)), 10)
        values = {k: (v.format(y=year) if isinstance(v, str) else v) for k, v in fields.items()}
        events.record_event(actor=users["staff"], branch=branch, date=date, **values)


def play_previous_campaign(
    rng, orgs: DemoOrganisations, users: DemoUsers, profiles, *, year: int, clock: DemoClock
) -> Campaign:
    """Last year's campaign from draft to recompute, on last year's dates."""
    staff = users["staff"]
    clock.at(datetime.date(year, 3, 20))
    campaign = build_campaign(orgs, users, year=year)
    clock.at(datetime.date(year, 4, 1))
    played = open_demo_campaign(campaign, users)
    record_events(rng, orgs, users, profiles, year=year, clock=clock)

    # Declaration: every secretary submits, every branch holds its survey (May).
    for branch in orgs.branches:
        profile = profiles[branch.pk]
        secretary = secretary_of(users, orgs, branch)
        day = datetime.date(year, 5, 6) + datetime.timedelta(days=rng.randint(0, 24))
        clock.at(day, 9, rng.randint(0, 50))
        submit_self_evaluation(rng, played, branch, secretary, TIERS[profile.tier][0])
        clock.at(day + datetime.timedelta(days=rng.randint(1, 4)), 14, 30)
        played.assessments[branch.pk] = Assessment.objects.select_related(
            "branch", "campaign", "self_evaluation"
        ).get(pk=played.assessments[branch.pk].pk)
        run_survey(rng, played, branch, secretary, profile, closer=staff)

    # Superior review (June), five-star audit, recompute.
    five_star = []
    for branch in orgs.branches:
        reviewer = reviewer_of(users, orgs, branch)
        clock.at(datetime.date(year, 6, 8) + datetime.timedelta(days=rng.randint(0, 14)), 15)
        scores, remarks = review_scores(rng, played, TIERS[profiles[branch.pk].tier][1])
        review = reviews.submit_review(
            actor=reviewer,
            assessment=played.assessments[branch.pk],
            scores=scores,
            remarks=remarks,
        )
        if review.audit_status == AuditStatus.PENDING:
            five_star.append(review)
    for index, review in enumerate(five_star):
        clock.at(datetime.date(year, 6, 24), 10, index)
        if index == 0:
            reviews.audit_five_star(
                review=review,
                actor=staff,
                agree=False,
                reason="第3项“战斗堡垒作用”评分依据不足，请补充核实后重新提交。",
            )
            clock.at(datetime.date(year, 6, 25), 16)
            assessment = review.assessment
            reviewer = reviewer_of(users, orgs, assessment.branch)
            criterion = played.criteria[2]
            review = reviews.submit_review(
                actor=reviewer,
                assessment=assessment,
                scores={criterion.pk: criterion.max_points - Decimal("0.5")},
                remarks={criterion.pk: "已补充核实重点任务台账，维持较高评价。"},
            )
            if review.audit_status != AuditStatus.PENDING:
                continue
            clock.at(datetime.date(year, 6, 26), 9)
        reviews.audit_five_star(review=review, actor=staff, agree=True)
    clock.at(datetime.date(year, 6, 29), 11)
    recompute_campaign(campaign=played.campaign, actor=staff)
    played.campaign.refresh_from_db()
    return played.campaign


# --- This year's campaign, part-way --------------------------------------------------------


def play_current_campaign(rng, orgs, users, profiles, *, year, today, clock) -> Campaign:
    """This year's campaign, open: a few branches part-way, the rest untouched. The
    `secretary` account's branch has everything still to do."""
    deadline = current_deadline(year, today)
    real = today == timezone.localdate(_real_now())
    start = today - datetime.timedelta(days=6)
    clock.at(start - datetime.timedelta(days=14), 10)
    campaign = build_campaign(orgs, users, year=year, self_deadline=deadline)
    clock.at(start, 9)
    played = open_demo_campaign(campaign, users)
    first_parent, second_parent = orgs.parents[0], orgs.parents[1]
    _own, submitted, drafting = orgs.branches_under(first_parent)[:3]
    direct = orgs.direct_branches[0]  # secretary2's: submitted, survey running
    other = orgs.branches_under(second_parent)[0]

    for day, branch in ((1, submitted), (2, direct), (3, other)):
        clock.at(start + datetime.timedelta(days=day), 10)
        level = TIERS[profiles[branch.pk].tier][0]
        submit_self_evaluation(rng, played, branch, secretary_of(users, orgs, branch), level)
    clock.at(start + datetime.timedelta(days=3), 15)
    submit_self_evaluation(
        rng, played, drafting, secretary_of(users, orgs, drafting), 8.5, submit=False
    )
    # A closed survey and a review draft for `submitted`; a running survey for `direct`.
    clock.at(start + datetime.timedelta(days=4), 14)
    run_survey(rng, played, submitted, secretary_of(users, orgs, submitted), profiles[submitted.pk])
    clock.at(start + datetime.timedelta(days=5), 16)
    scores, remarks = review_scores(rng, played, TIERS[profiles[submitted.pk].tier][1])
    half = dict(list(scores.items())[:5])
    reviews.save_review_draft(
        assessment=played.assessments[submitted.pk],
        actor=users["reviewer"],
        scores=half,
        remarks={k: remarks[k] for k in half},
    )
    if real:
        clock.real()
    else:
        clock.at(today, 9)
    members = Member.objects.filter(branch=direct, active=True).count()
    run_survey(
        rng,
        played,
        direct,
        secretary_of(users, orgs, direct),
        profiles[direct.pk],
        voters=members // 2,
        close=False,
        render_sheet=True,
    )
    return played.campaign


def build_demo(
    *, year: int | None = None, seed: int = SEED, today: datetime.date | None = None
) -> Demo:
    """Fill an empty database with the whole demo, in one transaction.

    `today` (default: the real date) is the day the demo is built as of: this year's
    campaign is open then, last year's campaign was played through on last year's dates.
    """
    today = today or datetime.date.today()
    year = year or today.year
    rng = random.Random(seed)
    with transaction.atomic(), demo_clock() as clock:
        orgs = build_organisations(rng, year=year, reference=current_deadline(year, today))
        clock.at(datetime.date(year - 1, 3, 1), 8)
        users = build_users(orgs, every_branch=True)
        profiles = branch_profiles(rng, orgs)
        previous = play_previous_campaign(rng, orgs, users, profiles, year=year - 1, clock=clock)
        campaign = play_current_campaign(
            rng, orgs, users, profiles, year=year, today=today, clock=clock
        )
    return Demo(organisations=orgs, users=users, campaign=campaign, previous=previous)
