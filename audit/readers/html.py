"""HTML reader: a saved portal page in, the report body as blocks out.

Portal pages wrap the report in navigation, breadcrumbs and footers. The
reader finds the element that holds the report (a known CMS container, or
the smallest element holding the most report markers), reads it into
paragraphs and tables, and keeps the rest of the page's text as
``meta["chrome_text"]`` because 发布时间 labels live there.

Decisions worth knowing:

* Only lxml (libxml2) is used, every walk over the tree is iterative
  (``iterwalk``) and bulk text comes from libxml2's own serialiser, so a
  50 MB page reads in seconds. libxml2 stops parsing past 2048 levels of
  nesting; what lies deeper is lost (an all-lost page reads as unreadable).
* A ``<table>`` that contains another table, or has a single cell, is a
  layout box, not data: its cells are read as ordinary flow, so the nested
  tables come out as Table blocks of their own and the text as paragraphs.
  Report tables never nest, while whole reports are often wrapped in one.
* rowspan is clamped to the rows left in the table and a span stops where
  it would overlap another cell; colspan is capped at 100, and trailing
  columns in which no cell starts are trimmed, so an absurd colspan adds no
  phantom columns. Rows with no cell of their own (all covered by spans or
  empty ``<tr>``) are dropped.
* ``<o:p>`` (Word's paragraph mark) is unwrapped, not deleted: it usually
  holds only a non-breaking space, but Word-pasted signatures (机关名称,
  成文日期) sometimes sit inside it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import chain, islice

import lxml.etree as etree

from audit.document import Document, Paragraph, Table, clean_text
from audit.readers import unreadable
from audit.readers.encoding import decode

CHROME_LIMIT = 20_000
MAX_COLSPAN = 100
MAX_COLUMNS = 1000

BLOCK_TAGS = frozenset(
    "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main menu nav ol "
    "p pre section summary table tbody td tfoot th thead tr ul".split()
)
# Elements whose subtree is never visible text (or is chrome by nature).
DROP_TAGS = ("script", "style", "noscript", "template", "head", "title", "select", "iframe", "object", "svg")
# Elements that may hold the report body.
CONTAINER_TAGS = frozenset("body div article section main td center form".split())
KNOWN_IDS = frozenset(["zoom", "zoomcon", "ucap-content", "content", "fontzoom", "maintext", "article"])
KNOWN_CLASSES = frozenset(
    ["trs_editor", "trs_ueditor", "article-content", "article_content", "view", "content", "pages_content", "news_content"]
)
# Report markers, written without whitespace (matched against compacted text).
MARKERS = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况", "行政复议", "存在的主要问题", "其他需要报告的事项")

_BREAKS = BLOCK_TAGS | {"br"}
_NUMBER = re.compile(r"\s*(\d+)")
_PLAIN = re.compile(r"[\s\u200b\u200c\u200d\ufeff]")
_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def read(data: bytes, source: str) -> Document:
    """Read an HTML page; never raises (a failure gives readable=False)."""
    try:
        return _read(data, source)
    except Exception as error:  # noqa: BLE001 - a reader must never raise on bad input
        return unreadable(source, "无法解析该 HTML 页面，未能读取年报内容", error=f"{type(error).__name__}: {error}")


def _read(data: bytes, source: str) -> Document:
    match = _CHARSET.search(data, 0, 65536)  # no copy of the page's head
    declared = match.group(1).decode("ascii", "replace") if match else None
    # Hand libxml2 UTF-8 and tell it so, so that no meta tag inside the page
    # can make it decode a second time with the wrong charset. Bytes that are
    # strict UTF-8 would re-encode to themselves: pass them as they are, which
    # saves decoding the page into a string and encoding it back.
    text, encoding, problems = decode(data, declared, need_text=b"\x00" in data)
    payload = data if text is None else text.replace("\x00", "").encode("utf-8", "replace")
    # lxml.etree's HTMLParser is the parser lxml.html uses, minus the Python
    # element-class lookup that costs a call per element on a 50 MB page.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    root = etree.fromstring(payload, parser)
    del text, payload  # a 50 MB page: do not hold three copies while walking
    if root is None:
        return unreadable(source, "HTML 页面为空，无法读取年报内容", error="empty document", encoding=encoding)

    meta = {"format": "html", "encoding": encoding, **_page_meta(root)}
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    etree.strip_tags(root, "o:p")
    page = root.find("body")
    if page is None:
        page = root

    body, found = _choose_body(page)
    blocks, chrome = _body_and_chrome(page, body)
    meta.update(body_found=found, chrome_text=chrome)
    if not blocks and not chrome:
        # libxml2 gives up past 2048 levels of nesting: say so rather than "empty"
        fatal = [f"{e.line}:{e.column}: {e.message}" for e in parser.error_log if e.level_name == "FATAL"]
        error = fatal[0] if fatal else "no visible text"
        return unreadable(source, "HTML 页面中没有可读取的文字内容", error=error, encoding=encoding)
    return Document(source=source, blocks=blocks, meta=meta, problems=problems)


def _body_and_chrome(page, body) -> tuple[list, str]:
    """The body's blocks and the chrome text (see _chrome_text).

    The holders set keeps hundreds of element proxies alive; it is dropped
    here, while the caller still holds the page. Freed after the page's
    last other proxy instead, it takes twice as long to let go of (the
    tree's own freeing then runs inside the set's).
    """
    skip = body if body is not page else None
    holders = _holders(page, skip)
    blocks = _flow(body, holders)
    chrome = _chrome_text(page, body, holders) if skip is not None else ""
    return blocks, chrome


def _page_meta(root) -> dict:
    """Title (ArticleTitle, else the first <title>) and PubDate as written."""
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        name = (element.get("name") or "").strip().lower()
        if name in ("articletitle", "pubdate") and name not in found:
            found[name] = (element.get("content") or "").strip()
    title = clean_text(found.get("articletitle") or "")
    if not title:
        first = next(root.iter("title"), None)
        title = clean_text("".join(first.itertext())) if first is not None else ""
    return {"title": title or None, "pubdate": found.get("pubdate") or None}


# ------------------------------------------------------------------ body


# Candidates for a known container: every <article>, and the id and class
# values of every element, in document order (an element's attributes sort
# right after it). Selecting the attributes themselves is three times cheaper
# in libxml2 than testing a predicate such as [@id or @class] on every element,
# and the values can be tested without asking the element for them again.
_MAYBE_KNOWN = etree.XPath("descendant-or-self::article | descendant-or-self::*/@id | descendant-or-self::*/@class")


def _known_containers(page) -> list:
    """Elements that are known CMS containers, in document order (case-blind)."""
    found = []
    for item in _MAYBE_KNOWN(page):
        if isinstance(item, str):  # an attribute value, which knows its element
            if not (_known_id(item) if item.attrname == "id" else _known_class(item)):
                continue
            element = item.getparent()
        else:
            element = item  # an <article>
        if not found or found[-1] is not element:  # known by tag and id and class: once
            found.append(element)
    return found


def _text(element) -> str:
    """All text inside ``element`` (not its tail); serialised in C, which is
    ten times faster than joining ``itertext()`` on a large page."""
    return etree.tostring(element, method="text", encoding=str, with_tail=False)


def _score(compact: str, element) -> int:
    """Distinct report markers in the element's text, plus one for a table."""
    total = sum(marker in compact for marker in MARKERS)
    return _with_table(total, element)


