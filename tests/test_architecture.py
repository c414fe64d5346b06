"""The shape of the code, checked by reading it (ast), not by running it.

* only `applications/files.py` turns a stored file into a response;
* only `applications/workflow.py` changes an application's state;
* no module of `applications/` grows past ~700 lines, no front-end view past ~30;
* the apps import each other only downwards (README "Architecture").
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"tests", "migrations", ".venv", "node_modules", "var", "bench", "ops"}


def source_files(under: Path = ROOT):
    for path in sorted(under.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if not parts & SKIP_DIRS and not any(p.startswith(".") for p in parts):
            yield path


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


# --- files and state ----------------------------------------------------------------

FILE_RESPONSES = {"private_file_response", "FileResponse"}
FILE_RESPONSE_HOMES = {"applications/files.py", "cms/storage.py"}  # user, definition


def file_response_calls(tree: ast.Module) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and called_name(node) in FILE_RESPONSES
    ]


def test_only_files_module_builds_file_responses():
    offenders = {
        rel(path): lines
        for path in source_files()
        if rel(path) not in FILE_RESPONSE_HOMES and (lines := file_response_calls(parsed(path)))
    }
    assert offenders == {}, "serve stored files through applications.files"


def test_the_file_response_check_sees_a_call():
    tree = ast.parse("from cms.storage import private_file_response\nprivate_file_response('x')")
    assert file_response_calls(tree) == [2]


def other_models_state(value: ast.expr | None) -> bool:
    """`Message.State.SENT`, `Rectification.State.CLOSED`: another model's state."""
    return (
        isinstance(value, ast.Attribute)
        and isinstance(value.value, ast.Attribute)
        and value.value.attr == "State"
        and isinstance(value.value.value, ast.Name)
        and value.value.value.id != "Application"
    )


def state_writes(tree: ast.Module) -> list[int]:
    """Lines assigning `<obj>.state` or passing `state=` to `update()`/`create()`/…,
    unless the value is plainly another model's State."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        else:
            targets = []
        if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
            if not other_models_state(node.value):
                found.append(node.lineno)
        if isinstance(node, ast.Call) and called_name(node) in STATE_WRITING_CALLS:
            if any(k.arg == "state" and not other_models_state(k.value) for k in node.keywords):
                found.append(node.lineno)
    return found


STATE_WRITING_CALLS = {"update", "create", "update_or_create", "get_or_create", "bulk_create"}


def test_only_workflow_changes_application_state():
    offenders = {
        rel(path): lines
        for path in source_files()
        if rel(path) != "applications/workflow.py" and (lines := state_writes(parsed(path)))
    }
    assert offenders == {}, "change Application.state only through applications.workflow"


@pytest.mark.parametrize(
    "code",
    [
        "application.state = State.APPROVED",
        "app.state = 'draft'",
        "Application.objects.filter(pk=1).update(state='approved')",
        "Application.objects.create(applicant=a, state=State.SUBMITTED)",
    ],
)
def test_the_state_check_sees_a_write(code):
    assert state_writes(ast.parse(code)) == [1]


def test_the_state_check_leaves_other_models_alone():
    assert state_writes(ast.parse("rectification.state = Rectification.State.CLOSED")) == []
    assert state_writes(ast.parse("x = application.state")) == []
    assert state_writes(ast.parse("Message.objects.update(state=Message.State.SENT)")) == []


# --- sizes --------------------------------------------------------------------------

# "~700": a little slack, so that a small fix does not force a split the same day.
MAX_MODULE_LINES = 720


def test_no_applications_module_over_about_700_lines():
    long = {
        rel(path): n
        for path in source_files(ROOT / "applications")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
