"""Encryption at rest for Autotask credentials (cryptography's Fernet), and secret hashing.

The key comes from `CONNECTOR_SECRET_KEY` (several keys, comma-separated, allow rotation: the
first encrypts, all decrypt). On the embedded defaults a key is generated once and kept in the
data folder with mode 0600. Tokens and account secrets are stored only as SHA-256 hashes: they
are long random strings, so a fast hash is enough and makes look-ups direct.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from connector.errors import ConfigurationError

KEY_FILE = "secret.key"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def ensure_key_file(data_dir: str) -> str:
    """The data folder's key, generated (mode 0600) on first use, and narrowed to 0600 if an
    older copy was readable by others; for the embedded defaults."""
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    elif path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path.read_text().strip()


def load_key(secret_key: str | None, data_dir: str) -> str:
    """`CONNECTOR_SECRET_KEY`, else a key file already in the data folder, else an error."""
    if secret_key:
        return secret_key
    path = Path(data_dir) / KEY_FILE
    if path.exists():
        return path.read_text().strip()
    raise ConfigurationError(
        'CONNECTOR_SECRET_KEY is not set: generate one with `python -c "from cryptography.'
        'fernet import Fernet; print(Fernet.generate_key().decode())"` and give every worker '
        "the same value"
    )


class SecretBox:
    """Encrypts and decrypts short strings; never logs or repeats what it holds."""

    def __init__(self, keys: str) -> None:
        try:
            self._fernet = MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()])
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                "CONNECTOR_SECRET_KEY is not a valid Fernet key (32 url-safe base64 bytes)"
            ) from exc

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise ConfigurationError(
                "stored credentials cannot be decrypted: CONNECTOR_SECRET_KEY differs from the "
                "key they were saved with (list the old key after the new one to rotate)"
            ) from None

    def __repr__(self) -> str:
        return "SecretBox(****)"
