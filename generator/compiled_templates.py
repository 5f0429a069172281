"""Templates compiled once at installation, instead of by every run of policygen.

Jinja compiles each template to Python code the first time an environment loads it: for a
policy some 25 templates, about a third of a second before the first word is written, and
a one-company build waits for it. Like Python's own ``__pycache__``, the installation
(``make build``, ``make test``; ``python -m generator.compiled_templates`` after any other
install) stores that code beside the package; a run reads it and never writes it. Each
template's code is used only while the template's source has the checksum it was compiled
from, and the whole file only for the Jinja, Python and policygen it was made by, so an
edited template or an upgrade never runs stale code: it is compiled in memory as before.
"""

from __future__ import annotations

import compileall
import hashlib
import importlib.util
import marshal
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import CodeType

import jinja2
from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

from generator.errors import UserError
from generator.resources import TEMPLATES

PACKAGE = Path(__file__).resolve().parent
COMPILED = PACKAGE / "_compiled_templates"
"""Where the installation keeps the compiled templates (ignored by git, like ``__pycache__``)."""


@cache
def compiler_fingerprint() -> str:
    """What the compiled code depends on besides each template's source: Jinja, Python's
    bytecode, and every module of the package. Jinja reads the environments' options, the
    line-end extension, the finalize function and the filters and tests while it compiles
    (it may call them on constants), and this module decides the file's layout; hashing the
    whole package (some 400 KB, a millisecond) leaves no such module out."""
    digest = hashlib.sha256(f"{jinja2.__version__}|".encode() + importlib.util.MAGIC_NUMBER)
    for module in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(module.relative_to(PACKAGE)).encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


class CompiledTemplates(BytecodeCache):
    """The compiled templates of one kind of environment, shared by all environments of that kind.

    The policy's environments (one per language and form of address) differ only in their
    globals, never in how a template compiles, so a template compiles once per process, or
    not at all when the installation stored its code: ``namespace`` names the kind (the
    Markdown templates, the HTML pages), whose options differ.
    """

    def __init__(self, namespace: str, folder: Path = COMPILED) -> None:
        self.namespace = namespace
        self.folder = folder
        self.compiled: dict[str, tuple[str, CodeType]] | None = None

    def stored_file(self) -> Path:
        return self.folder / f"{self.namespace}-{compiler_fingerprint()}.marshal"

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # By name alone: the same code wherever the checkout or the installation lies.
        return f"{self.namespace}:{name}"

    def load_bytecode(self, bucket: Bucket) -> None:
        checksum, code = self.code().get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            self.code()[bucket.key] = (bucket.checksum, bucket.code)

    def compile_anew(self) -> None:
        """Forget the stored code: what is stored next is compiled by this process."""
        self.compiled = {}

    def store(self) -> Path:
        """Write what this process compiled, for the runs to come; the files of other versions go."""
        target = self.stored_file()
        self.folder.mkdir(exist_ok=True)
        for earlier in self.folder.glob(f"{self.namespace}-*.marshal"):
            if earlier != target:
                earlier.unlink(missing_ok=True)
        # A name of its own, so that two installations at once never write into one file.
        with tempfile.NamedTemporaryFile(dir=self.folder, prefix=f".{self.namespace}-", delete=False) as partial:
            partial.write(marshal.dumps(self.code()))
        Path(partial.name).replace(target)
        return target

    def code(self) -> dict[str, tuple[str, CodeType]]:
        """Each template's checksum and code by cache key: the installation's, then this process's."""
        if self.compiled is None:
            self.compiled = {}
            try:
                stored = marshal.loads(self.stored_file().read_bytes())
            except (OSError, EOFError, ValueError, TypeError):
                stored = None  # not installed, or made by another version: compiled in memory
            if isinstance(stored, dict):
                self.compiled.update(
                    (key, entry)
                    for key, entry in stored.items()
                    if isinstance(key, str)
                    and isinstance(entry, tuple)
                    and len(entry) == 2
                    and isinstance(entry[0], str)
                    and isinstance(entry[1], CodeType)
                )
        return self.compiled


def compile_all(environment: Environment, wanted: Callable[[str], bool]) -> None:
    """Load every template of ``environment`` whose name is ``wanted``: compiled, unless its code is stored."""
    for name in environment.list_templates(filter_func=wanted):
        environment.get_template(name)


def main() -> int:
    """Compile policygen's modules and templates into the installation; 1, with one line each,
    for a module or template that does not compile or a folder that cannot be written."""
    from generator.languages import FormOfAddress
    from generator.render.html import COMPILED_PAGES, page_environment
    from generator.templating import COMPILED_MARKDOWN, template_environment

    modules_compiled = compileall.compile_dir(PACKAGE, quiet=1)
    try:
        for templates in (COMPILED_MARKDOWN, COMPILED_PAGES):
            templates.compile_anew()
        compile_all(template_environment("en", FormOfAddress.TY), lambda name: name.endswith(".md.j2"))
        compile_all(page_environment(), lambda name: name.endswith(".html.j2"))
        for templates in (COMPILED_MARKDOWN, COMPILED_PAGES):
            print(f"{templates.store()}: the {templates.namespace} templates of {TEMPLATES}, compiled")
    except UserError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{error.filename or COMPILED}: cannot store the compiled templates: {error.strerror}", file=sys.stderr)
        return 1
    return 0 if modules_compiled else 1


if __name__ == "__main__":
    sys.exit(main())
