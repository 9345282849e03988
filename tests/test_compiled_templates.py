"""The theme's compiled templates kept in the analysis cache (`compiled_templates.py`)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import jinja2
import pytest

from sitegen.cache import KEY_ENV

TESTS = Path(__file__).parent
SITES = TESTS / "sites"
BUILTIN_TEMPLATES = TESTS.parent / "themes/default/templates"


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The names of the templates jinja2 compiles from source, in order, as builds run."""
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "user-cache" / "cache-key"))
    names: list[str] = []
    compile_source = jinja2.Environment.compile

    def noting(self: jinja2.Environment, source: str, name: str | None = None, *args: object, **kwargs: object):
        names.append(name or "")
        return compile_source(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", noting)
    return names


def edit(root: Path, text: str) -> None:
    article = root / "content/articles/strike-begins.md"
    article.write_text(article.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def test_a_build_after_an_edit_renders_with_the_code_the_first_build_compiled(
        site_copy, sitegen, compiled: list[str], tmp_path: Path) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    every_template = sorted(p.name for p in BUILTIN_TEMPLATES.glob("*.html"))
    assert sorted(compiled) == every_template  # all of them, each once, before any page renders
    compiled.clear()
    edit(root, "The harbour master said 40 ships were waiting.")
    run = sitegen("build", "--root", root)
    assert run.code == 0 and " 0 files changed" not in run.out  # pages rendered, no template compiled
    assert compiled == []
    fresh = tmp_path / "fresh"
    shutil.copytree(SITES / "minimal", fresh)
    edit(fresh, "The harbour master said 40 ships were waiting.")
    assert sitegen("build", "--root", fresh, "-q", "--no-cache").code == 0
    assert tree(root / "public") == tree(fresh / "public")


def test_a_template_the_site_changes_is_compiled_again_and_its_old_code_not_used(
        site_copy, sitegen, compiled: list[str]) -> None:
    root = site_copy("minimal")
    templates = root / "themes/default/templates"
    templates.mkdir(parents=True)
    builtin = (BUILTIN_TEMPLATES / "article.html").read_text(encoding="utf-8")
    (templates / "article.html").write_text(builtin, encoding="utf-8")
    assert sitegen("build", "--root", root, "-q").code == 0
    compiled.clear()
    changed = builtin.replace("<h1>{{ title }}</h1>", '<h1 class="house">{{ title }}</h1>')
    (templates / "article.html").write_text(changed, encoding="utf-8")
    assert sitegen("build", "--root", root, "-q").code == 0
    assert compiled == ["article.html"]
    assert '<h1 class="house">' in (root / "public/articles/strike-begins.html").read_text(encoding="utf-8")


def test_a_template_that_does_not_compile_is_reported_at_its_line_by_the_page_that_uses_it(
        site_copy, sitegen, compiled: list[str]) -> None:
    root = site_copy("minimal")
    assert sitegen("build", "--root", root, "-q").code == 0
    broken = root / "themes/default/templates/tag.html"
    broken.parent.mkdir(parents=True)
    broken.write_text('{% extends "base.html" %}\n{% block main %}{{ title }\n{% endblock %}\n', encoding="utf-8")
    for _ in range(2):  # the second time, with the first's account of it in the cache
        run = sitegen("build", "--root", root)
        assert run.code == 1 and "Traceback" not in run.err
        assert "themes/default/templates/tag.html:2: template error while rendering tags/" in run.err
