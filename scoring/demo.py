"""Demo data: a realistic work committee, one account per role, this year's campaign shell.

Deterministic: one `random.Random(SEED)` drives every choice, and every date is
derived from the campaign year, so two runs on empty databases give the same
organisations, members, terms and accounts. The builder is split in steps
(`build_organisations`, `build_users`, `build_campaign`) so that a later step can
open the campaign and add progress on top of what `build_demo` returns.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from branches.models import Duty, Member, MemberStatus, Organisation, OrgKind, Role, RoleAssignment
from scoring.models import Campaign, CampaignKind, CampaignStatus, Criterion
from scoring.rubric import default_rubric

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
    campaign: Campaign


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


def _branch_terms(rng: random.Random, count: int, year: int, keep: set[int]) -> list[dict]:
    """Term fields per branch: most on time, three overdue, one overdue more than a
    year, one overdue with an approved postponement (all judged at 5 June of `year`).
    Branches whose index is in `keep` stay on time."""
    ref = reference_date(year)
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
            # Elected so that the term runs past the end of the year.
            start = datetime.date(year - 2, 1, 10) + datetime.timedelta(days=rng.randint(0, 840))
            term_end = add_years(start, TERM_YEARS)
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


def build_organisations(rng: random.Random, *, year: int) -> DemoOrganisations:
    """The work committee, its party committees and general branch, and about 40
    branches (six directly managed), each with 8–25 members."""
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
    terms = _branch_terms(rng, len(specs), year, keep)
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
    "admin": ("系统", "管理员"),
}


def build_users(orgs: DemoOrganisations) -> DemoUsers:
    """One account per role (password `PASSWORD`), plus a technical `admin`; the
    secretaries are their branches' secretaries on the roll, linked by `Member.user`."""
    User = get_user_model()
    password = make_password(PASSWORD)  # hashed once: the slow part of creating users
    first_parent = orgs.parents[0]
    secretary_of = {
        "secretary": orgs.branches_under(first_parent)[0],
        "secretary2": orgs.direct_branches[0],
    }
    on = {
        "staff": orgs.committee,
        "approver": orgs.committee,
        "rereviewer": orgs.committee,
        "reviewer": first_parent,
        **secretary_of,
    }
    roll = {
        m.branch_id: m
        for m in Member.objects.filter(duty=Duty.SECRETARY, branch__in=secretary_of.values())
    }
    users = DemoUsers()
    assignments = []
    for account in demo_accounts():
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
        users.accounts.append(account)
    bulk_create_with_history(assignments, RoleAssignment)
    for username, branch in secretary_of.items():
        member = roll[branch.pk]
        member.user = users[username]
        member._change_reason = gettext_noop("demo data")
        member.save(update_fields=["user"])
    return users


def build_campaign(orgs: DemoOrganisations, users: DemoUsers, *, year: int) -> Campaign:
    """This year's declaration campaign, still a draft, with the default rubric."""
    campaign = Campaign(
        year=year,
        kind=CampaignKind.INITIAL,
        title=f"{year}年度基层服务型党组织星级创建",
        committee=orgs.committee,
        status=CampaignStatus.DRAFT,
        self_deadline=reference_date(year),
        review_deadline=datetime.date(year, 6, 30),
        created_by=users["staff"],
    )
    campaign._history_user = users["staff"]
    campaign._change_reason = gettext_noop("demo data")
    campaign.save()
    # The stored rubric is in the site's language, as staff would have typed it.
    with translation.override(settings.LANGUAGE_CODE):
        rubric = default_rubric()
    bulk_create_with_history(
        [
            Criterion(
                campaign=campaign,
                position=position,
                title=title,
                description=description,
                max_points=points,
            )
            for position, (title, description, points) in enumerate(rubric, start=1)
        ],
        Criterion,
    )
    return campaign


def build_demo(*, year: int | None = None, seed: int = SEED) -> Demo:
    """Fill an empty database with the whole demo, in one transaction."""
    year = year or datetime.date.today().year
    rng = random.Random(seed)
    with transaction.atomic():
        orgs = build_organisations(rng, year=year)
        users = build_users(orgs)
        campaign = build_campaign(orgs, users, year=year)
    return Demo(organisations=orgs, users=users, campaign=campaign)
