"""Storage plumbing: Redis connection, key builder, embedded Redis, local copies, processes."""
