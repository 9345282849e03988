"""Article bodies as HTML: paragraph anchors, links on actor mentions, claim markers."""

from __future__ import annotations

from sitegen.markdown import Marker, Span, paragraphs, render_body

BODY = 'Tom & Jerry said <b>"no"</b> to O\'Brien.\n\nSecond *emphasised words* here.\n'


def test_links_and_markers_are_written_as_markdown_it_writes_links_with_every_text_escaped() -> None:
    html = render_body(
        BODY,
        {1: [Span(0, 3, "actors/tom.html", "mention", 'Tom "T" <Cat>'), Span(32, 39, "a?x=1&y=2", "mention actor")],
         2: [Span(7, 17, "x.html", "mention")]},
        {1: [Marker(11, "claims/c1.html", "1", 'Claim: "no" & <more>')]},
    )
    assert html == (
        '<p id="p1"><a href="actors/tom.html" class="mention" title="Tom &quot;T&quot; &lt;Cat&gt;">Tom</a>'
        ' &amp; Jerry<sup><a href="claims/c1.html" class="claim-ref" title="Claim: &quot;no&quot; &amp; '
        '&lt;more&gt;">1</a></sup> said &lt;b&gt;&quot;no&quot;&lt;/b&gt; to '
        "<a href=\"a?x=1&amp;y=2\" class=\"mention actor\">O'Brien</a>.</p>\n"
        '<p id="p2">Second <em><a href="x.html" class="mention">emphasised</a> words</em> here.</p>\n'
    )


def test_a_span_crossing_into_emphasis_is_left_unlinked_and_overlaps_keep_the_longest() -> None:
    second = paragraphs(BODY, 1)[1].text
    assert second == "Second emphasised words here."
    html = render_body(BODY, {2: [Span(0, 17, "x.html", "mention"), Span(7, 23, "y.html", "mention")],
                              1: [Span(0, 11, "long.html", "mention"), Span(0, 3, "short.html", "mention")]}, {})
    assert "x.html" not in html and "y.html" not in html  # each crosses the <em>
    assert '<a href="long.html" class="mention">Tom &amp; Jerry</a>' in html and "short.html" not in html
    assert html.endswith('<p id="p2">Second <em>emphasised words</em> here.</p>\n')


def test_a_body_without_links_renders_as_plain_markdown() -> None:
    assert render_body(BODY, {}, {}) == (
        '<p id="p1">Tom &amp; Jerry said &lt;b&gt;&quot;no&quot;&lt;/b&gt; to O\'Brien.</p>\n'
        '<p id="p2">Second <em>emphasised words</em> here.</p>\n'
    )
