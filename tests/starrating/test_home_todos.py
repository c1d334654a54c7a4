"""The home page's to-dos come from one module beside the views, each role's real ones."""

from django.urls import reverse
from django.utils import translation

from starrating import todos


def test_the_secretarys_to_dos_are_the_sheet_and_the_survey(tree, sheet):
    items = todos.todos(tree.secretary)
    urls = {item.url for item in items}
    assert reverse("scoring:self_evaluation", args=[sheet.assessment_id]) in urls
    assert reverse("scoring:survey", args=[sheet.assessment_id]) in urls
    assert {item.role for item in items} == {"secretary"}


def test_the_sheets_deadline_reads_in_the_date_form(tree, sheet):
    deadline = sheet.deadline
    with translation.override("zh-hans"):
        [item] = todos.self_evaluation_todos(tree.secretary)
    assert item.detail == f"截止日期：{deadline.year}年{deadline.month}月{deadline.day}日"


def test_staff_see_the_roster_and_the_unsubmitted_sheets(tree, sheet):
    items = todos.todos(tree.staff)
    urls = [item.url for item in items]
    assert reverse("branches:roster_import") in urls
    assert [item.count for item in items if item.url.endswith("?status=unsubmitted")] == [3]


def test_someone_without_a_role_has_nothing_to_do(tree, sheet):
    assert todos.todos(tree.nobody) == []


def test_the_home_page_shows_each_roles_to_dos(client, tree, sheet):
    client.force_login(tree.secretary)
    content = client.get(reverse("home")).content.decode()
    assert reverse("scoring:self_evaluation", args=[sheet.assessment_id]) in content
