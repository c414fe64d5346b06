"""manage.py import_document: output per file and clear Chinese errors."""

from io import StringIO
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command

from guides.models import GuidePage
from policies.models import PolicyPage

FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_document", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_creates_then_updates(policy_index):
    out, _ = run(str(FIXTURES / "notice.txt"), "--kind", "policy", "--publish")
    page = PolicyPage.objects.get()
    assert "已创建：关于转发《洛阳市“换电站备案一站办”工作规程》的通知" in out
    assert unquote(page.url) in out  # readable: /policies/洛发改-2023-57/
    assert "/policies/洛发改-2023-57/" in out
    assert page.live

    out, _ = run(str(FIXTURES / "notice.txt"), "--kind", "policy")
    assert "已更新（草稿，未发布）" in out
    assert PolicyPage.objects.count() == 1


def test_several_files_and_parent_slug(guide_index):
    guide = str(FIXTURES / "guide.txt")
    out, _ = run(guide, guide, "--kind", "guide", "--parent", "help")
    assert out.count("：操作指南 ") == 2
    assert "已创建（草稿，未发布）" in out and "已更新（草稿，未发布）" in out
    assert GuidePage.objects.count() == 1


def test_missing_file(policy_index):
    with pytest.raises(CommandError, match=r"文件不存在：.*nope\.txt"):
        run("nope.txt", "--kind", "policy")


def test_one_bad_file_among_good_ones(policy_index, tmp_path):
    with pytest.raises(CommandError, match="1 个文件导入失败") as excinfo:
        run(str(tmp_path / "nope.txt"), str(FIXTURES / "notice.txt"), "--kind", "policy")
    assert "nope.txt" in str(excinfo.value)
    assert PolicyPage.objects.count() == 1  # the good file is still imported


def test_not_utf8(policy_index, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("使用帮助".encode("gb18030"))
    with pytest.raises(CommandError, match="UTF-8"):
        run(str(path), "--kind", "guide")


def test_kind_required_and_checked(policy_index):
    with pytest.raises(CommandError, match="--kind"):
        run(str(FIXTURES / "notice.txt"))
    with pytest.raises(CommandError, match="未知的文档类型“memo”"):
        run(str(FIXTURES / "notice.txt"), "--kind", "memo")


def test_no_parent_page(home_page):
    with pytest.raises(CommandError, match="政策汇编"):
        run(str(FIXTURES / "notice.txt"), "--kind", "policy")
