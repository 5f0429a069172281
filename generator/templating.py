"""The Jinja environment of the policy's Markdown templates: one per language and form of address.

Each environment holds its language's catalog (checked: nothing left untranslated), its
formats and the shared macros as globals; the templates compile once per process for all of
them. Facts are escaped as Markdown on output and an undefined name stops the rendering.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any, NoReturn

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateSyntaxError
from jinja2.ext import Extension
from jinja2.runtime import Context, Macro

from generator.changes import grouped_notes
from generator.compiled_templates import CompiledTemplates, compile_all
from generator.errors import user_error
from generator.facts.base import PUBLISHED_LANGUAGES
from generator.facts.durations import Retention
from generator.facts.processing import LegalBasis
from generator.i18n import Formats, sentence_start, translations
from generator.languages import FormOfAddress, Language, language
from generator.legal import is_in_eea
from generator.markdown_text import Markdown, escape, link, table
from generator.project import display_name
from generator.resources import TEMPLATES, project_cache


class KeepLineEnds(Extension):
    """A block tag that ends a line of text keeps that line's newline.

    With ``trim_blocks`` a tag eats the newline after it, which is right for a control
    line such as ``{% if x %}`` standing alone, but joins ``- item{% endtrans %}`` to the
    next line. Marking such tags ``+%}`` limits the trimming to lines made only of tags.
    Section templates are written line by line as Markdown and get this treatment; the
    macros make inline phrases, where every newline is layout and is trimmed.
    """

    _LAST_TAG = re.compile(r"\{%[^%\n]*?(?<![+-])%\}$")
    _TAG = re.compile(r"\{%.*?%\}")

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if not (name or "").startswith("sections/"):
            return source
        lines = source.split("\n")
        for index, line in enumerate(lines):
            if self._LAST_TAG.search(line) and self._TAG.sub("", line).strip():
                lines[index] = line[:-2] + "+%}"
        return "\n".join(lines)


class PolicyEnvironment(Environment):
    """A Jinja environment whose template syntax errors are located messages, not tracebacks:
    the templates are the user's to edit (README, "Changing the text")."""

    def handle_exception(self, source: str | None = None) -> NoReturn:
        error = sys.exc_info()[1]
        if isinstance(error, TemplateSyntaxError):
            where = display_name(Path(error.filename)) if error.filename else str(error.name)
            raise user_error(where, error.message or "syntax error", line=error.lineno) from error
        super().handle_exception(source)


COMPILED_MARKDOWN = CompiledTemplates("markdown")
"""The policy's templates, compiled once for the environments of every language."""

_MACRO_BODY = "_func"
"""Where :class:`jinja2.runtime.Macro` keeps the function of its body. It has no public name (Jinja 3.1
keeps it there, and calls it with the arguments a plain call passes): a macro without it is called
Jinja's own way, so a Jinja that moved it renders the same text, only slower."""
_PLAIN_CALLABLES = (FunctionType, MethodType, BuiltinFunctionType)
_CALL_MARKERS = {"_block_vars", "_loop_vars"}
"""What Jinja adds to a call inside a block or a loop, for a callee that wants the context."""


