"""What an instance's stored configuration may hold, and what happens to one an earlier
version stored past it.

Today a body brings at most MAX_IGNORED keys this element does not use, and the body itself is
bounded; but PATCHes add keys to what is stored, and earlier versions stored whatever came.
So a change is checked on its result: at most MAX_IGNORED ignored keys and
MAX_CONFIGURATION_BYTES of keys and values (in clear). A stored configuration already past
either bound still reads, serves hub calls, and may be disabled, enabled or deleted; a change
is refused (a 400 saying what to remove) unless it makes what is stored smaller, so nothing
past the bounds grows, and a tenant brings it under by sending keys as null.
"""

from __future__ import annotations

from typing import NamedTuple

from connector.errors import ValidationError
from connector.tenancy.instances import Instance
from connector.tenancy.schemas import MAX_IGNORED, ignored_keys
from connector.tenancy.secrets_box import SecretBox

MAX_CONFIGURATION_BYTES = 512 * 1024  # 50 ignored keys at their longest take some 220 KB


class Weight(NamedTuple):
    ignored: int  # keys this element does not use
    size: int  # bytes of keys and values, in clear

    @property
    def over(self) -> bool:
        return self.ignored > MAX_IGNORED or self.size > MAX_CONFIGURATION_BYTES

    def smaller_than(self, other: Weight) -> bool:
        return self.ignored <= other.ignored and self.size <= other.size and self != other


def weight_of(values: dict[str, str | None]) -> Weight:
    size = sum(len(key.encode()) + len((value or "").encode()) for key, value in values.items())
    return Weight(len(ignored_keys(values)), size)


def weight(instance: Instance, box: SecretBox) -> Weight:
    keys = set(instance.configuration) | set(instance.secrets)
    return weight_of({key: instance.config_value(key, box) for key in keys})


NOTHING = Weight(0, 0)


def check_new(values: dict[str, str | None]) -> None:
    """A create's configuration, before anything is sent upstream."""
    _check(NOTHING, weight_of({k: v for k, v in values.items() if v is not None}))


def check_change(before: Weight, instance: Instance, box: SecretBox) -> None:
    """Refuse a change whose result is past the bounds, unless it shrinks what is stored."""
    _check(before, weight(instance, box))


def _check(before: Weight, after: Weight) -> None:
    if after.over and not after.smaller_than(before):
        raise ValidationError(
            f"Invalid instance: its configuration would hold {after.ignored} keys this element "
            f"does not use (at most {MAX_IGNORED}) and {after.size} bytes (at most "
            f"{MAX_CONFIGURATION_BYTES}); send keys you do not need as null to remove them first"
        )
