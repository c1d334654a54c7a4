"""The demo's fixed content: the organisations' names, the people's names, the branches'
tiers, what secretaries and reviewers write, the year's events, and the dates everything
is derived from. Plain values only: the builders (organisations, accounts, the
play-through) draw from them with the one seeded `random.Random`.
"""

import datetime

from branches.models import OrgKind

SEED = 2026

#: The action code of the rows the demo writes itself (not through a service).
DEMO_ACTION = "demo.loaded"

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


# --- The calendar ------------------------------------------------------------------------


def reference_date(year: int) -> datetime.date:
    """The campaign's reference date for election status: the default deadline, 5 June."""
    return datetime.date(year, 6, 5)


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- Tiers: how good a branch is -----------------------------------------------------------

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


# --- What people write -------------------------------------------------------------------

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

# Staff's reason for closing a survey below 80 % participation.
LOW_TURNOUT_REASON = "该支部离退休及外派党员较多，经多次组织仍未达到80%，经工委研究同意关闭测评。"
# The five-star proposal sent back, and the reviewer's remark when resubmitting it.
SENT_BACK_REASON = "第3项“战斗堡垒作用”评分依据不足，请补充核实后重新提交。"
RESUBMITTED_REMARK = "已补充核实重点任务台账，维持较高评价。"


# --- Last year's events ------------------------------------------------------------------

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


# --- Last year's publicity, approval and re-review ----------------------------------------

PUBLICITY_CONTACT = "市直机关工委组织科，电话 0571-87000000（工作日 9:00–17:00）"
# An objection staff verify and dismiss (filed by name), and one they uphold (anonymous).
DISMISSED_OBJECTION = (
    "该支部去年组织生活会只开了一次，评五星不合适。",
    "老党员 王某",
    "13800000000",
)
DISMISSED_VERIFICATION = "调阅该支部组织生活会记录及会议照片，当年召开两次，记录完整。"
DISMISSED_REASON = "经核实，该支部按规定召开组织生活会，反映情况与事实不符，不予采纳。"
UPHELD_OBJECTION = "该支部“三会一课”记录有多次补记，部分党员表示当月未参加党课，请工委核实。"
UPHELD_VERIFICATION = "抽查该支部全年会议记录，发现三次党课记录系事后补记，与考勤不符。"
UPHELD_REASON = "反映情况基本属实，退回评审人重新评定第1项“三会一课”得分。"
UPHELD_REMARK = "经工委核实，部分党课记录系补记，相应扣减该项得分。"
# The committee's decision, and the re-review of one five-star result not confirmed.
APPROVAL_REFERENCE = "市直工委〔{y}〕21号"
MINUTES_TITLE = "市直机关工委{y}年第7次委员会议纪要"
REREVIEW_DECLINED_REASON = (
    "市委组织部复审抽查发现该支部发展党员程序材料不全，不予确认五星，按四星认定。"
)

#: Why staff mark last year's first officially five-star branch as a demonstration site.
DEMONSTRATION_REASON = (
    "“三会一课”规范、服务群众成效突出，经工委研究确定为全市基层服务型党组织示范点。"
)
