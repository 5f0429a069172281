"""Five repairs to the structure tree WeasyPrint writes, made before the PDF file is written.

A screen reader follows the structure tree of a tagged PDF, and PDF/UA checks it. WeasyPrint 70
leaves five things in it that neither should meet:

- The running footer (the page's margin boxes: brand, date, "page x / y") is marked content
  whose structure elements WeasyPrint keeps out of the tree, as PDF 1.7 has no place for them
  there. Content is either in the tree or an artifact; page furniture repeated on every page
  is an artifact of pagination, which assistive technology skips instead of reading it
  between two sentences.
- A link's ``::after`` (the page number of an entry in the contents) is a ``Link`` inside the
  entry's ``Link``: two links where the reader follows one. Its annotation and text join
  the entry's element.
- Data cells name their header cells by ``ID``, but the tree has no ``IDTree`` in which those
  names can be looked up; the header cells of a header row do not say they head columns; and
  a stacked table (print.css: no header row, each cell opens with its column's label) is a
  table without headers, whose cells name an empty list of them.
- A list nested in a list item is set beside that item, as an item of the outer list, and the
  paragraphs of a loose item beside its label, outside its body: the body gets both, in the order
  they are read.
- WeasyPrint builds the tree page by page: an element that goes on over a page break (the article,
  a list, a table, a paragraph) is as many elements as it has pages, and a reader meets sixteen
  articles in a policy of sixteen pages, or two lists where the page shows one going on. The
  layout says which elements go on over each break (:func:`generator.render.pdf.continued_elements`);
  each becomes one element again, whose content on the later page it names with that page.

Each repair reads only the PDF's objects (:mod:`pydyf`) and what the layout says of the page
breaks, so a WeasyPrint that writes the tree right leaves it nothing to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pydyf

PAGINATION = pydyf.Dictionary({"Type": "/Pagination"})
"""The property list of an artifact that paginates (ISO 32000-1, 14.8.2.2): a running header or footer."""


class _Objects:
    """The PDF's objects found by their references (``b"12 0 R"``), as structure elements hold them."""

    def __init__(self, pdf: pydyf.PDF) -> None:
        self.objects = pdf.objects

    def __call__(self, reference: bytes) -> Any:
        return self.objects[int(reference.split()[0])]


def repair_structure(pdf: pydyf.PDF, continued: Sequence[Sequence[str]] = ()) -> None:
    """Make the footer an artifact, merge links nested in links, let the cells find their headers, put
    loose items' paragraphs and nested lists into the items' bodies, join the elements that go on over a
    page break and tag stacked tables as the groups they show.

    ``continued`` holds, for each page break, the HTML tags of the elements that go on over it,
    outermost first (:func:`generator.render.pdf.continued_elements`).
    """
    if "StructTreeRoot" not in pdf.catalog:
        return  # an untagged PDF
    resolve = _Objects(pdf)
    root = resolve(pdf.catalog["StructTreeRoot"])
    parents = _ParentTree(resolve(root["ParentTree"])["Nums"])
    in_tree = _elements_in_tree(root, resolve)
    _footer_as_artifacts(pdf, resolve, parents, in_tree)
    _merge_nested_links(resolve, parents, in_tree)
    _identify_header_cells(root, resolve, in_tree)
    _item_content_into_bodies(pdf, resolve, in_tree)
    _nested_lists_into_items(pdf, resolve, in_tree)
    for page_break, tags in enumerate(continued):
        _join_over_page_break(resolve(root["K"][0]), pdf.page_references[page_break + 1], tags, resolve, parents)
    _stacked_tables_as_groups(resolve, _elements_in_tree(root, resolve))


class _ParentTree:
    """The parent tree's entries (ISO 32000-1, 14.7.4.4): for each page, the owner of each MCID on
    it; for each annotation, the element holding it. Keys and values alternate in one array."""

    def __init__(self, numbers: pydyf.Array) -> None:
        self.numbers = numbers
        self.values = {numbers[index]: index + 1 for index in range(0, len(numbers), 2)}

    def owners_on_page(self, key: int) -> list[bytes]:
        owners: list[bytes] = self.numbers[self.values[key]]
        return owners

    def set_annotation_owner(self, key: int, owner: bytes) -> None:
        self.numbers[self.values[key]] = owner


