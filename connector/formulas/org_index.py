"""Formula instances stored without the per-organization index are put in it.

The count cap on an organization's formula instances (CountCap, 1,000) counts the set
`org:{org}:formula-instances`, which a create adds to since that set was introduced. An
instance stored before then (or, during a rolling upgrade, by a host still on the code before
it) is in its template's set only, so an organization holding such instances could pass the
cap. Before each capped create, `ensure` walks the formula instance ids stored since the last
walk and adds each stored instance to its organization's set.

Why it is safe to run anywhere, at once, any number of times:
- bounded: ids come from one sequence (INCR), so a walk covers the ids after the marker (the
  last id walked) up to the sequence's value read when it starts, BATCH ids per round trip;
  after the first walk that is the ids made since the last create, usually one;
- idempotent: SADD of an id already there changes nothing;
- concurrency safe: each id is added by a script that first checks the instance is still
  stored, atomic against a delete (its document and its index entry go in one MULTI), so a
  walk that read a document before its delete never adds it back; the marker only moves on.
"""

from __future__ import annotations

import json

import redis

from connector.storage.keys import Keys
from connector.storage.scripts import script

BATCH = 500

# KEYS: pairs (a formula instance's document, its organization's index); ARGV: their ids.
# Adds each id whose document still exists. SADD is the first write, which a full Redis
# refuses (a script's first write decides whether it may grow memory).
_ADD_STORED = """
local added = 0
for i = 1, #ARGV do
  if redis.call('EXISTS', KEYS[2 * i - 1]) == 1 then
    added = added + redis.call('SADD', KEYS[2 * i], ARGV[i])
  end
end
return added
"""

# KEYS[1]: the marker; ARGV[1]: the last id a walk covered. The marker only moves on.
_ADVANCE = """
local walked = redis.call('GET', KEYS[1])
if not walked or tonumber(walked) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
"""


class OrgIndexBackfill:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.redis = client
        self.keys = keys
        self._add = script(client, _ADD_STORED)
        self._advance = script(client, _ADVANCE)

    def ensure(self) -> int:
        """Index every formula instance stored since the last walk under its organization;
        returns how many ids this call added."""
        marker = self.keys.org_formula_instances_backfilled()
        walked, last = self.redis.mget(marker, self.keys.sequence("formula-instance"))
        first, last = int(walked or 0) + 1, int(last or 0)
        added = 0
        for start in range(first, last + 1, BATCH):
            added += self._index(list(range(start, min(start + BATCH, last + 1))))
        if walked is None or last >= first:
            self._advance(keys=[marker], args=[last])
        return added

    def _index(self, ids: list[int]) -> int:
        raws = self.redis.mget([self.keys.formula_instance(i) for i in ids])
        keys: list[str] = []
        args: list[int] = []
        for instance_id, raw in zip(ids, raws, strict=True):
            org_id = _organization(raw)
            if org_id is not None:
                keys += [self.keys.formula_instance(instance_id)]
                keys += [self.keys.org_formula_instances(org_id)]
                args.append(instance_id)
        return int(self._add(keys=keys, args=args)) if args else 0


def _organization(raw: str | None) -> object | None:
    """The organization of a stored document; None when gone or unreadable."""
    if not raw:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    return doc.get("organizationId") if isinstance(doc, dict) else None
