"""The one error type for a user's mistakes: every problem names its file and line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in the user's input, printed as `path:line: message`."""

    path: str
    line: int | None
    message: str
    kind: str = ""   # for grouping many warnings of one kind ('template syntax')

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class SiteError(Exception):
    """Bad input: carries every problem found in one run, so the user fixes them all at once."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], warnings: tuple[Problem, ...] = ()):
        self.problems = tuple(problems)
        self.warnings = tuple(warnings)   # found before the build stopped, shown with the errors
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: str, line: int | None, message: str) -> "SiteError":
        """A SiteError holding a single problem."""
        return cls([Problem(path, line, message)])


MAX_SHOWN = 50  # problems printed in full; a systematic mistake can repeat thousands of times


def error_lines(problems: tuple[Problem, ...] | list[Problem]) -> list[str]:
    """One 'error: path:line: message' line per problem, the first MAX_SHOWN of them."""
    lines = [f"error: {problem}" for problem in problems[:MAX_SHOWN]]
    if len(problems) > MAX_SHOWN:
        lines.append(f"... and {len(problems) - MAX_SHOWN} more like these")
    return lines


def warning_lines(warnings: tuple[Problem, ...] | list[Problem]) -> list[str]:
    """'warning: path:line: message' lines, grouped by kind, the first MAX_SHOWN of them, then
    how many more of each kind."""
    ordered = sorted(warnings, key=lambda w: (w.kind, w.path, w.line or 0))
    lines = [f"warning: {warning}" for warning in ordered[:MAX_SHOWN]]
    if len(ordered) > MAX_SHOWN:
        rest: dict[str, int] = {}
        for warning in ordered[MAX_SHOWN:]:
            rest[warning.kind or "other"] = rest.get(warning.kind or "other", 0) + 1
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(rest.items(), key=lambda kv: -kv[1]))
        lines.append(f"... and {len(ordered) - MAX_SHOWN} more warnings ({kinds})")
    return lines


def did_you_mean(word: str, known: list[str] | tuple[str, ...] | frozenset[str]) -> str:
    """A 'did you mean' hint for a misspelt key, or '' when nothing is close."""
    import difflib

    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""
