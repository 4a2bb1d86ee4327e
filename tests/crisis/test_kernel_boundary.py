"""The kernel (crisis/) knows no app, and incidents knows nothing of responses or monitoring.

Read from the source: imports, the strings that name an app's model, permission or URL
(``get_model("incidents.Incident")``, ``reverse("incidents:list")``), the statuses of the apps'
records and the roles' group names, and the template tag libraries each template loads. Each
scanner is first shown to find a crossing in a made-up snippet, so that a scanner that finds
nothing fails here rather than passing quietly.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from crisis import roles

ROOT = Path(__file__).resolve().parents[2]
KERNEL = ROOT / "crisis"

# The project's composition root names the apps on purpose: the settings install them, the root
# URLconf mounts them, and crisis.roles is the one home of the roles and the permissions each
# holds.
COMPOSITION_ROOT = {"settings.py", "urls.py", "roles.py"}


def local_apps():
    """The project's own apps besides the kernel: their labels, found from the app registry (a
    new app is covered without touching this test)."""
    return sorted(
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT)
        # installed packages are not ours, even in a virtualenv kept beside the code (.venv/)
        and "site-packages" not in Path(config.path).parts
        and config.label != "crisis"
    )


APPS = local_apps()


def kernel_files():
    return [
        path
        for path in sorted(KERNEL.rglob("*.py"))
        if path.name not in COMPOSITION_ROOT and "migrations" not in path.parts
    ]


def app_statuses():
    """Every status value of the apps' records (their ``Status`` choices)."""
    found = set()
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            status = getattr(model, "Status", None)
            if status is not None:
                found |= set(status.values)
    return found


# The kernel's own words that an app's status happens to share: a clock's state "done", an
# action item's outcome "dropped" (crisis.clocks), an outbox delivery "refused" (a drill's, like
# a post the connectors app refuses for a drill: crisis.outbound).
KERNEL_WORDS = {"done", "dropped", "refused"}


def crossings(source, *, apps=APPS, statuses=frozenset(), groups=frozenset()):
    """What a kernel source names of the apps: ``[(line, what)]``."""
    found = []
    names = "|".join(map(re.escape, apps))
    app_string = re.compile(rf"^({names})[.:]\w")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] in apps]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in apps:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "attr", getattr(func, "id", None))
            first = node.args[0] if node.args else None
            if (
                name == "get_model"
                and isinstance(first, ast.Constant)
                and str(first.value).split(".")[0] in apps
            ):
                found.append((node.lineno, f"get_model({first.value!r})"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            if app_string.match(value):
                found.append((node.lineno, value))
            elif value in statuses - KERNEL_WORDS:
                found.append((node.lineno, f"status {value!r}"))
            elif value in groups:
                found.append((node.lineno, f"group {value!r}"))
    return sorted(set(found))


def tag_libraries(label):
    """The template tag libraries an app ships (its templatetags modules)."""
    folder = ROOT / label / "templatetags"
    return {path.stem for path in folder.glob("*.py") if path.stem != "__init__"}


LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")
URL = re.compile(r"""{%\s*url\s+["'](\w+):""")


def template_crossings(text, *, libraries, namespaces):
    """The tag libraries of ``libraries`` a template loads and the URLs of ``namespaces`` it
    names: ``[what]``."""
    loaded = {name for names in LOAD.findall(text) for name in names.split()}
    found = sorted(f"{{% load {name} %}}" for name in loaded & set(libraries))
    found += sorted({f"{{% url '{ns}:…' %}}" for ns in URL.findall(text) if ns in namespaces})
    return found


def templates_in(*folders, top_level=False):
    paths = []
    for folder in folders:
        paths += sorted((ROOT / "templates" / folder).rglob("*.html"))
    if top_level:
        paths += sorted((ROOT / "templates").glob("*.html"))
    return paths


# The scanners find each kind of crossing.


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import incidents.models", "incidents.models"),
        ("from responses.models import Statement", "responses.models"),
        ("Incident = apps.get_model('incidents.Incident')", "get_model('incidents.Incident')"),
        ("M = apps.get_model('responses', 'Statement')", "get_model('responses')"),
        ("url = reverse('incidents:list')", "incidents:list"),
        ("user.has_perm('incidents.cancel_incident')", "incidents.cancel_incident"),
        ("FROZEN = {'closed', 'cancelled'}", "status 'cancelled'"),
        ("Group.objects.get(name='Managers')", "group 'Managers'"),
    ],
)
def test_the_scanner_finds_each_crossing(source, expected):
    found = crossings(source, statuses=app_statuses(), groups=set(roles.ROLE_PERMISSIONS))
    assert expected in [what for _line, what in found]