class DirectCalls(Context):
    """The templates' context: plain functions and simple macro calls go straight to the callee.

    Jinja's :meth:`Context.call` asks every callable whether it wants the context, the
    environment or the evaluation context passed to it, and a macro then sorts its arguments
    once more before running its body: some 900 calls per policy (messages, formats, macros,
    ``list.append``) cost more than the rest of the templates. A function without such a
    request is called as it is, and a macro given exactly its positional arguments, with no
    caller and no escaping, runs its body at once, as :class:`jinja2.runtime.Macro` would; a
    function asking for the context, or any other call, takes Jinja's own way.
    """

    def call(self, callee: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        function: Callable[..., Any] | None
        if type(callee) in _PLAIN_CALLABLES and not hasattr(callee, "jinja_pass_arg"):
            function = callee
        elif type(callee) is Macro and self._plain_macro_call(callee, args, kwargs):
            function = getattr(callee, _MACRO_BODY, None)
            if function is None:
                return super().call(callee, *args, **kwargs)
        else:
            return super().call(callee, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return function(*args, **kwargs)
        except StopIteration:  # as Jinja has it: a generator's end is no value
            return self.environment.undefined("value was undefined because a callable raised a StopIteration exception")

    def _plain_macro_call(self, macro: Macro, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        return (
            len(args) == len(macro.arguments)
            and kwargs.keys() <= _CALL_MARKERS
            and not (macro.caller or macro.catch_kwargs or macro.catch_varargs or self.eval_ctx.autoescape)
        )


@project_cache
def template_environment(language: Language, register: FormOfAddress) -> Environment:
    """The Markdown template environment of one language, speaking to the reader in ``register``
    where the language has a choice: facts escaped, undefined names fatal."""
    environment = PolicyEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        bytecode_cache=COMPILED_MARKDOWN,
        undefined=StrictUndefined,
        autoescape=False,
        finalize=escape,
        extensions=["jinja2.ext.i18n", KeepLineEnds],
        # A control line (`{% if %}` alone) leaves no trace; a line that starts with a space
        # before `{% trans %}` continues the paragraph above it.
        trim_blocks=True,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    environment.context_class = DirectCalls  # before the macros' module is made: its macros keep its context
    catalog = translations(language, register=register)
    # Each message is looked up in the catalog once per environment, and one without values is
    # formatted once too: a policy asks for some 380 messages, a few dozen of them over and over.
    translated: dict[str, Markdown] = {}
    without_values: dict[str, Markdown] = {}

    def gettext(message: str, **variables: Any) -> Markdown:
        if not variables and message in without_values:
            return without_values[message]
        if message not in translated:
            translated[message] = Markdown(catalog.gettext(message))
        text = translated[message] % variables
        if not variables:
            without_values[message] = text
        return text

    def ngettext(singular: str, plural: str, number: int, /, **variables: Any) -> Markdown:
        # `{% trans count=... %}` passes its count by name as well, which may appear in the text.
        variables.setdefault("num", number)
        return Markdown(catalog.ngettext(singular, plural, number)) % variables

    # The newstyle calls of `{% trans %}` (values passed by name, always formatted) made by
    # plain functions: Jinja's own wrappers take the context, and so derive a new one on
    # every call inside a block or loop, which cost as much as the rest of the templates.
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.globals.update(gettext=gettext, ngettext=ngettext)
    environment.policies["ext.i18n.trimmed"] = True
    environment.tests["in_eea"] = is_in_eea
    # `|safe` marks a macro's output, Markdown whose facts are escaped: it is made Markdown at
    # once, not MarkupSafe's Markup that the finalize then copied into Markdown (some 250 a policy).
    environment.filters["safe"] = Markdown
    environment.filters["sentence_start"] = sentence_start
    environment.globals.update(
        fmt=Formats(language),
        language=language,
        link=link,
        table=table,
        email=lambda address: link(address, f"mailto:{address}"),
        raw_markdown=Markdown,
        as_basis=LegalBasis,
        # A change note keeps a retention rule as its version had it, maybe before this language was added.
        as_retention=lambda rule: Retention.model_validate(rule, context={PUBLISHED_LANGUAGES: ()}),
        grouped_notes=grouped_notes,
    )
    # Section blocks are rendered one by one, without their template's top-level imports,
    # so the shared macros are made globals of the environment instead.
    macros = environment.get_template("macros.md.j2").make_module()
    environment.globals.update({name: getattr(macros, name) for name in macros.__dict__ if not name.startswith("_")})
    return environment


def load_templates(languages: Iterable[Language]) -> None:
    """Load the policy's templates for these languages before a build forks its workers.

    The workers inherit them loaded instead of each loading (or compiling) every template again, in
    every form of address the language offers: the facts that choose one are not read yet.
    """
    for code in languages:
        for register in language(code).registers or (FormOfAddress.TY,):
            compile_all(template_environment(code, register), lambda name: name.endswith(".md.j2"))
