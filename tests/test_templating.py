"""The templates' context calls functions and macros directly, with Jinja's own results.

``DirectCalls`` skips Jinja's inspection of each callable for the common calls; what comes
out must be what Jinja's own :class:`jinja2.runtime.Context` makes, for every kind of call.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILD_DAY, MINIMAL, ROOT
from jinja2 import pass_context
from jinja2.runtime import Context

from generator import templating
from generator.cli import main
from generator.document import render_document
from generator.languages import FormOfAddress
from generator.resources import forget_project
from generator.templating import DirectCalls, template_environment
from generator.validation import load_company

CALLS = """
{%- macro greet(name, greeting="hello") %}{{ greeting }} {{ name }}{% endmacro -%}
{%- macro wrapped() %}[{{ caller() }}]{% endmacro -%}
{%- macro counted() %}{{ varargs|length }} {{ kwargs|length }}{% endmacro -%}
{%- for n in [1, 2] %}{% set doubled = n * 2 %}{{ seen(doubled) }} {% endfor -%}
{{ greet("Ala") }} {{ greet("Ola", "hi") }} {{ greet(name="Ela", greeting="hej") }}
{%- call wrapped() %}inside{% endcall %} {{ counted(1, 2, three=3) }} {{ "a,b".split(",")|join }}
{% set _ = names.append("x") %}{{ names|join }} {{ nothing() is undefined }}
"""


@pass_context
def _seen(context: Context, value: int) -> str:
    """Asks for the context: it must see the loop's variables, as Jinja gives them."""
    return f"{value}={context.resolve('doubled')}"


def _nothing() -> Any:
    raise StopIteration


def _rendered(context_class: type[Context]) -> str:
    environment = template_environment("pl", FormOfAddress.TY).overlay()
    environment.context_class = context_class
    template = environment.from_string(CALLS)
    return template.render(seen=_seen, nothing=_nothing, names=[])


def test_every_kind_of_call_renders_as_with_jinjas_own_context() -> None:
    direct = _rendered(DirectCalls)
    assert direct == _rendered(Context)
    assert direct == "2=2 4=4 hello Ala hi Ola hej Ela[inside] 2 1 ab\nx True\n"


@pytest.fixture
def jinjas_own_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    forget_project()
    monkeypatch.setattr(DirectCalls, "call", Context.call)
    yield
    forget_project()


def _policy_texts(language: str) -> list[str]:
    company = load_company(ROOT / "companies" / "optingo.yaml")
    document = render_document(company, "optingo", language, BUILD_DAY)
    return [text for section in document.walk() for text in (section.title, section.body)]


@pytest.mark.parametrize("language", ["pl", "en"])
def test_a_whole_policy_reads_as_with_jinjas_own_calls(language: str, request: pytest.FixtureRequest) -> None:
    direct = _policy_texts(language)
    request.getfixturevalue("jinjas_own_calls")
    assert _policy_texts(language) == direct


def test_a_template_edited_into_a_syntax_error_is_a_located_message(
    broken_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "companies").mkdir()
    shutil.copyfile(MINIMAL, tmp_path / "companies" / "acme.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--format", "md", "--jobs", "1", "--today", BUILD_DAY.isoformat()]) == 1
    assert capsys.readouterr().err == (
        "templates/sections/rights.md.j2:3: Expected an expression, got 'end of statement block'\n"
    )
    assert not (tmp_path / "output" / "acme").exists()


def _calls_taken_jinjas_way(language: str, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """The kinds of callee that went through Jinja's own :meth:`Context.call` while a policy was written."""
    taken: Counter[str] = Counter()
    jinjas_own = Context.call

    def counted(context: Context, callee: Any, /, *args: Any, **kwargs: Any) -> Any:
        taken[type(callee).__name__] += 1
        return jinjas_own(context, callee, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(Context, "call", counted)
        _policy_texts(language)
    return taken


def test_the_shared_macros_call_directly_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """The macros of macros.md.j2 keep the context of the module they were made in: it must be a
    DirectCalls too, or every message, format and macro they call takes Jinja's slower way."""
    _policy_texts("pl")  # the environment and its macros made before counting
    taken = _calls_taken_jinjas_way("pl", monkeypatch)
    assert taken["Macro"] == taken["function"] == 0, taken


def test_a_jinja_keeping_macro_bodies_elsewhere_calls_them_its_own_way_with_the_same_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``DirectCalls`` reads a macro's body from an attribute Jinja does not name publicly; a Jinja
    that renamed it must still build, calling its macros its own way, rather than fail on each."""
    direct = _policy_texts("pl")
    monkeypatch.setattr(templating, "_MACRO_BODY", "_body_under_another_name")
    assert _policy_texts("pl") == direct
    assert _calls_taken_jinjas_way("pl", monkeypatch)["Macro"] > 100
