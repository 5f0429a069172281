"""The summary ("At a glance") on its own, for a site's footer or beside a form.

The policy opens with it (an unnumbered section before section 1, see
:mod:`generator.document`); this output is the same section as an HTML fragment, made from
the same Markdown through the same parser. Its links to the numbered sections point into the
full policy beside it, ``privacy-policy.html#<anchor>``, so they still lead somewhere once the
fragment is placed on another page.
"""

from __future__ import annotations

from generator.document import PolicyDocument
from generator.facts.company import SUMMARY_ANCHOR
from generator.outputs import POLICY_STEM, PolicyDraft, RenderedFile
from generator.render.html import markdown_parser
from generator.render.markdown import section_markdown

SUMMARY_FILE = "summary.fragment.html"


def summary_fragment(document: PolicyDocument) -> str:
    """The summary as an ``<aside>``, its in-page links turned into links to the full policy."""
    summary = next(section for section in document.sections if section.outline.anchor == SUMMARY_ANCHOR)
    parser = markdown_parser()
    tokens = parser.parse("\n".join(section_markdown(summary)))
    for token in tokens:
        for child in token.children or []:
            href = child.attrGet("href")
            if child.type == "link_open" and isinstance(href, str) and href.startswith("#"):
                child.attrSet("href", f"{POLICY_STEM}.html{href}")
    body = parser.renderer.render(tokens, parser.options, {})
    opening = f'<aside class="privacy-summary" lang="{document.language}" aria-labelledby="{SUMMARY_ANCHOR}">'
    return f"{opening}\n{body}</aside>\n"


def summary_files(policy: PolicyDraft) -> list[RenderedFile]:
    """The ``summary`` output kind: the policy's first layer as a fragment to embed."""
    return [RenderedFile(SUMMARY_FILE, "summary-fragment", summary_fragment(policy.document).encode())]