def _elements_in_tree(root: pydyf.Dictionary, resolve: _Objects) -> dict[bytes, pydyf.Dictionary]:
    """Every structure element reachable from the root, by reference, parents before their children."""
    found: dict[bytes, pydyf.Dictionary] = {}
    pending = list(reversed(root["K"]))
    while pending:
        kid = pending.pop()
        if not isinstance(kid, bytes) or kid in found:
            continue  # an MCID, or an element met twice
        element = resolve(kid)
        if element.get("Type") != "/StructElem":
            continue  # an annotation's object reference
        found[kid] = element
        pending.extend(reversed(element["K"]))
    return found


def _footer_as_artifacts(
    pdf: pydyf.PDF, resolve: _Objects, parents: _ParentTree, in_tree: dict[bytes, pydyf.Dictionary]
) -> None:
    """Turn the marked content of elements outside the tree (the margin boxes) into pagination artifacts."""
    for page_reference in pdf.page_references:
        page = resolve(page_reference)
        owners = parents.owners_on_page(page["StructParents"])
        outside = {mcid for mcid, owner in enumerate(owners) if owner not in in_tree}
        if not outside:
            continue
        operations = resolve(page["Contents"]).stream
        marked: set[int] = set()
        for index, operation in enumerate(operations):
            # begin_marked_content wrote each as three operations: "/Tag", <</MCID n>>, BDC.
            if isinstance(operation, dict) and operation.get("MCID") in outside and operations[index + 1] == b"BDC":
                marked.add(operation["MCID"])
                operations[index - 1 : index + 1] = ["/Artifact", PAGINATION]
        for mcid in marked:
            owners[mcid] = b"null"  # no element owns it: the parent tree keeps its place
        while owners and owners[-1] == b"null":
            owners.pop()  # the margin boxes are drawn last: their places need not be kept


def _merge_nested_links(resolve: _Objects, parents: _ParentTree, in_tree: dict[bytes, pydyf.Dictionary]) -> None:
    """Put the text and annotations of each link inside a link into the outer link's element, in its place."""
    merged_into: dict[bytes, bytes] = {}
    for reference, element in in_tree.items():  # outer links come first
        if element["S"] != "/Link" or resolve(element["P"]).get("S") != "/Link":
            continue
        outer_reference = element["P"]
        while outer_reference in merged_into:
            outer_reference = merged_into[outer_reference]
        outer = resolve(outer_reference)
        position = outer["K"].index(reference)
        # A box inside the link (a leader, an image) moves along with its text.
        outer["K"][position : position + 1] = _adopted_kids(element, outer_reference, outer, resolve, parents)
        merged_into[reference] = outer_reference


def _adopted_kids(
    element: pydyf.Dictionary, owner_reference: bytes, owner: pydyf.Dictionary, resolve: _Objects, parents: _ParentTree
) -> list[Any]:
    """``element``'s kids, made the kids of ``owner``: the parent tree and each kid element name the
    owner, and marked content on another page than the owner's says which page it is on."""
    kids = []
    for kid in element["K"]:
        if isinstance(kid, int):
            parents.owners_on_page(resolve(element["Pg"])["StructParents"])[kid] = owner_reference
            same_page = element["Pg"] == owner.get("Pg")
            kids.append(kid if same_page else pydyf.Dictionary({"Type": "/MCR", "Pg": element["Pg"], "MCID": kid}))
            continue
        child = resolve(kid) if isinstance(kid, bytes) else kid
        if child.get("Type") == "/StructElem":
            child["P"] = owner_reference
        elif child.get("Type") == "/MCR":
            parents.owners_on_page(resolve(child["Pg"])["StructParents"])[child["MCID"]] = owner_reference
        else:
            annotation = resolve(child["Obj"])
            parents.set_annotation_owner(annotation["StructParent"], owner_reference)
        kids.append(kid)
    return kids


def _item_content_into_bodies(pdf: pydyf.PDF, resolve: _Objects, in_tree: dict[bytes, pydyf.Dictionary]) -> None:
    """Put the paragraphs of a loose list item, which WeasyPrint sets beside its label, into its body.

    A list item holds a label and a body (ISO 32000-1, 14.8.4.3.3); the paragraphs of an item
    that has any (Markdown's loose lists) are its body's content.
    """
    for reference, element in list(in_tree.items()):
        if element["S"] != "/LI":
            continue
        content = [kid for kid in element["K"] if isinstance(kid, bytes) and not _is_element(kid, "/Lbl", resolve)]
        if not content or any(_is_element(kid, "/LBody", resolve) for kid in content):
            continue
        body = _body_of(pdf, reference, resolve, page=element.get("Pg"))
        for kid in content:
            element["K"].remove(kid)
            resolve(kid)["P"] = body.reference
        body["K"].extend(content)


