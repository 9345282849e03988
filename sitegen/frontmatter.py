"""Split a Markdown file into YAML front matter and body, keeping line numbers for errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from sitegen.errors import Problem


class ContentLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so sitegen (not PyYAML) judges them and says where."""


class _FastContentLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml, several times faster; its error messages are worded differently,
    so bad front matter is parsed again with `ContentLoader` to report it."""


_NO_TIMESTAMPS = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ContentLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS
_FastContentLoader.yaml_implicit_resolvers = _NO_TIMESTAMPS


def _parse(text: str, loader_class: type) -> tuple[Any, yaml.Node | None]:
    """The document's value and its node (for key lines), composed once."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Front matter fields with the file line each key stands on."""

    fields: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int


def yaml_problem(error: yaml.YAMLError, path: str, first_line: int, what: str, hint: str) -> Problem:
    """A PyYAML error as a Problem on the line where the broken construct starts."""
    mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
    line = first_line + mark.line if mark is not None else first_line
    reason = " ".join(filter(None, (getattr(error, "context", None), getattr(error, "problem", None))))
    return Problem(path, line, f"{what} ({reason or 'malformed YAML'})", hint)


def split_front_matter(text: str, path: str) -> FrontMatter | Problem:
    """Parse `---` delimited YAML front matter; a Problem names the line when it is bad."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return Problem(path, 1, "no front matter", 'start the file with a "---" line, then "title: …", then "---"')
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r\n") in ("---", "..."):
            end = index
            break
    else:
        return Problem(path, 1, "front matter is not closed", 'add a line "---" after the last field')
    yaml_text = "".join(lines[1:end])
    try:
        try:
            fields, node = _parse(yaml_text, _FastContentLoader)
        except yaml.YAMLError:
            fields, node = _parse(yaml_text, ContentLoader)
    except yaml.YAMLError as error:
        return yaml_problem(error, path, 2, "front matter is not valid YAML",
                            "check quoting: a value with ': ' or a leading quote must be quoted")
    if fields is None:
        fields, node = {}, None
    if not isinstance(fields, dict):
        return Problem(path, 2, "front matter is not a mapping of fields", 'write "key: value" lines')
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        key_lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    body = "".join(lines[end + 1:])
    return FrontMatter({str(k): v for k, v in fields.items()}, key_lines, body, end + 2)
