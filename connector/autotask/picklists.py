"""Picklist values and labels, translated in both directions.

Autotask picklists are numbers on the wire (as strings in metadata) with tenant-defined labels
whose language follows the tenant. A `Picklist` is built from one field's `picklistValues`;
label look-ups ignore case, accents and surrounding space, and also accept the value itself, so
a label spelled in another case or a raw number still resolves.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class PicklistValue:
    value: str
    label: str
    is_active: bool = True
    is_system: bool = False
    parent_value: str = ""
    sort_order: int = 0


class Picklist:
    """The values of one picklist field; look-ups in both directions."""

    def __init__(self, field: str, values: Iterable[PicklistValue]) -> None:
        self.field = field
        self.values = sorted(values, key=lambda v: (v.sort_order, v.label))
        self._by_value = {v.value: v for v in self.values}
        self._by_label: dict[str, PicklistValue] = {}
        for v in self.values:
            # an active value wins over an inactive one with the same label
            key = _fold(v.label)
            if key not in self._by_label or (v.is_active and not self._by_label[key].is_active):
                self._by_label[key] = v

    @classmethod
    def from_metadata(cls, field: str, raw: Iterable[Mapping[str, Any]] | None) -> Picklist:
        """Build from Autotask's `picklistValues` list (keys matched case-insensitively)."""
        values = []
        for item in raw or ():
            lowered = {str(k).lower(): v for k, v in item.items()}
            values.append(
                PicklistValue(
                    value=str(lowered.get("value", "")),
                    label=str(lowered.get("label") or ""),
                    is_active=bool(lowered.get("isactive", True)),
                    is_system=bool(lowered.get("issystem", False)),
                    parent_value=str(lowered.get("parentvalue") or ""),
                    sort_order=int(lowered.get("sortorder") or 0),
                )
            )
        return cls(field, values)

    def label_for(self, value: Any) -> str | None:
        """The label of a value (any value, active or not); None for null or unknown values."""
        if value is None:
            return None
        found = self._by_value.get(_value_key(value))
        return found.label if found else None

    def value_for(self, label: Any, *, active_only: bool = True) -> str | None:
        """The value for a label (or for the value itself); None when nothing matches."""
        if label is None:
            return None
        text = str(label)
        found = self._by_label.get(_fold(text)) or self._by_value.get(_value_key(text))
        if found is None or (active_only and not found.is_active):
            return None
        return found.value

    def active_labels(self) -> list[str]:
        return [v.label for v in self.values if v.is_active]

    def __contains__(self, label: object) -> bool:
        return self.value_for(label) is not None

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return f"Picklist({self.field!r}, {len(self.values)} values)"


def _value_key(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
