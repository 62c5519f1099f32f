"""Tenancy and identity: accounts, callers, secrets, instances, provisioning, Autotask clients."""
