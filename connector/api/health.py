"""GET /health: is Redis answering, and which versions run."""

from __future__ import annotations

import platform

from flask import Blueprint, jsonify

from connector import __version__
from connector.storage.redis_conn import get_keys, get_redis, round_trip

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    redis_info = round_trip(get_redis(), get_keys())  # raises StorageUnavailableError -> 503
    return jsonify(
        {
            "status": "ok",
            "version": __version__,
            "python": platform.python_version(),
            "redis": redis_info,
        }
    )
