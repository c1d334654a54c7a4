"""Last year's improvement plans and rectification ledgers (docs/process.md §2.2), through
the services on the demo's clock, once last year's campaign is played.

Every branch of last year gets a plan in July; most are acknowledged by the parent, some
wait for it, some were returned with a reason (and one of those filed again). Each ledger
takes the two weakest criteria and a penalty from the branch's starting list; about half
of the items were closed with evidence in the autumn (one small PDF made with WeasyPrint,
shared by all), the rest are open and due in the coming months; the demo secretary's
branch has one item overdue and one due within two weeks, so the to-dos and the red rows
show.
"""

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from improvement import services
from scoring.services.publicity import current_star

from .accounts import DemoUsers, reviewer_of, secretary_of
from .data import SEED
from .organisations import DemoOrganisations
from .timeline import DemoClock

MEASURES = (
    "对照考评中得分较低的项目逐项整改：支委会每月研究一次党建工作，"
    "“三会一课”按计划召开并记录完整；开展一次主题党日活动；年底前完成整改销账。"
)
RETURN_REASON = "目标星级与措施不对应，请细化到具体时间和责任人后重新报备。"
CLOSING_NOTE = "已按措施完成整改，会议记录和活动照片已归档。"
ITEM_MEASURES = "明确责任人，按月推进，支委会每季度检查一次整改进度。"


def evidence_pdf() -> bytes:
    """One page of evidence (整改佐证材料), in Chinese, made once."""
    from weasyprint import HTML

    html = (
        '<html lang="zh-CN"><head><meta charset="utf-8"></head>'
        "<body style=\"font-family: 'Noto Sans CJK SC', sans-serif\">"
        "<h1>整改佐证材料</h1><p>支委会会议记录、主题党日活动照片及签到表。</p></body></html>"
    )
    return HTML(string=html).write_pdf()


def give_plans_and_ledgers(
    orgs: DemoOrganisations, users: DemoUsers, campaign, *, today, clock: DemoClock
) -> None:
    """Plans and ledgers of `campaign`'s year for every branch, in every state; due dates
    relative to `today`, the day the demo is built as of. Its own random generator, so
    the rest of the demo draws the same numbers with or without it."""
    rng = random.Random(SEED + 22)
    year = campaign.year
    pdf = evidence_pdf()
    shown = orgs.branches_under(orgs.parents[0])[0]  # the demo secretary's branch
    for index, branch in enumerate(orgs.branches):
        secretary = secretary_of(users, orgs, branch)
        parent = reviewer_of(users, orgs, branch)
        star = current_star(branch)
        clock.at(datetime.date(year, 8, 5) + datetime.timedelta(days=rng.randint(0, 9)), 10)
        plan = services.create_plan(
            actor=secretary,
            branch=branch,
            campaign=campaign,
            target_star=min(5, (star or 2) + 1),
            measures=MEASURES,
        )
        services.file_plan(actor=secretary, plan=plan)
        clock.at(datetime.date(year, 8, 18) + datetime.timedelta(days=rng.randint(0, 5)), 15)
        if branch != shown and index % 7 == 3:
            services.return_plan(actor=parent, plan=plan, reason=RETURN_REASON)
            if index % 2:  # edited and filed again; waits for the parent
                clock.at(datetime.date(year, 8, 28), 9)
                services.update_plan(
                    actor=secretary,
                    plan=plan,
                    target_star=plan.target_star,
                    measures=MEASURES + "每季度向上级党组织报告一次整改进度。",
                )
                services.file_plan(actor=secretary, plan=plan)
        elif branch == shown or index % 5:
            services.acknowledge_plan(actor=parent, plan=plan)
        # else: filed, waiting for the parent's acknowledgement
        _ledger(rng, plan, secretary, pdf, today=today, shown=branch == shown, clock=clock)


def _ledger(rng, plan, secretary, pdf, *, today, shown, clock) -> None:
    members = list(plan.branch.members.filter(active=True).order_by("code"))
    found = services.starting_list(plan)
    suggestions = [s for s in found if s.criterion][:2] + [s for s in found if s.event][:1]
    clock.at(datetime.date(plan.year, 9, 1) + datetime.timedelta(days=rng.randint(0, 9)), 10)
    items = []
    for position, suggestion in enumerate(suggestions):
        if shown and position == 0:
            due = today - datetime.timedelta(days=10)  # overdue
        elif shown and position == 1:
            due = today + datetime.timedelta(days=7)  # due within two weeks
        else:
            due = today + datetime.timedelta(days=rng.randint(30, 150))
        items.append(
            services.add_item(
                actor=secretary,
                plan=plan,
                problem=suggestion.problem,
                measures=ITEM_MEASURES,
                responsible=rng.choice(members),
                due=due,
                criterion=suggestion.criterion,
                event=suggestion.event,
            )
        )
    for position, item in enumerate(items):
        if (shown and position < 2) or rng.random() < 0.5:
            continue
        closed_on = datetime.date(plan.year, 10, 10) + datetime.timedelta(days=rng.randint(0, 40))
        clock.at(closed_on, 16)
        services.close_item(
            actor=secretary,
            item=item,
            closed_on=closed_on,
            note=CLOSING_NOTE,
            uploaded_file=SimpleUploadedFile("整改佐证材料.pdf", pdf, "application/pdf"),
        )
