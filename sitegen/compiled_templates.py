"""The theme's templates, compiled once and kept in the analysis cache (issue 9).

Jinja2 compiles a template's source to Python code the first time a page asks for it:
the templates an edit renders took 0.04-0.1 s of a command-line rebuild at 1,000 articles
(three for an edit of text, nine after one that changed the claims; all nineteen take
0.15 s), every time, and each render worker of a cold build compiled its own.
jinja2's `BytecodeCache` hook loads compiled code instead; its own file-system cache would
unmarshal whatever file its folder holds, so the code is kept in the analysis cache, whose
entries are signed (`cache.DiskCache`) and pruned when unused.
"""

from __future__ import annotations

from collections.abc import Mapping

import jinja2
from jinja2.bccache import Bucket

from sitegen.runner import ArticleRunner

LABEL = "template code"


class _CodeAtHand(jinja2.BytecodeCache):
    """jinja2's hook for compiled code, answered from code `load_templates` read or made:
    by each template's key (its name and file) and its source's checksum."""

    def __init__(self, code: Mapping[str, bytes | None]) -> None:
        self._code = code

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self._code.get(bucket.key + bucket.checksum)
        if found is not None:
            bucket.bytecode_from_string(found)  # a jinja2 or Python of another version: not loaded

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Nothing to do: `load_templates` keeps what it compiled."""


def load_templates(environment: jinja2.Environment, runner: ArticleRunner) -> None:
    """Load every `.html` template of `environment` now, from its compiled code in the
    cache, compiled and kept where the cache has none for its source. Before rendering, so
    render workers fork with the templates loaded. A template that does not compile is
    left to rendering, which reports the error where a page uses it. A warm process's
    templates, loaded already, are not loaded again, but their code counts as used, so it
    stays for the next build from the command line."""
    assert environment.loader is not None
    names = environment.list_templates(filter_func=lambda name: name.endswith(".html"))
    sources = [environment.loader.get_source(environment, name)[:2] for name in names]
    keying = _CodeAtHand({})
    buckets = [Bucket(environment, keying.get_cache_key(name, filename), keying.get_source_checksum(source))
               for name, (source, filename) in zip(names, sources, strict=True)]

    def compile_code(todo: list[int]) -> list[bytes | None]:
        return [_compiled(environment, buckets[i], names[i], *sources[i]) for i in todo]

    keys = [bucket.key + bucket.checksum for bucket in buckets]
    code = runner.keyed(LABEL, keys, compile_code, store_at_close=True)
    environment.bytecode_cache = _CodeAtHand(dict(zip(keys, code, strict=True)))
    try:
        for name, compiled in zip(names, code, strict=True):
            if compiled is not None:
                environment.get_template(name)
    finally:
        environment.bytecode_cache = None


def _compiled(environment: jinja2.Environment, bucket: Bucket, name: str, source: str,
              filename: str | None) -> bytes | None:
    """The template's compiled code as jinja2's bytecode caches keep it, or None when it
    does not compile."""
    try:
        bucket.code = environment.compile(source, name, filename)
    except jinja2.TemplateSyntaxError:
        return None
    return bucket.bytecode_to_string()
