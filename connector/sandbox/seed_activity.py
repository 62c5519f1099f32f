"""Row builders for service and activity records: tickets, ticket notes, company notes and
to-dos (a mixin of `seed_rows.RowBuilder`, which holds the parents they pick from)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from connector.sandbox.values import format_datetime

_TICKET_STATUSES = [(1, 20), (8, 25), (5, 35), (7, 8), (10, 4), (12, 3), (17, 5)]
_QUEUES = [29683482, 29683482, 29683483, 29683484, 5, 8]
_SUB_ISSUES = {1: [1, 2, 3], 2: [4, 5, 6], 3: [7, 8, 9], 4: [10, 11, 12]}


class ActivityRows:
    """Expects the RowBuilder attributes: rng, when, _ids, _company, words, staff_ids, ..."""

    def tickets(self, count: int) -> list[dict[str, Any]]:
        rng, w = self.rng("Tickets"), self.words
        rows = []
        numbers: dict[str, int] = {}
        problems: list[int] = []
        for ticket_id in self._ids("Tickets", count):
            company = self._company(rng)
            days = rng.uniform(0, company["days"])
            created = self.anchor - timedelta(days=days)
            prefix = created.strftime("T%Y%m%d.")
            numbers[prefix] = numbers.get(prefix, 0) + 1
            status = rng.choices(*zip(*_TICKET_STATUSES, strict=True))[0]
            contacts = self.contacts_of.get(company["id"])
            ticket_type = rng.choices([1, 2, 3, 5], [70, 20, 4, 6])[0]
            issue = rng.choice([None, 1, 2, 3, 4])
            row = {
                "id": ticket_id,
                "companyID": company["id"],
                "contactID": rng.choice(contacts) if contacts and rng.random() < 0.85 else None,
                "title": rng.choice(w["ticket_titles"]),
                "description": rng.choice(w["ticket_descriptions"]),
                "status": status,
                "priority": rng.choices([1, 2, 3, 4], [20, 50, 25, 5])[0],
                "queueID": rng.choice(_QUEUES),
                "ticketType": ticket_type,
                "ticketCategory": 1,
                "source": rng.choice([-1, 2, 3, 4, 6]),
                "issueType": issue,
                "subIssueType": rng.choice(_SUB_ISSUES[issue]) if issue else None,
                "ticketNumber": f"{prefix}{numbers[prefix]:04d}",
                "createDate": format_datetime(created),
                "dueDateTime": format_datetime(created + timedelta(hours=48)),
                "creatorResourceID": rng.choice(self.staff_ids),
                "creatorType": 1,
                "lastActivityDate": self.when(rng.uniform(0, days)),
                "lastTrackedModificationDateTime": self.when(rng.uniform(0, days)),
                "estimatedHours": float(rng.choice([0.5, 1, 2, 4])),
                "isVisibleToComanaged": 0,
                "isAssignedToComanaged": 0,
                "_udf": {"Impact": rng.choice([None, "1", "2", "3"]), "ExternalTicketRef": None},
            }
            if rng.random() < 0.6:
                resource = rng.choice(self.staff_ids)
                row["assignedResourceID"] = resource
                row["assignedResourceRoleID"] = self.roles_of[resource][0]
            if status == 5:
                row["completedDate"] = self.when(rng.uniform(0, days))
                row["completedByResourceID"] = row.get("assignedResourceID") or rng.choice(
                    self.staff_ids
                )
            if ticket_type == 3:
                problems.append(ticket_id)
            elif ticket_type == 2 and problems and rng.random() < 0.3:
                row["problemTicketID"] = rng.choice(problems)
            rows.append(row)
            self.ticket_pool.append({"id": ticket_id, "days": days})
        return rows

    def ticket_notes(self, count: int) -> list[dict[str, Any]]:
        rng, w = self.rng("TicketNotes"), self.words
        rows = []
        for note_id in self._ids("TicketNotes", count if self.ticket_pool else 0):
            ticket = rng.choice(self.ticket_pool)
            days = rng.uniform(0, ticket["days"])
            rows.append(
                {
                    "id": note_id,
                    "ticketID": ticket["id"],
                    "title": rng.choice(w["note_titles"]),
                    "description": rng.choice(w["note_texts"]),
                    "noteType": rng.choice([1, 2, 3]),
                    "publish": rng.choice([1, 1, 2]),
                    "createDateTime": self.when(days),
                    "lastActivityDate": self.when(days),
                    "creatorResourceID": rng.choice(self.staff_ids),
                    "isVisibleToComanaged": 0,
                }
            )
        return rows

    def _activity(self, rng, days: float) -> tuple[str, str]:
        start = self.anchor - timedelta(days=days)
        end = start + timedelta(minutes=rng.choice([15, 30, 60]))
        return format_datetime(start), format_datetime(end)

    def company_notes(self, count: int) -> list[dict[str, Any]]:
        rng, w = self.rng("CompanyNotes"), self.words
        rows = []
        for note_id in self._ids("CompanyNotes", count):
            company = self._company(rng)
            days = rng.uniform(0, company["days"])
            start, end = self._activity(rng, days)
            contacts = self.contacts_of.get(company["id"])
            opportunities = self.opportunities_of.get(company["id"])
            rows.append(
                {
                    "id": note_id,
                    "companyID": company["id"],
                    "actionType": rng.choice([0, 1, 2, 3, 4, 5, 6]),
                    "assignedResourceID": rng.choice(self.staff_ids),
                    "startDateTime": start,
                    "endDateTime": end,
                    "name": rng.choice(w["activity_texts"]),
                    "note": rng.choice(w["note_texts"]),
                    "contactID": rng.choice(contacts) if contacts and rng.random() < 0.6 else None,
                    "opportunityID": rng.choice(opportunities)
                    if opportunities and rng.random() < 0.3
                    else None,
                    "completedDateTime": end if rng.random() < 0.7 else None,
                    "createDateTime": start,
                    "lastModifiedDate": self.when(rng.uniform(0, days)),
                }
            )
        return rows

    def company_todos(self, count: int) -> list[dict[str, Any]]:
        rng, w = self.rng("CompanyToDos"), self.words
        rows = []
        for todo_id in self._ids("CompanyToDos", count):
            company = self._company(rng)
            days = rng.uniform(-30, company["days"])  # some to-dos lie in the future
            start, end = self._activity(rng, days)
            contacts = self.contacts_of.get(company["id"])
            rows.append(
                {
                    "id": todo_id,
                    "companyID": company["id"],
                    "assignedToResourceID": rng.choice(self.staff_ids),
                    "actionType": rng.choice([1, 2, 3, 4, 6]),
                    "activityDescription": rng.choice(w["activity_texts"]),
                    "startDateTime": start,
                    "endDateTime": end,
                    "contactID": rng.choice(contacts) if contacts and rng.random() < 0.5 else None,
                    "completedDate": end if days > 0 and rng.random() < 0.6 else None,
                    "creatorResourceID": rng.choice(self.staff_ids),
                    "createDateTime": self.when(max(days, 0) + 2),
                    "lastModifiedDate": self.when(max(days, 0)),
                }
            )
        return rows
