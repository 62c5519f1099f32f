"""Tickets: the business rules of the seed's Tickets entity page (002).

- ticketNumber `TYYYYMMDD.NNNN`: a valid caller prefix (date not after today) is kept, any
  other is replaced by today's; the number after it counts up per prefix.
- Defaults: ticketType Service Request, ticketCategory the tenant default, source the default
  source (Client Portal when none is marked), dueDateTime from the category's Due Date and Due
  Time when it has both (dueDateTime is required otherwise).
- Queue or resource: the category's "Queue is Required" setting; a resource needs a role.
- status Complete stamps completedDate/completedByResourceID; leaving it clears them.
- changeApprovalStatus: the API may set only Assigned or Requested (the rest is the system's).
- problemTicketID only on Incidents, never to a ticket that is itself an incident; a Problem
  with incidents keeps its type; Change Request needs the module.
- Category RMA needs the RMA module, forces Change Request and needs a configurationItemID;
  its companyID and configurationItemID are not editable; rmaStatus defaults from the
  category. rmaStatus/rmaType sent for a ticket of another category are ignored.
- Deleting (the UI's delete; the API has none) logs the ticket in DeletedTicketLogs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.sandbox.errors import autotask_error
from connector.sandbox.rules import EntityRules
from connector.sandbox.rules.deleted_tickets import log_deleted_ticket
from connector.sandbox.validation import changed
from connector.sandbox.values import format_datetime

STATUS_COMPLETE = 5
TYPE_SERVICE_REQUEST, TYPE_INCIDENT, TYPE_PROBLEM, TYPE_CHANGE_REQUEST = 1, 2, 3, 4
CATEGORY_RMA = 3
APPROVAL_ASSIGNED, APPROVAL_REQUESTED = 2, 3  # the changeApprovalStatus values the API may set
RMA_ONLY = ("rmaStatus", "rmaType")  # editable on RMA tickets only
RMA_LOCKED = ("companyID", "configurationItemID")  # not editable on RMA tickets
SOURCE_CLIENT_PORTAL = -1
_PREFIX = re.compile(r"^T(\d{8})\.")


def _default_value(w, picklist: str) -> Any:
    for item in w.catalog.picklist(picklist):
        if item.is_default and item.is_active:
            return item.value
    return None


class TicketRules(EntityRules):
    parent_company_allowed = frozenset({"contactID"})

    def prepare_create(self, w, record: dict[str, Any]) -> None:
        if record.get("ticketType") is None:
            record["ticketType"] = TYPE_SERVICE_REQUEST
        if record.get("ticketCategory") is None:
            record["ticketCategory"] = _default_value(w, "ticketCategory")
        if record.get("source") is None:
            record["source"] = _default_value(w, "ticketSource") or SOURCE_CLIENT_PORTAL
        record["ticketNumber"] = self._ticket_number(w, record.get("ticketNumber"))
        record["creatorType"] = 1
        self._common(w, record, None)

    def before_delete(self, w, previous: dict[str, Any]) -> None:
        log_deleted_ticket(w, previous)  # only the UI deletes tickets (the admin endpoint)

    def prepare_update(self, w, record: dict[str, Any], previous: dict[str, Any]) -> None:
        record["ticketNumber"] = previous["ticketNumber"]  # the number never changes
        if record.get("ticketType") is None:
            record["ticketType"] = previous.get("ticketType") or TYPE_SERVICE_REQUEST
        self._common(w, record, previous)

    def _common(self, w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        self._rma(w, record, previous)
        self._due_date(w, record)
        if "changeApprovalType" not in w.provided:
            if record["ticketType"] == TYPE_CHANGE_REQUEST:
                if record.get("changeApprovalType") is None:
                    record["changeApprovalType"] = _default_value(w, "changeApprovalType")
            else:
                record["changeApprovalType"] = None
        was_complete = previous is not None and previous.get("status") == STATUS_COMPLETE
        if record.get("status") == STATUS_COMPLETE and not was_complete:
            record["completedDate"] = w.now
            record["completedByResourceID"] = w.actor_id
        elif record.get("status") != STATUS_COMPLETE and was_complete:
            record["completedDate"] = None
            record["completedByResourceID"] = None
        record["lastActivityResourceID"] = w.actor_id
        record["lastActivityPersonType"] = 1

    @staticmethod
    def _rma(w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        if record.get("ticketCategory") != CATEGORY_RMA:
            for name in RMA_ONLY:  # "the supplied value being ignored"
                record[name] = previous.get(name) if previous is not None else None
            return
        if not w.settings.get("rma_enabled"):
            raise autotask_error("The RMA module is not active: the ticket category cannot be RMA.")
        record["ticketType"] = TYPE_CHANGE_REQUEST  # "regardless of the value that is supplied"
        if previous is None and record.get("rmaStatus") is None:
            category = w.catalog.ticket_categories.get(CATEGORY_RMA)
            record["rmaStatus"] = category.rma_status if category else None
        if previous is not None and previous.get("ticketCategory") == CATEGORY_RMA:
            for name in RMA_LOCKED:
                if changed(record, previous, name):
                    raise autotask_error(
                        f"The field {name} is not editable when the ticket category is RMA."
                    )
        if record.get("configurationItemID") is None:
            raise autotask_error(
                "If the ticket category = 'RMA', the configurationItemID is required."
            )

    @staticmethod
    def _due_date(w, record: dict[str, Any]) -> None:
        """Default dueDateTime from a category with both Due Date and Due Time; otherwise
        it stays missing and the required-field check refuses the ticket."""
        if record.get("dueDateTime") is not None:
            return
        category = w.catalog.ticket_categories.get(record.get("ticketCategory"))
        if category is None or not category.has_due_date_and_time:
            return
        hour, minute = (int(part) for part in category.due_time.split(":"))
        today = datetime.fromisoformat(w.now[:10])
        due = today + timedelta(days=category.due_days, hours=hour, minutes=minute)
        record["dueDateTime"] = format_datetime(due)

    def _ticket_number(self, w, requested: str | None) -> str:
        today = w.now[:10].replace("-", "")
        prefix = f"T{today}."
        match = _PREFIX.match(requested or "")
        if match:
            try:
                day = datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC)
                if day.strftime("%Y%m%d") <= today:
                    prefix = f"T{match.group(1)}."
            except ValueError:
                pass  # an invalid date: Autotask generates its own prefix
        row = w.conn.execute(
            "SELECT last FROM _ticket_numbers WHERE prefix = ?", (prefix,)
        ).fetchone()
        if row is None:  # the first number of a prefix follows any seeded ticket using it
            top = w.conn.execute(
                'SELECT MAX("ticketNumber") FROM "Tickets" WHERE "ticketNumber" LIKE ?',
                (prefix + "%",),
            ).fetchone()[0]
            last = int(top.rsplit(".", 1)[1]) if top else 0
        else:
            last = row[0]
        w.conn.execute(
            "INSERT OR REPLACE INTO _ticket_numbers (prefix, last) VALUES (?, ?)",
            (prefix, last + 1),
        )
        return f"{prefix}{last + 1:04d}"

    def validate(self, w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        self._queue_or_resource(w, record)
        self._change_approval_status(record, previous)
        self._problem_rules(w, record, previous)
        if (
            previous is None
            and record["ticketType"] == TYPE_CHANGE_REQUEST
            and not w.settings.get("change_management_enabled", True)
        ):
            raise autotask_error(
                "The Change Management module must be enabled to create a Change Request ticket."
            )

    @staticmethod
    def _queue_or_resource(w, record: dict[str, Any]) -> None:
        resource, role = record.get("assignedResourceID"), record.get("assignedResourceRoleID")
        if (resource is None) != (role is None):
            raise autotask_error(
                "When assigning a Resource, you must assign both a assignedResourceID and "
                "assignedResourceRoleID."
            )
        if resource is not None:
            found = w.conn.execute(
                "SELECT 1 FROM _resource_roles WHERE resource_id = ? AND role_id = ?",
                (resource, role),
            ).fetchone()
            if found is None:
                raise autotask_error(
                    f"The Resource {resource} is not assigned the Role {role}: a ticket's "
                    "Resource + Role combination must be one of the resource's roles."
                )
        category = w.catalog.ticket_categories.get(record.get("ticketCategory"))
        setting = category.queue_required if category else "RequiredWhenPrimaryResourceIdBlank"
        queue = record.get("queueID")
        if setting == "Always" and queue is None:
            raise autotask_error("The ticket category requires a queueID.")
        if setting == "RequiredWhenPrimaryResourceIdBlank" and queue is None and resource is None:
            raise autotask_error(
                "A ticket must have a queueID or an assignedResourceID (with its "
                "assignedResourceRoleID)."
            )

    @staticmethod
    def _change_approval_status(record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        """Only Assigned and Requested may be set (each may become the other); Not Assigned,
        Partially Approved, Approved and Rejected are the system's to set."""
        value = record.get("changeApprovalStatus")
        if value is None or not changed(record, previous, "changeApprovalStatus"):
            return
        if value not in (APPROVAL_ASSIGNED, APPROVAL_REQUESTED):
            raise autotask_error(
                "changeApprovalStatus can only be set to Requested or Assigned. All other "
                "statuses, Not Assigned, Partially Approved, Approved, or Rejected can only be "
                "set by the system."
            )

    @staticmethod
    def _problem_rules(w, record: dict[str, Any], previous: dict[str, Any] | None) -> None:
        ticket_type = record["ticketType"]
        problem_id = record.get("problemTicketID")
        if problem_id is not None:
            if ticket_type == TYPE_SERVICE_REQUEST:
                raise autotask_error(
                    "Service Request tickets cannot be associated with a problem ticket."
                )
            if ticket_type == TYPE_PROBLEM:
                raise autotask_error(
                    "A Problem ticket cannot be associated with another problem ticket."
                )
            if ticket_type == TYPE_CHANGE_REQUEST:
                raise autotask_error(
                    "Change Request tickets cannot be associated with a problem ticket."
                )
            if ticket_type != TYPE_INCIDENT:
                raise autotask_error(
                    "The ticketType must be Incident before the ticket can be associated "
                    "with a problemTicketID."
                )
            if previous is not None and problem_id == previous["id"]:
                raise autotask_error("A ticket cannot be its own problem ticket.")
            target = w.conn.execute(
                'SELECT "problemTicketID" FROM "Tickets" WHERE id = ?', (problem_id,)
            ).fetchone()
            if target is not None and target[0] is not None:
                raise autotask_error(
                    f"Ticket {problem_id} is an incident of another problem ticket and "
                    "cannot be a problem ticket."
                )
        if (
            previous is not None
            and previous.get("ticketType") == TYPE_PROBLEM
            and ticket_type in (TYPE_INCIDENT, TYPE_SERVICE_REQUEST)
        ):
            incidents = w.conn.execute(
                'SELECT COUNT(*) FROM "Tickets" WHERE "problemTicketID" = ?', (previous["id"],)
            ).fetchone()[0]
            if incidents:
                raise autotask_error(
                    "This Problem ticket has associated incidents: disassociate them before "
                    "changing its ticketType."
                )
