"""The one Markdown parser: paragraphs from the token stream, anchors and links added as tokens.

`MarkdownIt("js-default")` keeps raw HTML and `javascript:` links out of article text
(markdown-it-py docs/security.md). Paragraph numbers come from `paragraph_open` tokens in
document order, and their plain text from the inline children, so the numbers and offsets
the analysers use are exactly the ones the pages render (never regex over HTML).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from sitegen.model import Paragraph
from sitegen.pickling import pickled_by_value
from sitegen.urls import paragraph_anchor


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of a paragraph's plain text to turn into a link on the article page."""

    start: int
    end: int
    href: str
    css_class: str
    title: str | None = None


@pickled_by_value
@dataclass(frozen=True, slots=True)
class Marker:
    """A small link inserted after a position of a paragraph (e.g. a claim reference)."""

    at: int
    href: str
    label: str
    title: str


def _paragraph_tokens(tokens: Sequence[Token]) -> Iterator[tuple[int, int]]:
    """(index of paragraph_open, index of its inline token), in document order."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open":
            yield index, index + 1


def inline_text(inline: Token) -> str:
    """The plain text of an inline token: what a reader sees, without markup."""
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def _anchor_paragraphs(state: StateCore) -> None:
    """Core rule: give every paragraph its `id="pN"` (on the list item when the list is tight)."""
    tokens = state.tokens
    for number, (open_index, _) in enumerate(_paragraph_tokens(tokens), start=1):
        target = tokens[open_index]
        if target.hidden:  # tight list: the <p> is not rendered, so anchor the <li>
            for back in range(open_index - 1, -1, -1):
                if tokens[back].type == "list_item_open":
                    target = tokens[back]
                    break
        if target.attrGet("id") is None:
            target.attrSet("id", paragraph_anchor(number))


@functools.lru_cache(maxsize=1 << 12)
def _link_open(href: str, css_class: str, title: str | None) -> str:
    """`<a ...>` as markdown-it renders a `link_open` token with these attributes, in this
    order. Memoised: an article links the same few actors again and again."""
    html = f'<a href="{escapeHtml(href)}" class="{escapeHtml(css_class)}"'
    return f'{html} title="{escapeHtml(title)}">' if title else html + ">"


def _split_text(child: Token, offset: int, spans: Sequence[Span], markers: Sequence[Marker]) -> list[Token]:
    """Cut one text token at the spans and markers that fall inside it.

    The pieces come back as one token of their HTML (`_LINKED`), written as markdown-it
    writes text, link and `sup` tokens (its own `escapeHtml`, the same attributes in the
    same order): a token each made a briefing's article pages build half a million of
    them, most of what rendering an article body cost. A span that crosses into another
    token (emphasis, code) is left unlinked rather than producing broken nesting.
    """
    text, end = child.content, offset + len(child.content)
    cuts: list[tuple[int, Span | Marker]] = [(s.start, s) for s in spans if offset <= s.start and s.end <= end]
    cuts += [(m.at, m) for m in markers if offset < m.at <= end]
    if not cuts:
        return [child]
    html: list[str] = []
    position = offset
    for at, cut in sorted(cuts, key=lambda c: (c[0], isinstance(c[1], Span))):
        if at < position:
            continue
        html.append(escapeHtml(text[position - offset:at - offset]))
        if isinstance(cut, Span):
            html += (_link_open(cut.href, cut.css_class, cut.title),
                     escapeHtml(text[cut.start - offset:cut.end - offset]), "</a>")
            position = cut.end
        else:
            html += ("<sup>", _link_open(cut.href, "claim-ref", cut.title), escapeHtml(cut.label), "</a></sup>")
            position = at
    html.append(escapeHtml(text[position - offset:]))
    linked = Token(_LINKED, "", 0)
    linked.content = "".join(html)
    return [linked]


_LINKED = "sitegen_linked"
"""The type of a token holding a text's HTML with its links (`_split_text`); rendered as is."""


def _render_linked(self: object, tokens: Sequence[Token], idx: int, options: object, env: object) -> str:
    return tokens[idx].content


def _non_overlapping(spans: Sequence[Span]) -> list[Span]:
    """Keep the longest of overlapping spans (a link cannot hold a link), earliest first."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.href)):
        if all(span.end <= other.start or other.end <= span.start for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def _link_spans(state: StateCore) -> None:
    """Core rule: turn the spans given in `env` into links inside each paragraph's text."""
    spans_by_paragraph: Mapping[int, Sequence[Span]] = state.env.get("spans", {})
    markers_by_paragraph: Mapping[int, Sequence[Marker]] = state.env.get("markers", {})
    for number, (_, inline_index) in enumerate(_paragraph_tokens(state.tokens), start=1):
        spans = _non_overlapping(spans_by_paragraph.get(number, ()))
        markers = sorted(markers_by_paragraph.get(number, ()), key=lambda m: (m.at, m.href))
        if not spans and not markers:
            continue
        inline = state.tokens[inline_index]
        children: list[Token] = []
        offset = 0
        for child in inline.children or ():
            if child.type == "text":
                children.extend(_split_text(child, offset, spans, markers))
                offset += len(child.content)
            else:
                children.append(child)
                if child.type == "code_inline":
                    offset += len(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    offset += 1
        inline.children = children


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("js-default")
    md.core.ruler.push("paragraph_anchors", _anchor_paragraphs)
    md.core.ruler.push("link_spans", _link_spans)
    md.add_render_rule(_LINKED, _render_linked)
    return md


_MD = _make_parser()


def paragraphs(body: str, body_line: int) -> tuple[Paragraph, ...]:
    """The article's paragraphs: number, plain text and source line, from the token map."""
    tokens = _MD.parse(body)
    found = []
    for number, (open_index, inline_index) in enumerate(_paragraph_tokens(tokens), start=1):
        token_map = tokens[open_index].map
        line = body_line + (token_map[0] if token_map else 0)
        found.append(Paragraph(number, inline_text(tokens[inline_index]), line))
    return tuple(found)


def render_body(body: str, spans: Mapping[int, Sequence[Span]],
                markers: Mapping[int, Sequence[Marker]]) -> str:
    """HTML of an article body with anchored paragraphs and the given links (escaped by markdown-it)."""
    return str(_MD.render(body, {"spans": spans, "markers": markers}))


@pickled_by_value
@dataclass(frozen=True, slots=True)
class ArticleBody:
    """An article body and its links, turned into HTML only when a template prints it
    (markupsafe's `__html__`): a page whose view is unchanged since the last build is
    not rendered at all, and the view's digest is taken over these inputs, not the HTML."""

    body: str
    spans: tuple[tuple[int, tuple[Span, ...]], ...]
    markers: tuple[tuple[int, tuple[Marker, ...]], ...]

    @classmethod
    def of(cls, body: str, spans: Mapping[int, Sequence[Span]],
           markers: Mapping[int, Sequence[Marker]]) -> ArticleBody:
        return cls(body, tuple((n, tuple(spans[n])) for n in sorted(spans)),
                   tuple((n, tuple(markers[n])) for n in sorted(markers)))

    def __html__(self) -> str:
        return render_body(self.body, dict(self.spans), dict(self.markers))

    def __str__(self) -> str:
        return self.__html__()