def _nested_lists_into_items(pdf: pydyf.PDF, resolve: _Objects, in_tree: dict[bytes, pydyf.Dictionary]) -> None:
    """Put each list that WeasyPrint sets beside the item holding it, in the outer list, into that item's body.

    A list's kids are its items, and a list inside an item is part of that item's content
    (ISO 32000-1, 14.8.4.3.3). Where an item goes on over a page break only with its nested
    list, its part on the later page has no body at all: the list gets one made for it there,
    which the join over the break (:func:`_join_over_page_break`) then makes one with the first.
    """
    for element in in_tree.values():
        if element["S"] != "/L":
            continue
        kids = element["K"]
        index = 1
        while index < len(kids):
            nested, before = kids[index], kids[index - 1]
            if _is_element(nested, "/L", resolve) and _is_element(before, "/LI", resolve):
                body = _body_of(pdf, before, resolve, page=resolve(nested).get("Pg"))
                body["K"].append(nested)
                resolve(nested)["P"] = body.reference
                _in_reading_order(body, pdf, resolve)
                del kids[index]
            else:
                index += 1


def _in_reading_order(element: pydyf.Dictionary, pdf: pydyf.PDF, resolve: _Objects) -> None:
    """Order ``element``'s kids as their content is drawn: page by page, and on a page by marked-content
    number, which WeasyPrint gives in the order it draws. A kid holding no content keeps its place after
    the kid before it."""
    pages = {reference: number for number, reference in enumerate(pdf.page_references)}
    keys: list[tuple[int, int]] = []
    for kid in element["K"]:
        first = _first_content(kid, element.get("Pg"), pages, resolve)
        keys.append(first if first is not None else (keys[-1] if keys else (-1, -1)))
    order = sorted(range(len(keys)), key=keys.__getitem__)
    element["K"][:] = [element["K"][index] for index in order]


def _first_content(kid: Any, page: bytes | None, pages: dict[bytes, int], resolve: _Objects) -> tuple[int, int] | None:
    """The (page number, marked-content number) of the first content ``kid`` holds, if any."""
    if isinstance(kid, int):
        return (pages.get(page, -1) if page is not None else -1, kid)
    child = resolve(kid) if isinstance(kid, bytes) else kid
    if child.get("Type") == "/MCR":
        return (pages.get(child["Pg"], -1), child["MCID"])
    if child.get("Type") != "/StructElem":
        return None  # an annotation
    found = (_first_content(grandchild, child.get("Pg", page), pages, resolve) for grandchild in child["K"])
    return min((key for key in found if key is not None), default=None)


def _is_element(kid: Any, kind: str, resolve: _Objects) -> bool:
    return isinstance(kid, bytes) and resolve(kid).get("S") == kind


def _body_of(pdf: pydyf.PDF, item_reference: bytes, resolve: _Objects, page: bytes | None) -> pydyf.Dictionary:
    """The list item's body (``LBody``), made on ``page`` when the item has none."""
    item = resolve(item_reference)
    for kid in reversed(item["K"]):
        if _is_element(kid, "/LBody", resolve):
            body: pydyf.Dictionary = resolve(kid)
            return body
    body = pydyf.Dictionary({"Type": "/StructElem", "S": "/LBody", "K": pydyf.Array(), "P": item_reference})
    if page is not None:
        body["Pg"] = page
    pdf.add_object(body)
    item["K"].append(body.reference)
    return body


_CONTINUED_TAGS = {
    "main": ("/Part",),
    "article": ("/Art",),
    "section": ("/Sect",),
    "div": ("/Div",),
    "nav": ("/NonStruct",),
    "ul": ("/L",),
    "ol": ("/L",),
    "li": ("/LI", "/LBody"),
    "p": ("/P",),
    "blockquote": ("/BlockQuote",),
    "table": ("/Table",),
    "tbody": ("/TBody",),
}
"""The structure types WeasyPrint gives each HTML element a policy's page may break inside, outermost
first (a list item is an ``LI`` holding its body, ``LBody``). A break inside any other element (a
heading, a link, a table's row, whose cells would then be more than its columns) leaves the elements
inside it as they are."""
_ELEMENT_KEYS = frozenset(("Type", "S", "K", "Pg", "P"))


