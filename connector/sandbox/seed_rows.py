"""Row builders of the seed generator: realistic records, as stored values, per entity.

Each entity draws from its own random stream seeded from (seed, entity name). Later entities
pick parents among the records built before them (contacts of the ticket's company, ...), so
the references and the company consistency rules always hold.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import Any

from connector.sandbox.catalog import Catalog
from connector.sandbox.seed_activity import ActivityRows
from connector.sandbox.seed_projects import ProjectRows
from connector.sandbox.values import format_datetime

_COMPANY_TYPES = [(1, 60), (3, 14), (2, 10), (7, 6), (8, 5), (4, 3), (6, 2)]
_OPP_STATUSES = [(1, 55), (3, 20), (2, 15), (4, 10)]


def _weighted(rng: random.Random, pairs: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower().encode("ascii", "ignore").decode())


class RowBuilder(ActivityRows, ProjectRows):
    def __init__(self, catalog: Catalog, plan: dict, words: dict, anchor: datetime, seed: int):
        self.catalog = catalog
        self.plan = plan
        self.words = words
        self.anchor = anchor
        self.seed = seed
        self.history = int(plan.get("history_days", 720))
        self.resource_ids: list[int] = []
        self.staff_ids: list[int] = []  # active, not the API user: owners and assignees
        self.roles_of: dict[int, list[int]] = {}
        self.resource_roles: list[tuple[int, int]] = []
        self.company_pool: list[dict[str, Any]] = []
        self.contacts_of: dict[int, list[int]] = {}
        self.opportunities_of: dict[int, list[int]] = {}
        self.ticket_pool: list[dict[str, Any]] = []

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def when(self, days_back: float) -> str:
        return format_datetime(self.anchor - timedelta(days=days_back))

    def _ids(self, entity: str, count: int) -> range:
        start = self.catalog.entity(entity).id_start
        return range(start, start + count)

    # -- resources ---------------------------------------------------------------------------
    def resources(self) -> list[dict[str, Any]]:
        rng = self.rng("Resources")
        rows = []
        specs = self.plan["resources"]
        for rid, spec in zip(self._ids("Resources", len(specs)), specs, strict=True):
            first, last = spec["firstName"], spec["lastName"]
            user_name = spec.get("userName") or f"{_slug(first)}.{_slug(last)}"[:32]
            active = spec.get("isActive", True)
            rows.append(
                {
                    "id": rid,
                    "firstName": first,
                    "lastName": last,
                    "userName": user_name,
                    "email": spec.get("email") or f"{_slug(first)}.{_slug(last)}@sandbox.local",
                    "emailTypeCode": "PRIMARY",
                    "title": spec.get("title"),
                    "isActive": int(active),
                    "resourceType": spec.get("resourceType", "Employee"),
                    "licenseType": spec.get("licenseType", 1),
                    "userType": spec.get("userType", 1),
                    "locationID": 29682833,
                    "payrollType": 1,
                    "numberFormat": "X,XXX.XX",
                    "dateFormat": "MM/dd/yyyy",
                    "timeFormat": "h:mm a",
                    "hireDate": self.when(self.history + rng.randint(30, 2000))[:10]
                    + "T00:00:00.000Z",
                    "initials": (first[:1] + last[:1]).upper(),
                    "officePhone": f"+1 555-010-{rng.randint(1000, 9999)}",
                    "defaultServiceDeskRoleID": spec["roles"][0],
                    "internalCost": float(rng.randint(35, 90)),
                }
            )
            self.resource_ids.append(rid)
            self.roles_of[rid] = list(spec["roles"])
            self.resource_roles += [(rid, role) for role in spec["roles"]]
            if active and not spec.get("userName"):
                self.staff_ids.append(rid)
        return rows

    # -- companies ---------------------------------------------------------------------------
    def companies(self, count: int) -> list[dict[str, Any]]:
        rng, w = self.rng("Companies"), self.words
        tenant = dict(self.plan["tenant_company"])
        root = {
            **tenant,
            "id": 0,
            "isActive": 1,
            "countryID": 237,
            "ownerResourceID": self.staff_ids[0],
            "createDate": self.when(self.history + 400),
            "lastActivityDate": self.when(1),
            "companyCategoryID": 1,
            "currencyID": 1,
            "billToAddressToUse": 1,
            "isTaxExempt": 0,
            "isEnabledForComanaged": 0,
            "isClientPortalActive": 0,
            "isTaskFireActive": 0,
        }
        rows = [root]
        self.company_pool.append({"id": 0, "days": self.history + 400, "city": None})
        used: set[str] = set()
        for cid in self._ids("Companies", count):
            name = " ".join(
                p
                for p in (
                    rng.choice(w["company_first"]),
                    rng.choice(w["company_second"]),
                    rng.choice(w["company_suffix"]),
                )
                if p
            )
            base, n = name, 2
            while name.lower() in used:
                name, n = f"{base} {n}", n + 1
            used.add(name.lower())
            city, state, zip3 = rng.choice(w["cities"])
            days = rng.uniform(30, self.history)
            domain = f"{_slug(base.rsplit(' ', 1)[0])}.{rng.choice(w['tlds'])}"
            active = rng.random() > 0.05
            row = {
                "id": cid,
                "companyName": name,
                "companyType": _weighted(rng, _COMPANY_TYPES),
                "ownerResourceID": rng.choice(self.staff_ids),
                "phone": f"+1 555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                "address1": f"{rng.randint(1, 9999)} {rng.choice(w['street_names'])} "
                f"{rng.choice(w['street_kinds'])}",
                "city": city,
                "state": state,
                "postalCode": f"{zip3}{rng.randint(10, 99)}",
                "countryID": 237,
                "webAddress": f"https://www.{domain}",
                "isActive": int(active),
                "classification": rng.choice([None, 1, 2, 3, 4]),
                "marketSegmentID": rng.choice([None, 1, 2, 3, 4, 5, 6]),
                "territoryID": rng.choice([1, 2, 3, 4]),
                "companyCategoryID": 1,
                "currencyID": 1,
                "billToAddressToUse": 1,
                "isTaxExempt": 0,
                "isEnabledForComanaged": 0,
                "isClientPortalActive": int(rng.random() < 0.3),
                "isTaskFireActive": 0,
                "createdByResourceID": rng.choice(self.staff_ids),
                "createDate": self.when(days),
                "lastActivityDate": self.when(rng.uniform(0, days)),
                "lastTrackedModifiedDateTime": self.when(rng.uniform(0, days)),
                "_udf": {
                    "CustomerRanking": rng.choice([None, "Golden", "Silver", "Bronze"]),
                    "Support Tier": rng.choice([None, "1", "2", "3"]),
                    "IntegrationReference": f"ERP-{cid}" if rng.random() < 0.2 else None,
                },
            }
            if len(self.company_pool) > 5 and rng.random() < 0.05:
                row["parentCompanyID"] = self._company(rng)["id"]
            rows.append(row)
            self.company_pool.append(
                {"id": cid, "days": days, "city": (city, state, zip3), "domain": domain}
            )
        return rows

    def _company(self, rng: random.Random) -> dict[str, Any]:
        """A random company other than the tenant's own (unless it is the only one)."""
        pool = self.company_pool
        return pool[rng.randrange(1, len(pool))] if len(pool) > 1 else pool[0]

    # -- contacts ----------------------------------------------------------------------------
    def contacts(self, count: int) -> list[dict[str, Any]]:
        rng, w = self.rng("Contacts"), self.words
        rows = []
        for contact_id in self._ids("Contacts", count):
            company = self._company(rng)
            first, last = rng.choice(w["first_names"]), rng.choice(w["last_names"])
            days = rng.uniform(0, company["days"])
            city = company.get("city") or ("Raleigh", "NC", "276")
            domain = company.get("domain", "sandbox.local")
            modified = rng.uniform(0, days)
            siblings = self.contacts_of.setdefault(company["id"], [])
            rows.append(
                {
                    "id": contact_id,
                    "companyID": company["id"],
                    "firstName": first,
                    "lastName": last,
                    "isActive": int(rng.random() > 0.08),
                    "emailAddress": f"{_slug(first)}.{_slug(last)}@{domain}",
                    "phone": f"+1 555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                    "mobilePhone": f"+1 555-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}"
                    if rng.random() < 0.6
                    else None,
                    "title": rng.choice(w["job_titles"]),
                    "city": city[0],
                    "state": city[1],
                    "zipCode": f"{city[2]}{rng.randint(10, 99)}",
                    "countryID": 237,
                    "primaryContact": int(not siblings),
                    "receivesEmailNotifications": 1,
                    "isOptedOutFromBulkEmail": int(rng.random() < 0.1),
                    "solicitationOptOut": 0,
                    "surveyOptOut": 0,
                    "namePrefix": rng.choice([None, None, 1, 2, 3, 4]),
                    "createDate": self.when(days),
                    "lastModifiedDate": self.when(modified),
                    "lastActivityDate": self.when(rng.uniform(0, modified)),
                    "_udf": {
                        "Preferred Language": rng.choice([None, None, "1", "2", "3", "4"]),
                        "ExternalContactID": f"CRM-{contact_id}" if rng.random() < 0.25 else None,
                    },
                }
            )
            if rows[-1]["isActive"]:  # later records reference active contacts only
                siblings.append(contact_id)
        return rows

    # -- opportunities -----------------------------------------------------------------------
    def opportunities(self, count: int) -> list[dict[str, Any]]:
        rng, w = self.rng("Opportunities"), self.words
        rows = []
        for opp_id in self._ids("Opportunities", count):
            company = self._company(rng)
            status = _weighted(rng, _OPP_STATUSES)
            stage = {3: 5, 4: 5, 2: 6}.get(status) or rng.randint(1, 4)
            days = rng.uniform(0, company["days"])
            amount = float(rng.randrange(1000, 150000, 250))
            contacts = self.contacts_of.get(company["id"])
            row = {
                "id": opp_id,
                "companyID": company["id"],
                "contactID": rng.choice(contacts) if contacts and rng.random() < 0.8 else None,
                "title": rng.choice(w["opportunity_titles"]),
                "ownerResourceID": rng.choice(self.staff_ids),
                "status": status,
                "stage": stage,
                "probability": {3: 100, 4: 100, 2: 0}.get(status) or rng.choice([10, 25, 50, 75]),
                "amount": amount,
                "cost": round(amount * rng.uniform(0.4, 0.8), 2),
                "projectedCloseDate": self.when(days - rng.uniform(15, 120)),
                "startDate": self.when(days),
                "useQuoteTotals": 0,
                "rating": rng.choice([None, 1, 2, 3]),
                "leadSource": rng.choice([None, 1, 2, 3, 4, 5]),
                "opportunityCategoryID": 1,
                "createDate": self.when(days),
                "creatorResourceID": rng.choice(self.staff_ids),
                "lastActivity": self.when(rng.uniform(0, days)),
                "_udf": {"Deal Type": rng.choice([None, "1", "2", "3"]), "CompetitorNotes": None},
            }
            closed = self.when(rng.uniform(0, days))
            if status in (3, 4):
                row["closedDate"] = closed
            elif status == 2:
                row["lostDate"] = closed
                row["lossReason"] = rng.choice([1, 2, 3])
            rows.append(row)
            self.opportunities_of.setdefault(company["id"], []).append(opp_id)
        return rows
