"""Webhook signing secrets, encrypted at rest.

The dispatcher needs the secret itself to sign (an HMAC key cannot be stored hashed), so it is
stored encrypted with Fernet (AES-128-CBC and HMAC-SHA256), under a key derived from
``SECRET_KEY`` by HKDF-SHA256 with a purpose of its own: a copy of the database alone yields no
secret, and rotating ``SECRET_KEY`` makes the stored secrets unreadable (the endpoints must then be
registered again)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PURPOSE = b"pix-orga webhook signing secrets v1"


class FernetSecretCipher:
    """Implements ``domain.webhooks.ports.SecretCipher``."""

    def __init__(self, secret_key: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(
            secret_key.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def encrypt(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        return self._fernet.decrypt(bytes(token)).decode("utf-8")