def _with_table(total: int, element) -> int:
    if total and next(element.iter("table"), None) is not None:
        total += 1  # a table alone does not make a report
    return total


def _is_known(element) -> bool:
    return element.tag == "article" or _known_id(element.get("id") or "") or _known_class(element.get("class") or "")


def _known_id(value: str) -> bool:
    return value.strip().lower() in KNOWN_IDS


def _known_class(value: str) -> bool:
    return not KNOWN_CLASSES.isdisjoint(value.lower().split())


def _choose_body(page):
    """Return (element holding the report, whether any marker was found).

    The page itself holds every marker, so the best score is the page's:
    the body is the smallest known container reaching it, else the smallest
    element of any kind reaching it. Text is compared with whitespace
    removed, so a marker split across spans still matches. Smallest text
    first; on a tie the inner (deeper) element, then the first in document
    order.
    """
    text = _text(page)
    best = _with_table(_markers_in(text), page)
    if best == 0:
        return page, False
    body = _by_known_id(page, text, best)
    if body is not None:
        return body, True
    known = _known_containers(page)
    # Text only shrinks going down the tree, so an element above a container
    # that reaches the best score can never win: walking the candidates
    # innermost-last-first skips the wrappers around the winner without
    # serialising their text again.
    reaching = []
    beaten: set = set()  # elements above a container that reaches the best score
    for index in range(len(known) - 1, -1, -1):
        element = known[index]
        if element in beaten:
            continue
        compact = "".join(_text(element).split())
        if _score(compact, element) == best:
            above = list(element.iterancestors())
            beaten.update(above)
            reaching.append((len(compact), -len(above), index, element))
    if reaching:
        return min(reaching, key=lambda k: k[:3])[3], True
    return _smallest_holding(page, best), True


