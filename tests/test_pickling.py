"""Records pickled as constructor calls: the same values back, and an article's text left
as it was (no UTF-8 copy kept in it by pickling)."""

from __future__ import annotations

import pickle
import sys

from sitegen.model import Article, Evidence, Mention, Paragraph
from sitegen.runner import plain_key


def _article(body: str, texts: tuple[str, ...]) -> Article:
    paragraphs = tuple(Paragraph(n, text, n * 2) for n, text in enumerate(texts, start=1))
    return Article("a-1", "articles/a-1.md", "Title", "Outlet", "2024-10-01", None, None, body, 3, paragraphs,
                   content_digest="d" * 64)


def test_records_come_back_equal_from_a_pickle() -> None:
    ascii_only = _article("Plain text.\n", ("Plain text.",))
    curly = _article("He said \u201cno\u201d.\n\nIt\u2019s over.\n", ("He said \u201cno\u201d.", "It\u2019s over."))
    lone = _article("broken \ud800 text", ("broken \ud800 text",))  # a lone surrogate still pickles
    for article in (ascii_only, curly, lone):
        back = pickle.loads(pickle.dumps(article, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == article and back.content_digest == article.content_digest
        assert [type(p.text) for p in back.paragraphs] == [str] * len(article.paragraphs)
    for record in (Evidence("a-1", 2, "\u201cquoted\u201d"), Mention("a-1", 2, 10, 14, "Kyiv")):
        back = pickle.loads(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == record and type(back) is type(record)


def test_a_named_tuple_record_is_hashed_as_its_field_values() -> None:
    """Mentions and reports are named tuples; keys and digests write their fields as they
    write a dataclass's, in order, so their digests stay what they were as dataclasses."""
    mention = Mention("a-1", 2, 10, 14, "Kyiv")
    assert plain_key(b"", (mention,)) == plain_key(b"", (("a-1", 2, 10, 14, "Kyiv"),))
    assert plain_key(b"", mention) != plain_key(b"", mention._replace(start=11))


def test_pickling_an_article_leaves_its_texts_their_size() -> None:
    # News text has curly quotes, so its strings are not ASCII; pickle encodes such a string
    # through PyUnicode_AsUTF8AndSize, which keeps the UTF-8 copy inside it for good.
    body = "\u201cWe will not,\u201d she said. " * 200
    article = _article(body, (body[:2000], body[2000:]))
    sizes = [sys.getsizeof(article.body)] + [sys.getsizeof(p.text) for p in article.paragraphs]
    pickle.dumps(article)
    assert [sys.getsizeof(article.body)] + [sys.getsizeof(p.text) for p in article.paragraphs] == sizes
    plain = "\u201cWe will not,\u201d she said. " * 200
    before = sys.getsizeof(plain)
    pickle.dumps(plain)
    assert sys.getsizeof(plain) > before  # what pickle does to a bare string
