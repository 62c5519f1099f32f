"""Events: Autotask changes pushed to an instance's callback (issue #13).

Sources (webhook intake, pollers, deletion feeds, the reconcile sweep) find that a record
changed and hand `changes.Change` values to the pipeline, which reads records back in batches,
renders normalized events, appends them to the event log and delivers them, signed.
"""
