"""Templates compiled at installation: used while their source is unchanged, never written by a run."""

from __future__ import annotations

import compileall
import hashlib
import importlib.util
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest
from conftest import ROOT
from jinja2 import Environment, FileSystemLoader

from generator import compiled_templates
from generator.compiled_templates import CompiledTemplates, compile_all, compiler_fingerprint
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
    compile_all(_environment(templates, installing), lambda name: name.endswith(".md.j2"))
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


@pytest.mark.parametrize(
    "change",
    [
        lambda monkeypatch, _: monkeypatch.setattr(jinja2, "__version__", "0.0.1"),
        lambda monkeypatch, _: monkeypatch.setattr(importlib.util, "MAGIC_NUMBER", b"\x00\x00\r\n"),
        lambda monkeypatch, folder: monkeypatch.setattr(
            compiled_templates, "PACKAGE", _package_copy_with(folder, "markdown_text.py", "\n# changed\n")
        ),
    ],
    ids=["another-jinja", "another-python", "a-changed-module"],
)
def test_code_stored_by_another_compiler_is_not_used(
    templates: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[pytest.MonkeyPatch, Path], None],
) -> None:
    _store(templates, tmp_path / "compiled")
    compiler_fingerprint.cache_clear()
    change(monkeypatch, tmp_path / "package")
    try:
        compiled: list[str] = []
        environment = _environment(templates, CompiledTemplates("markdown", tmp_path / "compiled"))
        monkeypatch.setattr(environment, "compile", _recording(environment.compile, compiled))
        assert environment.get_template("greeting.md.j2").render(name="Ala") == "Hello, Ala!"
        assert compiled == ["greeting.md.j2"]
    finally:
        compiler_fingerprint.cache_clear()


def _package_copy_with(copy: Path, module: str, addition: str) -> Path:
    """A copy of the package's modules with one of them changed, for the fingerprint to read."""
    for source in compiled_templates.PACKAGE.rglob("*.py"):
        target = copy / source.relative_to(compiled_templates.PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes() + (addition.encode() if source.name == module else b""))
    return copy


def _recording(compile_template: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    def compile_and_record(source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        names.append(str(name))
        return compile_template(source, name, *args, **kwargs)

    return compile_and_record


def test_stored_entries_of_another_shape_are_ignored(templates: Path, tmp_path: Path) -> None:
    stored = _store(templates, tmp_path / "compiled")
    stored.write_bytes(marshal.dumps({"markdown:greeting.md.j2": ("checksum", "code", "extra"), 3: ("a", "b")}))
    environment = _environment(templates, CompiledTemplates("markdown", tmp_path / "compiled"))
    assert environment.get_template("greeting.md.j2").render(name="Ala") == "Hello, Ala!"


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


@pytest.fixture
def installing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The installer storing into ``tmp_path``, its modules' compilation recorded instead of made."""
    for compiled in (COMPILED_MARKDOWN, COMPILED_PAGES):
        monkeypatch.setattr(compiled, "folder", tmp_path)
    packages: list[Path] = []

    def compile_dir(folder: Path, **options: Any) -> bool:
        packages.append(folder)
        return True

    monkeypatch.setattr(compileall, "compile_dir", compile_dir)
    return packages


def test_installing_stores_the_policy_and_page_templates_compiled_anew(installing: list[Path], tmp_path: Path) -> None:
    stale = compile("'stale'", "<stale>", "eval")
    (tmp_path / CompiledTemplates("markdown", tmp_path).stored_file().name).write_bytes(
        marshal.dumps({"markdown:macros.md.j2": (_checksum_of("macros.md.j2"), stale)})
    )
    COMPILED_MARKDOWN.compiled = None  # as a fresh process finds it
    assert compiled_templates.main() == 0
    assert installing == [compiled_templates.PACKAGE]
    markdown = CompiledTemplates("markdown", tmp_path)
    pages = CompiledTemplates("pages", tmp_path)
    assert {"markdown:policy.md.j2", "markdown:sections/purposes.md.j2"} <= set(markdown.code())
    assert markdown.code()["markdown:macros.md.j2"][1] != stale
    assert {"pages:page.html.j2", "pages:bilingual.html.j2"} <= set(pages.code())


def _checksum_of(name: str) -> str:
    return hashlib.sha1((ROOT / "templates" / name).read_text(encoding="utf-8").encode()).hexdigest()


def test_installing_names_a_template_that_does_not_compile(
    installing: list[Path], broken_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert compiled_templates.main() == 1
    assert capsys.readouterr().err == f"{broken_template}:3: Expected an expression, got 'end of statement block'\n"
    assert list(tmp_path.glob("*.marshal")) == []


def test_installing_into_a_folder_it_cannot_write_says_so(
    installing: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    for compiled in (COMPILED_MARKDOWN, COMPILED_PAGES):
        monkeypatch.setattr(compiled, "folder", blocked)
    assert compiled_templates.main() == 1
    assert capsys.readouterr().err == f"{blocked}: cannot store the compiled templates: File exists\n"