# Each marker with whitespace allowed between its characters (\s is what
# str.split() splits on): searching raw text this way finds what searching
# the text with its whitespace removed finds, without building that text.
_MARKER_RES = [re.compile(r"\s*".join(map(re.escape, marker))) for marker in MARKERS]


def _has_marker(index: int, text: str) -> bool:
    """Whether marker ``index`` occurs in ``text`` once its whitespace is removed."""
    return MARKERS[index] in text or _MARKER_RES[index].search(text) is not None  # the first is cheaper


def _present_markers(text: str) -> list[int]:
    """Indexes of the report markers in ``text`` once its whitespace is removed."""
    return [index for index in range(len(MARKERS)) if _has_marker(index, text)]


def _markers_in(text: str) -> int:
    """Distinct report markers in ``text`` once its whitespace is removed."""
    return len(_present_markers(text))


def _blank(text: str | None) -> bool:
    return not text or text.isspace()


# The usual CMS containers carry a known id, which libxml2 indexes while
# parsing: id() finds them without walking the page (it gives the first
# element of each id only, so the result is a shortcut, checked below).
_BY_KNOWN_ID = etree.XPath("id('%s')" % " ".join(sorted(KNOWN_IDS)))
_DESCENT_LIMIT = 4  # how much text the walk below it may read, in page texts


