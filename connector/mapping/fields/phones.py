"""`PhoneListField`: `phones: [{number, type}]` over flat Autotask phone fields.

See `SlotListField` for how items meet slots. Numbers are kept as the text given. YAML:

    - path: phones
      type: phones
      slots:
        - {vendor: phone, type: work}
        - {vendor: mobilePhone, type: mobile}
"""

from __future__ import annotations

from connector.mapping.fields.slotlist import SlotListField


class PhoneListField(SlotListField):
    item_key = "number"
