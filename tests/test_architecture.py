"""The shape of the code, checked by reading it (ast), not by running it.

* only `applications/files.py` turns a stored file into a response;
* only `applications/workflow.py` changes an application's state;
* no module of `applications/` grows past ~700 lines, no front-end view past ~30;
* the apps import each other only downwards (README "Architecture").
"""

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"tests", "migrations", ".venv", "node_modules", "var", "bench", "ops"}


def source_files(under: Path = ROOT):
    for path in sorted(under.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if not parts & SKIP_DIRS and not any(p.startswith(".") for p in parts):
            yield path


@functools.cache
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


FRONT_ENDS = ("applications/api", "applications/portal", "applications/review")
VIEW_METHODS = {"get", "post", "perform", "get_context_data", "dispatch"}
MAX_VIEW_LINES = 30


def body_lines(function: ast.FunctionDef) -> int:
    """Lines of the body, the signature and the docstring not counted."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:] or body
    return function.end_lineno - body[0].lineno + 1


def views(tree: ast.Module):
    """Functions taking `request` first, and the request-handling methods of classes."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.args.args[:1]:
            if node.args.args[0].arg == "request":
                yield node
        elif isinstance(node, ast.ClassDef):
            yield from (
                item
                for item in node.body
                if isinstance(item, ast.FunctionDef) and item.name in VIEW_METHODS
            )


def test_no_view_or_route_over_about_30_lines():
    long = {
        f"{rel(path)}:{view.name}": n
        for folder in FRONT_ENDS
        for path in source_files(ROOT / folder)
        for view in views(parsed(path))
        if (n := body_lines(view)) > MAX_VIEW_LINES
    }
    assert long == {}


def test_the_view_size_check_counts_the_body():
    code = 'def v(request):\n    """Doc."""\n' + "    x = 1\n" * 31
    (view,) = views(ast.parse(code))
    assert body_lines(view) == 31


# --- layering -----------------------------------------------------------------------

# Bottom to top; an app may import the apps of lower layers only (same layer: no).
LAYERS = [
    {"cms"},
    {"regions", "workdays", "search"},
    {"catalogue", "policies", "guides"},
    {"importer"},
    {"accounts"},
    {"interconnect"},
    {"applications"},
    {"archive", "notifications", "window", "connection"},
    {"subsidies", "documents"},
]
LAYER_OF = {app: n for n, apps in enumerate(LAYERS) for app in apps}

# Project wiring inside the cms package: settings, URLs, the site's home page app (it
# shows guides and policies, loads the demo) and the cache purge hooks. These put the
# apps together and may import any of them; the rest of cms is the bottom layer.
WIRING = ("cms/settings/", "cms/urls.py", "cms/home/", "cms/invalidation.py")

# Back-edges still to remove, by importing file (none today). The list may only shrink:
# an entry that no longer exists fails the test too, so it is taken off when fixed.
KNOWN_BACK_EDGES: dict[str, set[str]] = {}


def app_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def imported_apps(tree: ast.Module) -> set[str]:
    """Top-level apps named by absolute imports anywhere in the module (functions too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(LAYER_OF)


def back_edges() -> dict[str, set[str]]:
    edges = {}
    for path in source_files():
        app, name = app_of(path), rel(path)
        if app not in LAYER_OF or name.startswith(WIRING):
            continue
        upward = {
            other
            for other in imported_apps(parsed(path))
            if other != app and LAYER_OF[other] >= LAYER_OF[app]
        }
        if upward:
            edges[name] = upward
    return edges


def test_every_app_has_a_layer():
    apps = {
        p.name
        for p in ROOT.iterdir()
        if (p / "apps.py").exists() or ((p / "__init__.py").exists() and (p / "models.py").exists())
    }
    assert apps - set(LAYER_OF) == set(), "add the new app to LAYERS (and README)"


def test_apps_import_only_lower_layers():
    assert back_edges() == KNOWN_BACK_EDGES


def test_the_layering_check_sees_a_hidden_import():
    tree = ast.parse("def f():\n    from notifications.ratings import rate_online\n")
    assert imported_apps(tree) == {"notifications"}


def private_imports(tree: ast.Module, app: str) -> list[str]:
    """`from other_app.x import _name`: a private name taken across apps."""
    return [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
        if node.module.split(".")[0] in LAYER_OF and node.module.split(".")[0] != app
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]


def test_no_private_name_crosses_apps():
    found = {
        rel(path): names
        for path in source_files()
        if app_of(path) in LAYER_OF and (names := private_imports(parsed(path), app_of(path)))
    }
    assert found == {}


# --- imports inside functions -------------------------------------------------------

# Third-party libraries imported only where they are used, because importing them costs
# much memory or time and most processes (web workers, most commands) never need them.
LAZY_LIBRARIES = {
    "openpyxl": "xlsx writer, ~40 MB and ~0.3 s; only the spreadsheet exports need it",
    "pypdfium2": "PDF engine with a native library; only PDF inspection and extraction",
    "weasyprint": "HTML-to-PDF with Pango/cairo, ~1 s to import; only document rendering",
    "rapidocr": "OCR models (onnxruntime), seconds to load; only the archive extractor",
    "numpy": "the OCR engine's image array, ~20 MB; loaded with the OCR engine only",
    "zxingcpp": "native QR decoder; only the archive extractor reads QR codes",
    "fontTools": "font subsetter, ~0.2 s; only building the documents' fonts at install",
}

# Other imports that stay inside a function, by "file:function", each with its reason.
# "Avoids an import cycle" is not a reason: make the dependency run one way instead.
FUNCTION_IMPORT_EXCEPTIONS: dict[str, str] = {
    "search/backends/database.py:SearchBackend": (
        "imports the backend of the connected database only: the SQLite one cannot be "
        "imported on PostgreSQL (its FTS index model exists only on SQLite)"
    ),
}


def is_app_ready(function: ast.FunctionDef, parents: dict) -> bool:
    """`ready()` of an AppConfig: the place Django provides for wiring at start-up."""
    owner = parents.get(function)
    return (
        function.name == "ready"
        and isinstance(owner, ast.ClassDef)
        and any(
            (base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")) == "AppConfig"
            for base in owner.bases
        )
    )


def imported_roots(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name.split(".")[0] for alias in node.names}
    return {node.module.split(".")[0]} if node.level == 0 and node.module else {"."}


def function_imports(tree: ast.Module) -> list[str]:
    """`function:line` of every import inside a function body that is neither in an
    AppConfig.ready() nor of a library in LAZY_LIBRARIES."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if is_app_ready(function, parents):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                if not imported_roots(node) <= set(LAZY_LIBRARIES):
                    found.add((node.lineno, f"{function.name}:{node.lineno}"))
    return [name for _, name in sorted(found)]


def test_no_import_inside_a_function():
    found = {}
    for path in source_files():
        for where in function_imports(parsed(path)):
            key = f"{rel(path)}:{where.split(':')[0]}"
            if key not in FUNCTION_IMPORT_EXCEPTIONS:
                found.setdefault(rel(path), []).append(where)
    assert found == {}, "import at module top (see FUNCTION_IMPORT_EXCEPTIONS for the rules)"


def test_every_function_import_exception_is_still_needed():
    present = {
        f"{rel(path)}:{where.split(':')[0]}"
        for path in source_files()
        for where in function_imports(parsed(path))
    }
    assert set(FUNCTION_IMPORT_EXCEPTIONS) - present == set()


def test_the_function_import_check_sees_a_hidden_import():
    code = (
        "import openpyxl\n"
        "class Config(AppConfig):\n"
        "    def ready(self):\n"
        "        from . import signals\n"
        "def export():\n"
        "    from openpyxl import Workbook\n"
        "def submit(application):\n"
        "    from .workflow import lock\n"
        "    import pypdfium2, json\n"
    )
    assert function_imports(ast.parse(code)) == ["submit:8", "submit:9"]


# --- one writer of Event rows -------------------------------------------------------

EVENT_WRITER = "applications/events.py"
CREATING_CALLS = {"create", "bulk_create", "get_or_create", "update_or_create"}


def event_constructions(tree: ast.Module) -> list[int]:
    """Lines calling `Event(...)`, `Event.objects.create(...)` and the like, or
    `<application>.events.create(...)` (the reverse relation)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "Event":
            found.append(node.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in CREATING_CALLS:
            manager = func.value
            if isinstance(manager, ast.Attribute) and (
                manager.attr == "events"
                or (
                    manager.attr == "objects"
                    and isinstance(manager.value, ast.Name)
                    and manager.value.id == "Event"
                )
            ):
                found.append(node.lineno)
    return found


def test_only_the_events_module_writes_events():
    offenders = {
        rel(path): lines
        for path in source_files()
        if rel(path) != EVENT_WRITER and (lines := event_constructions(parsed(path)))
    }
    assert offenders == {}, "write Events through applications.events.record"


@pytest.mark.parametrize(
    "code",
    [
        "Event.objects.create(application=a, action='rated')",
        "Event.objects.bulk_create([x])",
        "rows = [Event(application=a)]",
        "application.events.create(action='viewed')",
    ],
)
def test_the_event_check_sees_a_write(code):
    assert event_constructions(ast.parse(code)) == [1]


def test_the_event_check_leaves_reads_alone():
    code = (
        "Event.objects.filter(action='rated')\napplication.events.all()\nevents.record(a, u, 'x')"
    )
    assert event_constructions(ast.parse(code)) == []


# --- no import cycles ---------------------------------------------------------------


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """Project modules imported at the top of the module at `path` (`from . import x`
    counts as importing x, not the package being initialised)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in parsed(path).body:
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(filter(None, [*parent, node.module]))
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            targets = [m for m in submodules if m in modules] or [base]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in source_files() if path.name != "manage.py"}
    return {name: top_level_imports(path, set(paths)) for name, path in paths.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, done = [], set()
    for start in sorted(graph):
        stack, on_path = [(start, iter(sorted(graph[start])))], [start]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.pop()
                done.add(node)
            elif child in on_path:
                cycles.append([*on_path[on_path.index(child) :], child])
            elif child not in done:
                stack.append((child, iter(sorted(graph[child]))))
                on_path.append(child)
    return cycles


def test_no_import_cycle_between_modules():
    """Dependencies run one way; a cycle hidden by a late import is caught above."""
    assert find_cycles(import_graph()) == []


def test_the_cycle_check_sees_a_cycle():
    graph = {"a.models": {"a.listing"}, "a.listing": {"a.models"}, "a.views": {"a.models"}}
    assert find_cycles(graph) == [["a.listing", "a.models", "a.listing"]]
    assert find_cycles({"a.views": {"a.models"}, "a.models": set()}) == []


def test_the_import_graph_follows_relative_imports():
    graph = import_graph()
    assert "policies.policy" in graph["policies.listing"]
    assert "archive.search._match" in graph["archive.search._database"]
    assert "archive.search" not in graph["archive.search._database"]