def _by_known_id(page, text: str, best: int):
    """The body, found from a container with a known id; None when unsure.

    Let W be the innermost such container reaching the best score. When
    every occurrence of some marker on the page lies inside W, no element
    outside W can reach the best score, and the elements above W can never
    win. So the winner is W or a known container inside W reaching the best
    score, and those all lie among the elements reaching it, which are
    walked down from W (a score never grows going down); when W holds a
    table, only the known containers holding one need reading (see
    _known_around). Otherwise, or when that reads too much text, the full
    search decides.
    """
    top, top_depth, top_text, present = None, -1, "", []
    for element in _BY_KNOWN_ID(page):
        above = list(element.iterancestors())
        if element is not page and page not in above:
            continue  # stripped from the page, or outside it
        if top is not None and len(above) <= top_depth:
            continue
        element_text = _text(element)
        found = _present_markers(element_text)
        if _with_table(len(found), element) == best:
            top, top_depth, top_text, present = element, len(above), element_text, found
    if top is None:
        return None
    for index in present:
        pattern = _MARKER_RES[index]
        if len(pattern.findall(top_text)) == len(pattern.findall(text)):
            break  # every occurrence of this marker lies inside W
    else:
        return None  # every marker also occurs outside W: something else might reach the best score
    budget = _DESCENT_LIMIT * len(text)
    around = _around_tables(top)
    if around:
        return _known_around(top, around, best, present[0], budget)
    winner = (0, -top_depth, 0, top)  # W's own size is never needed: whatever inside it reaches wins
    found_inside = False
    order = 0
    stack = [(top, -top_depth)]
    while stack:
        element, depth = stack.pop()
        if len(element) == 1 and element.tag != "table" and _blank(element.text) and _blank(element[0].tail):
            # A wrapper: its one child has the same text without whitespace
            # and the same tables, so it reaches the best score as well.
            reached = [(element[0], None)]
        else:
            reached = []
            for child in element:
                child_text = _text(child)
                budget -= len(child_text)
                if budget < 0:
                    return None
                # a child lacking the marker W has first cannot reach the best score
                if _has_marker(present[0], child_text) and _with_table(_markers_in(child_text), child) == best:
                    reached.append((child, child_text))
        for child, child_text in reached:
            order += 1
            if _is_known(child):
                if child_text is None:
                    child_text = _text(child)
                candidate = (len("".join(child_text.split())), depth - 1, order, child)
                if not found_inside or candidate[:3] < winner[:3]:
                    winner, found_inside = candidate, True
        stack.extend((child, depth - 1) for child, _ in reversed(reached))  # depth first, in document order
    return winner[3]


def _around_tables(top) -> list:
    """The tables inside ``top`` and every element between them and ``top``,
    each once; two elements neither of which holds the other come in
    document order (the one holding the earlier table comes first)."""
    around: dict = {}  # a dict keeps the order of discovery
    for table in top.iter("table"):
        element = table
        while element is not top and element not in around:  # stop where an earlier climb stopped
            around[element] = None
            element = element.getparent()
    return list(around)


def _known_around(top, around: list, best: int, marker: int, budget: int):
    """The winner inside ``top`` when ``top`` holds a table (see _by_known_id).

    The best score then counts the table bonus, so only an element with a
    table below it can reach it: the known containers among ``around`` are
    the only candidates, and most of a report's elements (its paragraphs)
    are never serialised. Smallest text first, then the inner element, then
    the first in document order; ``top`` when none reaches the best score,
    None when that would read too much text.
    """
    winner = None
    for order, element in enumerate(around):
        if not _is_known(element):
            continue
        element_text = _text(element)
        budget -= len(element_text)
        if budget < 0:
            return None
        # lacking the marker ``top`` has first, it cannot reach the best score
        if _has_marker(marker, element_text) and _with_table(_markers_in(element_text), element) == best:
            key = (len("".join(element_text.split())), -sum(1 for _ in element.iterancestors()), order)
            if winner is None or key < winner[0]:
                winner = (key, element)
    return top if winner is None else winner[1]


def _smallest_holding(page, best: int):
    """The smallest container whose score is ``best``, found in one pass.

    The pass builds the compacted page text, recording where each container
    starts and ends in it and in element order; scores are then bisections.
    """
    pieces: list[str] = []
    pos = 0
    count = 0
    open_containers: list[tuple] = []
    containers: list[tuple] = []  # (element, text start, text end, node start, node end)
    tables: list[int] = []
    for event, element in etree.iterwalk(page, events=("start", "end")):
        tag = element.tag
        if event == "start":
            count += 1
            if tag == "table":
                tables.append(count)
            if tag in CONTAINER_TAGS:
                open_containers.append((element, pos, count))
            chunk = element.text
        else:
            if tag in CONTAINER_TAGS:
                opened, text_start, node_start = open_containers.pop()
                containers.append((opened, text_start, pos, node_start, count))
            chunk = element.tail if element is not page else None
        if chunk:
            chunk = "".join(chunk.split())
            pieces.append(chunk)
            pos += len(chunk)

    compact = "".join(pieces)
    hits = [[m.start() for m in re.finditer(re.escape(marker), compact)] for marker in MARKERS]

    def score(text_start: int, text_end: int, node_start: int, node_end: int) -> int:
        total = 0
        for marker, positions in zip(MARKERS, hits):
            i = bisect_left(positions, text_start)
            if i < len(positions) and positions[i] + len(marker) <= text_end:
                total += 1
        if not total:
            return 0
        i = bisect_left(tables, node_start + 1)
        return total + (i < len(tables) and tables[i] <= node_end)

    winners = [c for c in containers if c[2] - c[1] >= 4 and score(*c[1:]) == best]
    # Smallest text wins; on a tie the inner element (later start) wins.
    return min(winners, key=lambda c: (c[2] - c[1], -c[3]))[0] if winners else page


