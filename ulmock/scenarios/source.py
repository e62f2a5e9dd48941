"""Reading a scenario file so that every mistake can name its file, line and key."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticError

Location = tuple[str | int, ...]


class ScenarioError(Exception):
    """One clear message: `file:line: key: what is wrong`."""

    def __init__(self, file: str, line: int | None, key: str, message: str):
        self.file, self.line, self.key, self.reason = file, line, key, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


class LineMap:
    """Line numbers of every key and list item in a YAML document."""

    def __init__(self, root: yaml.Node | None):
        self._lines: dict[Location, int] = {}
        if root is not None:
            self._walk(root, ())

    def _walk(self, node: yaml.Node, here: Location) -> None:
        self._lines[here] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                loc = (*here, key.value)
                self._lines[loc] = key.start_mark.line + 1
                self._walk(value, loc)
                self._lines[loc] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, (*here, i))

    def line(self, loc: Sequence[str | int]) -> int | None:
        """The line of `loc`, or of its nearest ancestor present in the file."""
        loc = tuple(loc)
        while loc and loc not in self._lines:
            loc = loc[:-1]
        return self._lines.get(loc)


def key_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(path: Path) -> tuple[Any, LineMap]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), None, "", f"cannot be read: {exc}") from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, file: str) -> tuple[Any, LineMap]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError(file, line, "", f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return data, LineMap(root)


def first_error(exc: PydanticError, file: str, lines: LineMap) -> ScenarioError:
    """The first pydantic error, pointed at its line."""
    err = exc.errors(include_url=False)[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal["))))
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    elif err["type"] == "missing":
        message = "required key is missing"
    return ScenarioError(file, lines.line(loc), key_path(loc), message)
