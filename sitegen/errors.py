"""The one error type the CLI prints: where, what is wrong, what to do."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, printed as `path:line: message; hint`."""

    path: str
    line: int | None
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}" + (f"; {self.hint}" if self.hint else "")


class SitegenError(Exception):
    """Raised with every problem found, so the user sees them all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def single(cls, path: str, line: int | None, message: str, hint: str | None = None) -> SitegenError:
        return cls([Problem(path, line, message, hint)])