def _chrome_text(page, body, holders: set) -> str:
    """Page text outside the body, one line per block (a table row is a line).

    When it is too long, keep the text nearest the body: labels such as
    发布时间 sit just above or below it, while the far ends are menus.
    """
    before: list[str] = []
    after: list[str] = []
    lines = before
    tail_limit = CHROME_LIMIT // 4
    tail_size = 0
    for block in _blocks(page, holders, skip=body):
        if block is _SKIPPED:
            lines = after
            continue
        if isinstance(block, Table):
            new = [" ".join(c for c in row if c) for row in block.rows if any(row)]
        else:
            new = [block.text]
        lines.extend(new)
        if lines is after:
            tail_size += sum(len(line) + 1 for line in new)
            if tail_size > tail_limit:
                break  # enough: do not walk a huge footer
    head, tail = "\n".join(before), "\n".join(after)[:tail_limit]
    room = CHROME_LIMIT - len(tail) - 1
    if len(head) > room:
        head = head[-room:].partition("\n")[2]  # start on a whole line
    return "\n".join(part for part in (head, tail) if part)


# ------------------------------------------------------------------ flow


def _clean(text: str) -> str:
    """clean_text, skipped when it could change nothing (no whitespace at all)."""
    return clean_text(text) if _PLAIN.search(text) else text


_SKIPPED = Paragraph("")  # marker object: where the skipped element stood


def _holders(page, skip) -> set:
    """Every element with a block or <br> somewhere below it (or ``skip``).

    One C-level pass over the page's block elements: a single ``iter`` with
    all the tags, whose tag matcher costs as much as reading a few cells, so
    it is built once per page rather than once per element or cell. With
    it, _blocks reads an element that holds no block (a Word paragraph full
    of spans) with one call to the C serialiser instead of visiting every
    span, and a table cell whose children hold no block takes the shallow
    reading (see _cell_text). ``skip`` counts as a block, so the walk finds it.
    """
    holders: set = set()
    blocks = page.iter(*_BREAK_LIST)  # not listed: a proxy alive is work for the garbage collector
    for element in blocks if skip is None else chain(blocks, (skip,)):
        above = element.getparent()
        while above is not None and above not in holders:  # stop where an earlier climb stopped
            holders.add(above)
            above = above.getparent()
    return holders


def _flow(root, holders: set) -> list:
    return list(_blocks(root, holders))