def _join_over_page_break(
    parent: pydyf.Dictionary, page: bytes, tags: Sequence[str], resolve: _Objects, parents: _ParentTree
) -> None:
    """Make each element that goes on over the break before ``page`` one element, outermost first.

    At each level the element that starts on ``page`` follows, in its parent, the part of the same
    element before the break; its kids join that part. The join stops at the first level where the
    two are not both of the element's type, or where the later part holds more than kids (an ID, a
    table's attributes) or a table's header row repeated: that table stays two tables, each
    with its header.
    """
    for expected in (kind for tag in tags for kind in _CONTINUED_TAGS.get(tag, ("",))):
        kids = parent["K"]
        later_index = next(
            (index for index, kid in enumerate(kids) if isinstance(kid, bytes) and _starts_on(resolve(kid), page)),
            None,
        )
        earlier_kids = (index for index in range(later_index or 0) if isinstance(kids[index], bytes))
        earlier_index = max(earlier_kids, default=None)
        if later_index is None or earlier_index is None:
            return
        earlier, later = resolve(kids[earlier_index]), resolve(kids[later_index])
        if earlier.get("S") != expected or later.get("S") != expected or set(later.keys()) - _ELEMENT_KEYS:
            return
        if expected == "/Table" and any(_is_element(kid, "/THead", resolve) for kid in later["K"]):
            return
        earlier["K"].extend(_adopted_kids(later, kids[earlier_index], earlier, resolve, parents))
        del kids[later_index]
        parent = earlier


def _starts_on(element: Any, page: bytes) -> bool:
    return bool(element.get("Type") == "/StructElem" and element.get("Pg") == page)


def _identify_header_cells(root: pydyf.Dictionary, resolve: _Objects, in_tree: dict[bytes, pydyf.Dictionary]) -> None:
    """Give the tree the ``IDTree`` that finds each header cell a data cell names, and say what each
    header cell heads: its column in a header row (``THead``), else its row."""
    identified: list[tuple[bytes, pydyf.String, bytes]] = []
    for reference, element in in_tree.items():
        if "ID" in element:
            identifier = element["ID"]
            identified.append((str(identifier.string).encode(), identifier, reference))
        if element["S"] == "/TH":
            # A header row's cells head their columns; a header cell in the body heads its row.
            in_head = resolve(resolve(element["P"])["P"]).get("S") == "/THead"
            attributes = element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))
            attributes.setdefault("Scope", "/Column" if in_head else "/Row")
    if identified:
        # A name tree's keys are sorted as byte strings (ISO 32000-1, 7.9.6).
        ordered = sorted(identified, key=lambda entry: entry[0])
        names = [item for _key, identifier, reference in ordered for item in (identifier, reference)]
        root["IDTree"] = pydyf.Dictionary({"Names": pydyf.Array(names)})


_TABLE_PARTS = frozenset(("/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TD"))


def _stacked_tables_as_groups(resolve: _Objects, in_tree: dict[bytes, pydyf.Dictionary]) -> None:
    """Tag a table that has no header cells, a wide one stacked on A4, as the groups of lines it shows.

    Its header row is not printed (print.css): each row is a group of "column: value" lines, each
    value after its column's name. Tagged as a table, it would be one without headers, whose cells
    name an empty list of them, which PDF/UA refuses; as groups (``Div``), it reads as it looks.
    """
    for element in in_tree.values():
        if element["S"] != "/Table":
            continue
        parts = [element]
        pending = [kid for kid in element["K"] if isinstance(kid, bytes)]
        while pending:
            part = resolve(pending.pop())
            if part.get("Type") == "/StructElem" and part["S"] in _TABLE_PARTS | {"/TH"}:
                parts.append(part)
                pending.extend(kid for kid in part["K"] if isinstance(kid, bytes))
        if any(part["S"] == "/TH" for part in parts):
            continue
        for part in parts:
            part["S"] = "/Div"
            part.pop("A", None)  # table attributes: a group has none
