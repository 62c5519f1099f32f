"""Bulk jobs: whole-resource downloads and uploads run by the RQ workers.

service.py   the rules: start (a query or a file checked up front), status, result, cancel
query.py     `select <fields|*> from <resource> [where ...] [order by ...]`
download.py  the download job: id-cursor pages, one Autotask query per 500 rows
sorting.py   an order other than id: staged, sorted by key, emitted
upload.py    the upload job: rows through the maps and the write path, each reported
lookup.py    the upsert's batch look-ups (one `in` query per 500 identifiers)
store.py     jobs, chunks, errors and checkpoints in Redis, with a TTL
codec.py     gzip NDJSON chunks, CSV with dotted headers
runtime.py   what a job runs with; its lease and its status moves
"""