def test_the_scanner_passes_the_kernels_own_words():
    source = (
        "DONE = 'done'\nDROPPED = 'dropped'\nreverse('login')\nget_model('auth.Group')\n"
        "import django.apps"
    )
    assert crossings(source, statuses=app_statuses(), groups=set(roles.ROLE_PERMISSIONS)) == []


def test_the_template_scanner_finds_a_foreign_library_and_url():
    text = "{% load static response_tags %}<a href=\"{% url 'responses:report' %}\">"
    found = template_crossings(text, libraries={"response_tags"}, namespaces={"responses"})
    assert found == ["{% load response_tags %}", "{% url 'responses:…' %}"]


# The tree has none.


def test_the_scan_sees_the_apps_and_their_statuses():
    assert {"incidents", "responses"} <= set(APPS)
    assert {"closed", "in_review", "dropped"} <= app_statuses()


def test_the_kernel_names_no_app_model_permission_url_status_or_role():
    statuses, groups = app_statuses(), set(roles.ROLE_PERMISSIONS)
    found = {
        path.relative_to(ROOT).as_posix(): crossings(
            path.read_text(), statuses=statuses, groups=groups
        )
        for path in kernel_files()
    }
    assert {path: what for path, what in found.items() if what} == {}


def test_incidents_imports_nothing_from_responses():
    found = {
        path.relative_to(ROOT).as_posix(): crossings(path.read_text(), apps=["responses"])
        for path in sorted((ROOT / "incidents").rglob("*.py"))
        if "migrations" not in path.parts
    }
    assert {path: what for path, what in found.items() if what} == {}


def test_incidents_imports_nothing_from_monitoring():
    """Mentions lean on incidents, never the other way (issue 22): no import, no model, no
    permission and no URL of monitoring in incidents' code, migrations included (an old
    migration may not import the moved modules either)."""
    found = {
        path.relative_to(ROOT).as_posix(): crossings(path.read_text(), apps=["monitoring"])
        for path in sorted((ROOT / "incidents").rglob("*.py"))
    }
    assert {path: what for path, what in found.items() if what} == {}


def test_the_monitoring_scan_finds_a_crossing():
    source = (
        "from monitoring import spikes\nimport monitoring.models\n"
        "reverse('monitoring:inbox')\nPERM = 'monitoring.change_mention'\n"
        "STATUS = 'monitoring'\n"
    )
    assert crossings(source, apps=["monitoring"]) == [
        (1, "monitoring"),
        (2, "monitoring.models"),
        (3, "monitoring:inbox"),
        (4, "monitoring.change_mention"),
    ]


def test_incidents_templates_name_nothing_of_monitoring():
    found = {
        path.relative_to(ROOT).as_posix(): template_crossings(
            path.read_text(), libraries=set(), namespaces={"monitoring"}
        )
        for path in templates_in("incidents")
    }
    assert {path: what for path, what in found.items() if what} == {}


def test_incidents_templates_use_no_responses_tags():
    found = {
        path.relative_to(ROOT).as_posix(): template_crossings(
            path.read_text(), libraries=tag_libraries("responses"), namespaces=set()
        )
        for path in templates_in("incidents")
    }
    assert {path: what for path, what in found.items() if what} == {}


def test_kernel_templates_load_no_app_tags():
    libraries = set().union(*(tag_libraries(label) for label in APPS))
    found = {
        path.relative_to(ROOT).as_posix(): template_crossings(
            path.read_text(), libraries=libraries, namespaces=set()
        )
        for path in templates_in("registration", top_level=True)
    }
    assert {path: what for path, what in found.items() if what} == {}


def test_kernel_templates_name_no_app_url():
    found = {
        path.relative_to(ROOT).as_posix(): template_crossings(
            path.read_text(), libraries=set(), namespaces=set(APPS)
        )
        for path in templates_in("registration", top_level=True)
    }
    assert {path: what for path, what in found.items() if what} == {}


def test_no_app_tag_library_is_a_builtin():
    builtins = settings.TEMPLATES[0]["OPTIONS"].get("builtins", [])
    assert [name for name in builtins if name.split(".")[0] in APPS] == []
