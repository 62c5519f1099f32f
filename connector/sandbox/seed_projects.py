"""Row builders for projects, their tasks and client portal users (a mixin of
`seed_rows.RowBuilder`, which holds the companies and contacts they pick from).

Deterministic and cheap: projects go to every tenth company, tasks to projects three by
three, portal users to an active contact of every fifth company; seeded users get no
password (a PBKDF2 hash per row would slow the seed for nothing).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from connector.sandbox.values import format_datetime

_PROJECT_STATUSES = [1, 2, 2, 2, 3, 5]
_TASK_STATUSES = [1, 1, 8, 8, 7, 5]


class ProjectRows:
    """Expects the RowBuilder attributes: rng, anchor, _ids, company_pool, contacts_of, ..."""

    project_ids: list[int]

    def _every(self, step: int, n: int) -> dict[str, Any]:
        """The n-th of every `step`-th company (wrapping), skipping the tenant's own."""
        pool = self.company_pool[1:] or self.company_pool
        spot = n * step
        return pool[(spot + spot // len(pool)) % len(pool)]  # past the end: one further on

    def projects(self, count: int) -> list[dict[str, Any]]:
        rng, names = self.rng("Projects"), self.words["project_names"]
        rows, self.project_ids = [], []
        for n, project_id in enumerate(self._ids("Projects", count)):
            company = self._every(10, n)
            created = self.anchor - timedelta(days=rng.uniform(30, min(company["days"], 600)))
            start = created + timedelta(days=rng.randint(1, 14))
            rows.append(
                {
                    "id": project_id,
                    "companyID": company["id"],
                    "projectName": rng.choice(names),
                    "status": rng.choice(_PROJECT_STATUSES),
                    "projectType": 5,
                    "startDateTime": format_datetime(start),
                    "endDateTime": format_datetime(start + timedelta(days=rng.randint(14, 120))),
                    "createDateTime": format_datetime(created),
                    "lastActivityDateTime": self.when(rng.uniform(0, 30)),
                }
            )
            self.project_ids.append(project_id)
        return rows

    def tasks(self, count: int) -> list[dict[str, Any]]:
        if not self.project_ids:
            return []
        rng, titles = self.rng("Tasks"), self.words["task_titles"]
        rows = []
        for n, task_id in enumerate(self._ids("Tasks", count)):
            start = self.anchor - timedelta(days=rng.uniform(5, 200))
            rows.append(
                {
                    "id": task_id,
                    "projectID": self.project_ids[(n // 3) % len(self.project_ids)],
                    "title": rng.choice(titles),
                    "status": rng.choice(_TASK_STATUSES),
                    "taskType": rng.choice([1, 1, 2]),
                    "assignedResourceID": rng.choice(self.staff_ids),
                    "estimatedHours": float(rng.choice([1, 2, 4, 8, 16])),
                    "startDateTime": format_datetime(start),
                    "endDateTime": format_datetime(start + timedelta(days=rng.randint(1, 10))),
                    "createDateTime": format_datetime(start - timedelta(days=2)),
                    "lastActivityDateTime": self.when(rng.uniform(0, 5)),
                }
            )
        return rows

    def client_portal_users(self, count: int) -> list[dict[str, Any]]:
        rng, rows, used = self.rng("ClientPortalUsers"), [], set()
        free = [c for ids in self.contacts_of.values() for c in ids]
        for n, user_id in enumerate(self._ids("ClientPortalUsers", count)):
            wanted = [c for c in self.contacts_of.get(self._every(5, n)["id"], []) if c not in used]
            contact_id = wanted[0] if wanted else next((c for c in free if c not in used), None)
            if contact_id is None:
                break  # every active contact has a login already
            used.add(contact_id)
            rows.append(
                {
                    "id": user_id,
                    "contactID": contact_id,
                    "userName": f"portal{contact_id}@sandbox.local",
                    "securityLevel": rng.choice([5, 5, 5, 1]),
                    "dateFormat": 1,
                    "timeFormat": 19,
                    "numberFormat": 22,
                    "isClientPortalActive": int(rng.random() < 0.8),
                    "password": None,
                }
            )
        return rows