def _blocks(root, holders: set, skip=None):
    """Yield the blocks of ``root`` in document order.

    Block elements and <br> end the current paragraph; inline elements
    (span, font, b, ...) join their text with no separator. ``skip`` is an
    element left out, with _SKIPPED yielded where it stood. ``holders`` is
    what _holders gives for the page.
    """
    buffer: list[str] = []

    def flush() -> Paragraph | None:
        text = "".join(buffer)
        buffer.clear()
        if text and not text.isspace():
            text = _clean(text)
            if text:
                return Paragraph(text)
        return None

    # Whitespace that would open a paragraph is not kept: cleaning strips it
    # anyway, and most tails between blocks are only that, so the buffer
    # stays empty and there is nothing to flush at the next block.
    tags: list[str] = []  # of the open elements: their "end" events need no .tag
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        if event == "start":
            tag = element.tag  # str: comments and PIs are removed by the parser
            tags.append(tag)
            if tag in _BREAKS or element is skip:
                if buffer and (paragraph := flush()):
                    yield paragraph
                if element is skip:
                    yield _SKIPPED
                    walker.skip_subtree()
                    continue
                if tag == "table" and element is not root:
                    table = _table(element, holders)
                    if table is not _LAYOUT:
                        walker.skip_subtree()
                        if table is not None:
                            yield table
                        continue
            if len(element) > 1 and element not in holders and element is not root:
                # Nothing inside ends a paragraph: all its text at once, from
                # C (with a single child, walking it costs no more).
                buffer.append(_text(element))
                walker.skip_subtree()  # its "end" event still comes
                continue
            text = element.text
            if text and (buffer or not text.isspace()):
                buffer.append(text)
        else:
            tag = tags.pop()
            if (tag in BLOCK_TAGS or element is skip) and buffer and (paragraph := flush()):
                yield paragraph
            if element is not root:
                tail = element.tail
                if tail and (buffer or not tail.isspace()):
                    buffer.append(tail)
    if buffer and (paragraph := flush()):
        yield paragraph


# ------------------------------------------------------------------ tables

_CELL_TAGS = ("td", "th")
_BREAK_LIST = tuple(sorted(_BREAKS))
_LAYOUT = object()  # what _table returns for a layout table (read as flow instead)


def _rows(table):
    for child in table:
        if child.tag == "tr":
            yield child
        elif child.tag in ("thead", "tbody", "tfoot"):
            yield from (row for row in child if row.tag == "tr")


def _cells(rows):
    return (cell for row in rows for cell in row if cell.tag in _CELL_TAGS)


def _span(value: str | None, limit: int) -> int:
    """An HTML span attribute as an int in 1..limit (0 means 'to the end')."""
    if value is None:
        return 1
    if value.isdecimal():  # the usual "3": what the pattern below would read, without it
        number = int(value)
    else:
        match = _NUMBER.match(value)
        number = int(match.group(1)) if match else 1
    return limit if number == 0 else max(1, min(number, limit))


def _cell_text(cell, holders: set) -> str:
    """A cell's paragraphs joined by line breaks, then cleaned (see clean_text)."""
    size = len(cell)
    if size == 0:
        return _clean(cell.text or "")  # fast path: the usual bare cell
    if size == 1:
        child = cell[0]
        if child not in holders:
            # The Word-pasted <td><p><span>..</span></p></td> of nearly every
            # report cell, inlined: what _shallow_lines gives when the text
            # around the one block child is blank. Each test reads only what
            # it needs from the tree, the cheapest first.
            head = cell.text
            if (not head or head.isspace()) and child.tag in _BREAKS:
                tail = child.tail
                if not tail or tail.isspace():
                    # _text and _clean written out: this runs for nearly every cell
                    text = _tostring(child, method="text", encoding=str, with_tail=False)
                    if not text or text.isspace():
                        return ""
                    if text.isprintable() and " " not in text:
                        return text  # no whitespace, nothing invisible: nothing to clean
                    line = clean_text(text) if _PLAIN.search(text) else text
                    # As _clean("\n".join(lines)) with this one line; cleaning
                    # again can change only a line the first cleaning changed.
                    return line if line is text else _clean(line)
            return _clean("\n".join(_shallow_lines(cell)))
    if any(child in holders for child in cell):  # a block below the first level
        lines = []
        for block in _flow(cell, holders):
            if isinstance(block, Table):  # only reachable from a layout table's cell
                lines.extend(" ".join(c for c in row if c) for row in block.rows)
            else:
                lines.append(block.text)
        return _clean("\n".join(lines))
    return _clean("\n".join(_shallow_lines(cell)))


