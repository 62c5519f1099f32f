"""Formula instances stored before the per-organization index existed are put in it, once.

The count cap on an organization's formula instances (CountCap, 1,000) counts the set
`org:{org}:formula-instances`, which a create adds to since that set was introduced. An
instance stored before then is in its template's set only, so an organization holding old
instances could pass the cap. Before the first capped create of each process, `ensure` walks
the formula instance ids once and adds each stored instance to its organization's set.

Why it is safe to run anywhere, at once, any number of times:
- bounded: ids come from one sequence (INCR), so the walk covers 1..the sequence's value read
  when it starts, BATCH ids per round trip (an id created later indexes itself);
- idempotent: SADD of an id already there changes nothing;
- concurrency safe: each id is added by a script that first checks the instance is still
  stored, atomic against a delete (its document and its index entry go in one MULTI), so a
  walk that read a document before its delete never adds it back;
- once: a marker key set when a walk ends lets later processes skip it with one GET.
"""

from __future__ import annotations

import json

import redis

from connector.storage.keys import Keys

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


class OrgIndexBackfill:
    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.redis = client
        self.keys = keys
        self._add = client.register_script(_ADD_STORED)
        self._done = False  # this process saw the marker (or set it)

    def ensure(self) -> int:
        """Index every stored formula instance under its organization, unless done; returns
        how many ids were added by this call."""
        if self._done:
            return 0
        marker = self.keys.org_formula_instances_backfilled()
        if self.redis.exists(marker):
            self._done = True
            return 0
        last = int(self.redis.get(self.keys.sequence("formula-instance")) or 0)
        added = 0
        for start in range(1, last + 1, BATCH):
            added += self._index(list(range(start, min(start + BATCH, last + 1))))
        self.redis.set(marker, last)
        self._done = True
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
