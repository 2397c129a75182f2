"""Encryption at rest of ID numbers: what the fast paths must keep true."""

import hashlib
import hmac

from django.conf import settings
from django.test import override_settings

from chunshu_union import crypto

NUMBER = "11010519491231002X"


def test_encrypt_many_gives_ciphertexts_that_decrypt_each_with_its_own_nonce():
    sealed = list(crypto.encrypt_many([NUMBER, NUMBER, "110101199003077777"]))
    assert [crypto.decrypt(token) for token in sealed] == [
        NUMBER,
        NUMBER,
        "110101199003077777",
    ]
    assert sealed[0] != sealed[1] and all(token.startswith("v1:") for token in sealed)


def test_digest_is_hmac_sha256_with_the_configured_key():
    key = bytes.fromhex(settings.ID_NUMBER_HMAC_KEY)
    assert crypto.digest(NUMBER) == hmac.new(key, NUMBER.encode(), hashlib.sha256).hexdigest()
    assert crypto.digest(NUMBER) == crypto.digest(NUMBER)


def test_a_changed_key_is_used_at_once():
    before = crypto.digest(NUMBER)
    with override_settings(ID_NUMBER_HMAC_KEY="ab" * 32):
        changed = crypto.digest(NUMBER)
    assert changed != before
    assert changed == hmac.new(b"\xab" * 32, NUMBER.encode(), hashlib.sha256).hexdigest()
    assert crypto.digest(NUMBER) == before


def test_the_digester_gives_digest_for_each_number_and_follows_the_key():
    numbers = [NUMBER, "110101199003077777", NUMBER]
    assert [crypto.digester()(n) for n in numbers] == [crypto.digest(n) for n in numbers]
    with override_settings(ID_NUMBER_HMAC_KEY="ab" * 32):
        digest = crypto.digester()
    assert digest(NUMBER) == hmac.new(b"\xab" * 32, NUMBER.encode(), hashlib.sha256).hexdigest()
