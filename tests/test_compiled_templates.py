"""Templates compiled at installation: used while their source is unchanged, never written by a run."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader

from generator import compiled_templates
from generator.compiled_templates import CompiledTemplates, compile_all
from generator.render.html import COMPILED_PAGES
from generator.templating import COMPILED_MARKDOWN


def _environment(templates: Path, compiled: CompiledTemplates) -> Environment:
    return Environment(loader=FileSystemLoader(templates), bytecode_cache=compiled)


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "greeting.md.j2").write_text("Hello, {{ name }}!", encoding="utf-8")
    (folder / "page.html.j2").write_text("<p>{{ name }}</p>", encoding="utf-8")
    return folder


def _store(templates: Path, folder: Path) -> Path:
    installing = CompiledTemplates("markdown", folder)
    compile_all(_environment(templates, installing), ".md.j2")
    return installing.store()


def _compiling_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Environment, *args: object, **kwargs: object) -> None:
        raise AssertionError("a stored template was compiled again")

    monkeypatch.setattr(Environment, "compile", refuse)


def test_a_run_uses_the_stored_code_without_compiling(
    templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _store(templates, tmp_path / "compiled")
    assert stored.parent == tmp_path / "compiled"
    _compiling_forbidden(monkeypatch)
    environment = _environment(templates, CompiledTemplates("markdown", tmp_path / "compiled"))
    assert environment.get_template("greeting.md.j2").render(name="Ala") == "Hello, Ala!"


def test_an_edited_template_is_compiled_from_its_new_source(templates: Path, tmp_path: Path) -> None:
    _store(templates, tmp_path / "compiled")
    (templates / "greeting.md.j2").write_text("Dzień dobry, {{ name }}!", encoding="utf-8")
    environment = _environment(templates, CompiledTemplates("markdown", tmp_path / "compiled"))
    assert environment.get_template("greeting.md.j2").render(name="Ala") == "Dzień dobry, Ala!"


def test_code_of_another_namespace_or_compiler_is_not_used(
    templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = _store(templates, tmp_path / "compiled")
    compiled = CompiledTemplates("pages", tmp_path / "compiled")
    assert compiled.stored_file() != stored
    # Another Jinja, Python or policygen: another file name, so the stored code is not read.
    monkeypatch.setattr(compiled_templates, "compiler_fingerprint", lambda: "another-compiler")
    assert CompiledTemplates("markdown", tmp_path / "compiled").stored_file() != stored


@pytest.mark.parametrize("content", [b"", b"not marshal data", b"\xe9\x00\x00"], ids=["empty", "text", "cut"])
def test_a_damaged_stored_file_means_compiling_in_memory(templates: Path, tmp_path: Path, content: bytes) -> None:
    stored = _store(templates, tmp_path / "compiled")
    stored.write_bytes(content)
    environment = _environment(templates, CompiledTemplates("markdown", tmp_path / "compiled"))
    assert environment.get_template("greeting.md.j2").render(name="Ala") == "Hello, Ala!"
    assert stored.read_bytes() == content


def test_a_run_never_writes_compiled_templates(templates: Path, tmp_path: Path) -> None:
    compiled = CompiledTemplates("markdown", tmp_path / "compiled")
    environment = _environment(templates, compiled)
    assert environment.get_template("greeting.md.j2").render(name="Ala") == "Hello, Ala!"
    assert not (tmp_path / "compiled").exists()


def test_installing_stores_the_policy_and_page_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for compiled in (COMPILED_MARKDOWN, COMPILED_PAGES):
        monkeypatch.setattr(compiled, "folder", tmp_path)
    assert compiled_templates.main() == 0
    markdown = CompiledTemplates("markdown", tmp_path)
    pages = CompiledTemplates("pages", tmp_path)
    assert markdown.stored_file().is_file()
    assert pages.stored_file().is_file()
    assert {"markdown:policy.md.j2", "markdown:sections/purposes.md.j2"} <= set(markdown.code())
    assert {"pages:page.html.j2", "pages:bilingual.html.j2"} <= set(pages.code())
