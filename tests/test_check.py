"""`sitegen check` on small hand-made output folders: one case per kind of defect."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitegen.check import check_site, run_check


def page(body: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>t</title>'
        f"{head}</head>\n<body>\n{body}\n</body></html>\n"
    )


ARTICLE = page('<p id="p1">One.</p>\n<p id="p2">Two.</p>')
WHOLE = {
    "index.html": page(
        '<a href="articles/monsoon-floods.html#p2">cited</a>\n'
        '<a href="actors/ana-d%C3%ADaz.html">Ana</a>\n'
        '<a href="https://example.org/x">out</a> <a href="mailto:a@b.c">mail</a>\n'
        '<a href="#top">top</a> <a href="#">here</a> <img src="img/map.png" alt="">',
        head='<link rel="stylesheet" href="style.css">',
    ),
    "articles/monsoon-floods.html": ARTICLE,
    "actors/ana-díaz.html": page('<a href="../articles/monsoon-floods.html#p1">cited</a>'),
    "style.css": "body { background: url(img/map.png); }\n",
    "img/map.png": "png",
    "briefing.json": json.dumps({"articles": [{"page": "articles/monsoon-floods.html"}]}),
}

CASES = {
    "whole site": ({}, []),
    "missing page": (
        {"index.html": page('<a href="articles/gone.html">x</a>')},
        ['index.html:4: broken link "articles/gone.html": articles/gone.html not found'],
    ),
    "missing paragraph anchor": (
        {"index.html": page('\n<a href="articles/monsoon-floods.html#p9">x</a>')},
        ['index.html:5: missing anchor "articles/monsoon-floods.html#p9": '
         'no id="p9" in articles/monsoon-floods.html'],
    ),
    "missing anchor on the same page": (
        {"articles/monsoon-floods.html": page('<p id="p1"><a href="#p3">x</a><p id="p2">.')},
        ['articles/monsoon-floods.html:4: missing anchor "#p3": '
         'no id="p3" in articles/monsoon-floods.html'],
    ),
    "root-relative link": (
        {"index.html": page('<a href="/articles/monsoon-floods.html">x</a>')},
        ['index.html:4: root-relative link "/articles/monsoon-floods.html"; use a page-relative '
         "link; this one breaks under a sub-path and file://"],
    ),
    "link out of the site": (
        {"actors/ana-díaz.html": page('<a href="../../secret.html">x</a>')},
        ['actors/ana-díaz.html:4: broken link "../../secret.html": points outside the site folder'],
    ),
    "folder link": (
        {"index.html": page('<a href="articles/">all</a>'),
         "articles/index.html": page("list")},
        ['index.html:4: broken link "articles/": is a folder; link articles/index.html itself '
         "so it also works from file://"],
    ),
    "missing image and stylesheet target": (
        {"style.css": "/* url(commented.png) */\nbody { background: url('img/none.png'); }\n",
         "actors/ana-díaz.html": page('<img src="../img/gone.png" alt="">')},
        ['actors/ana-díaz.html:4: broken link "../img/gone.png": img/gone.png not found',
         'style.css:2: broken link "img/none.png": img/none.png not found'],
    ),
    "briefing.json names a page that is not there": (
        {"briefing.json": json.dumps({"actors": [{"page": "actors/nobody.html"}]})},
        ['briefing.json: page "actors/nobody.html" is not in the output'],
    ),
    "dot-files are not part of the site": (
        {".sitegen-manifest.json": "{}", ".staging/index.html": page('<a href="/x">x</a>')},
        [],
    ),
}


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("changes", "expected"), CASES.values(), ids=CASES.keys())
def test_check_site_reports_each_defect_with_file_and_line(
    tmp_path: Path, changes: dict[str, str], expected: list[str]
) -> None:
    write(tmp_path, {**WHOLE, **changes})
    assert [str(problem) for problem in check_site(tmp_path)] == expected


def test_site_without_home_page_is_not_whole(tmp_path: Path) -> None:
    write(tmp_path, {"articles/monsoon-floods.html": ARTICLE})
    assert [str(p) for p in check_site(tmp_path)] == ["index.html: the site has no home page"]


def _args(root: Path) -> argparse.Namespace:
    return argparse.Namespace(root=root, output=None, quiet=False, verbose=False)


def test_run_check_exit_codes_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "public", WHOLE)
    assert run_check(_args(tmp_path)) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1
    assert out[0].startswith(f"check: 0 problems in {tmp_path / 'public'} (")

    write(tmp_path / "public", {"index.html": page('<a href="nope.html">x</a>')})
    assert run_check(_args(tmp_path)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == 'error: index.html:4: broken link "nope.html": nope.html not found'
    assert err[1].startswith("check: 1 problem in ")


def test_run_check_without_a_build_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_check(_args(tmp_path)) == 1
    assert "run `sitegen build` first" in capsys.readouterr().err


def test_check_after_a_real_build_passes_and_catches_a_deleted_page(
    tmp_path: Path, sitegen: Callable[..., Any]
) -> None:
    from serve_support import article, write_site

    write_site(tmp_path, {
        "glacier-retreat": article(
            "Glacier Retreat Measured",
            "Researchers in the Andes measured the glacier's retreat at twelve metres.",
            "The team from the university said the ice lost more mass than forecast.",
        ),
        "valley-water": article(
            "Valley Water Plan",
            "Farmers downstream asked the regional council for a new water plan.",
        ),
    })
    assert sitegen("build", "--root", tmp_path).code == 0
    whole = sitegen("check", "--root", tmp_path)
    assert whole.code == 0, whole.err
    assert whole.out.startswith("check: 0 problems")

    data = json.loads((tmp_path / "public" / "briefing.json").read_text(encoding="utf-8"))
    gone = data["articles"][0]["page"]
    (tmp_path / "public" / gone).unlink()
    broken = sitegen("check", "--root", tmp_path)
    assert broken.code == 1
    lines = broken.err.splitlines()
    assert any(f'{gone} not found' in line for line in lines)
    assert f'error: briefing.json: page "{gone}" is not in the output' in lines
    assert lines[-1].startswith(f"check: {len(lines) - 1} problems in ")
