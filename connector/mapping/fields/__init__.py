"""The field types a map may use, by the name its entries give in `type`.

Adding a type: a `FieldMapper` subclass in its own module, with its `Spec`, registered here, and
a test in tests/mapping/fields/.
"""

from __future__ import annotations

from connector.mapping.fields.addresses import AddressListField
from connector.mapping.fields.base import FieldError, FieldMapper, SpecError
from connector.mapping.fields.constant import ConstantField
from connector.mapping.fields.emails import EmailListField
from connector.mapping.fields.link import LinkField
from connector.mapping.fields.phones import PhoneListField
from connector.mapping.fields.picklist import PicklistField
from connector.mapping.fields.scalar import ScalarField
from connector.mapping.fields.udfs import UdfField
from connector.mapping.values import VALUE_TYPES

FIELD_TYPES: dict[str, type[FieldMapper]] = {
    **{name: ScalarField for name in VALUE_TYPES},
    "picklist": PicklistField,
    "udfs": UdfField,
    "emails": EmailListField,
    "phones": PhoneListField,
    "addresses": AddressListField,
    "constant": ConstantField,
    "link": LinkField,
}

__all__ = ["FIELD_TYPES", "FieldError", "FieldMapper", "SpecError"]
