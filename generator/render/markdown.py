"""The Markdown of a policy: YAML front matter, title, the summary, contents, numbered sections.

Headings carry their anchor as a ``{#id}`` attribute, which Hugo, Jekyll (kramdown),
MkDocs (attr_list) and Pandoc all understand, so links into the policy work in the
user's own site generator as well as in our HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from generator.document import PolicyDocument, RenderedSection, render_blocks, unescape
from generator.markdown_text import Markdown
from generator.outputs import POLICY_STEM, PolicyDraft, RenderedFile


@dataclass(frozen=True)
class MarkdownPolicy:
    """A rendered Markdown policy and the labels other formats reuse."""

    front_matter: dict[str, Any]
    body: str
    title: str
    updated: str
    """``Last updated: <date>`` in the policy's language, as plain text."""
    languages_label: str
    """What the page's links to the policy in its other languages are called, as plain text."""

    @property
    def text(self) -> str:
        """The complete file: front matter, then the body."""
        lines = [
            "---",
            *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in self.front_matter.items()),
        ]
        return "\n".join([*lines, "---", "", self.body])


def policy_labels(document: PolicyDocument) -> dict[str, Markdown]:
    """Title, slug and the other language texts around the sections."""
    environment = document.environment
    template = environment.get_template("policy.md.j2")
    context = {"company": document.company, "last_updated": document.last_updated}
    names = ("title", "slug", "updated", "draft", "contents", "version", "languages")
    return dict(zip(names, render_blocks(template, context, *names), strict=True))


def render_markdown(document: PolicyDocument) -> MarkdownPolicy:
    """The policy as CommonMark with GFM tables and heading anchors."""
    labels = policy_labels(document)
    title = unescape(labels["title"])
    # A draft says so where a published policy gives its date, and so in the PDF's footer too.
    updated = labels["draft" if document.draft else "updated"]
    # The unnumbered summary comes first, where a reader (and the PDF's first page) meets it;
    # the contents then list the numbered sections it links to.
    unnumbered = [section for section in document.walk() if not section.outline.number]
    numbered = [section for section in document.walk() if section.outline.number]
    parts = [f"# {labels['title']}", "", f"*{updated}*"]
    for section in unnumbered:
        parts.extend(section_markdown(section))
    parts.extend(["", f"**{labels['contents']}**", ""])
    parts.extend(_contents_entry(section) for section in numbered)
    for section in numbered:
        parts.extend(section_markdown(section))
    front_matter = {
        "title": title,
        "lang": document.language,
        "date": document.first_published.isoformat(),
        "lastmod": document.last_updated.isoformat(),
        "slug": unescape(labels["slug"]),
        "translationKey": f"{document.slug}-privacy-policy",
    }
    return MarkdownPolicy(
        front_matter=front_matter,
        body="\n".join(parts) + "\n",
        title=title,
        updated=unescape(updated),
        languages_label=unescape(labels["languages"]),
    )


def section_markdown(section: RenderedSection) -> list[str]:
    """The lines of one section: its heading with its anchor, then its body."""
    level = "#" * (section.outline.number.count(".") + 2)
    lines = ["", f"{level} {section.numbered_title} {{#{section.outline.anchor}}}", ""]
    return [*lines, section.body] if section.body else lines


def _contents_entry(section: RenderedSection) -> str:
    # Four spaces per level: CommonMark nests with two, but Python-Markdown (MkDocs) needs four.
    indent = "    " * section.outline.number.count(".")
    return f"{indent}- [{section.numbered_title}](#{section.outline.anchor})"


def markdown_files(policy: PolicyDraft) -> list[RenderedFile]:
    """The ``md`` output kind: one file per language, for site generators."""
    return [RenderedFile(f"{POLICY_STEM}.md", "md", policy.markdown.text.encode())]
