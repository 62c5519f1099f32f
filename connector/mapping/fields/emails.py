"""`EmailListField`: `emails: [{address, type}]` over flat Autotask email fields.

See `SlotListField` for how items meet slots. Addresses are checked for an email's shape. YAML:

    - path: emails
      type: emails
      slots:
        - {vendor: emailAddress, type: primary}
        - {vendor: emailAddress2, type: secondary}
"""

from __future__ import annotations

from marshmallow import fields

from connector.mapping.fields.slotlist import SlotListField


class EmailListField(SlotListField):
    item_key = "address"
    item_format = "email"

    def item_field(self) -> fields.Field:
        return fields.Email(required=True)