def _shallow_lines(cell) -> list[str]:
    """The cell's paragraphs when blocks sit only at its first level.

    That is the Word-pasted ``<td><p><span>..</span></p></td>`` shape of
    nearly every report cell; the result equals what ``_flow`` gives, at a
    fraction of the cost: each child's text comes from the C serialiser, and
    a block child is fenced with NULs (removed from the page) where _flow
    would end a paragraph.
    """
    parts = [cell.text or ""]
    for child in cell:
        if child.tag in _BREAKS:
            parts += ("\x00", _text(child), "\x00")
        else:
            parts.append(_text(child))
        if child.tail:
            parts.append(child.tail)
    lines = []
    for part in "".join(parts).split("\x00"):
        if part and not part.isspace() and (line := _clean(part)):
            lines.append(line)
    return lines


_FREE = object()  # a grid position no cell has claimed yet
_tostring = etree.tostring  # one lookup fewer in the per-cell path


def _table(table, holders: set):
    """Expand rowspan/colspan into a full grid (see module docstring).

    Returns _LAYOUT for a layout table: one that holds another table or has
    a single cell.
    """
    if next(table.iterdescendants("table"), None) is not None:
        return _LAYOUT
    rows = list(_rows(table))
    if sum(1 for _ in islice(_cells(rows), 2)) <= 1:
        return _LAYOUT
    grid: list[list] = [[] for _ in rows]
    own = [False] * len(rows)  # rows where a cell starts; the others are dropped
    last = -1  # the rightmost column where a cell starts
    # Cells are taken row by row, not listed for the whole table first: every
    # Python proxy alive at once is one more object for the garbage collector.
    for r, row in enumerate(rows):
        line = grid[r]
        col = 0
        for cell in row:
            if cell.tag not in _CELL_TAGS:
                continue
            size = len(line)
            while col < size and line[col] is not _FREE:
                col += 1  # claimed by a span from the left or above
            if col >= MAX_COLUMNS:
                break
            text = _cell_text(cell, holders)
            if col == size:
                line.append(text)
            else:
                line[col] = text
            own[r] = True
            if col > last:
                last = col
            colspan, rowspan = cell.get("colspan"), cell.get("rowspan")
            if colspan is None and rowspan is None:
                col += 1  # no span: _span would give 1 and 1
                continue
            width = _span(colspan, min(MAX_COLSPAN, MAX_COLUMNS - col))
            height = _span(rowspan, len(rows) - r)
            if width > 1 or height > 1:
                width = _cover(grid, r, col, width, height)
            col += width

    if last < 0:
        return None
    width = last + 1
    out = []
    for r, line in enumerate(grid):
        if own[r]:
            # Most lines are whole already: no position left free by a span,
            # as wide as the table. Only the others are copied.
            if len(line) > width:
                line = line[:width]
            if _FREE in line:
                line = ["" if c is _FREE else c for c in line]
            if len(line) < width:
                line = line + [""] * (width - len(line))
            out.append(line)
    if not any(c for line in out for c in line):
        return None
    return Table(rows=out)


def _cover(grid: list[list], r: int, col: int, width: int, height: int) -> int:
    """Mark the positions a spanning cell covers as None; return its width.

    A span stops where it would overlap a position another cell holds (a
    malformed table); the rows below are covered only while the whole width
    is free there. Lines are padded with free positions as far as the span
    reaches, which changes nothing: a free position reads as "".
    """
    end = col + width
    line = grid[r]
    if len(line) < end:
        line.extend([_FREE] * (end - len(line)))
    for c in range(col + 1, end):
        if line[c] is not _FREE:
            width, end = c - col, c
            break
        line[c] = None
    covered = [None] * width
    for below in grid[r + 1 : r + height]:
        if len(below) < end:
            below.extend([_FREE] * (end - len(below)))
        if width == 1:  # a rowspan alone, the usual span: no slices
            if below[col] is not _FREE:
                break
            below[col] = None
            continue
        if below[col:end].count(_FREE) != width:  # a position there is claimed
            break
        below[col:end] = covered
    return width
