"""The nearest valid name for a mistyped one, for 400s that say what was meant.

A name that differs only by case wins outright (`Where` -> `where`); otherwise the closest by
`difflib`'s ratio, compared without regard to case, when it is close enough to be a typo.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    known = list(dict.fromkeys(candidates))
    folded = {candidate.casefold(): candidate for candidate in known}
    if name.casefold() in folded:
        return folded[name.casefold()]
    found = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`"; did you mean 'where'?"`, or "" when nothing is close."""
    found = nearest(name, candidates)
    return f"; did you mean '{found}'?" if found else ""
