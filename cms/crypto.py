"""Encryption at rest for secrets applicants submit (platform keys, ID numbers).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). The key comes from
PORTAL_FIELD_KEYS (comma-separated Fernet keys, newest first, so keys can be rotated);
outside production it is derived from SECRET_KEY so a fresh clone works. Plaintext is
never logged, indexed or shown back in full: templates and the API use `mask()`.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "gAAAAA"  # base64 of a Fernet token's version byte 0x80 and timestamp


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in getattr(settings, "PORTAL_FIELD_KEYS", []) if k.strip()]
    if not keys:
        if getattr(settings, "PORTAL_REQUIRE_FIELD_KEYS", False):
            raise ImproperlyConfigured("PORTAL_FIELD_KEYS must be set in production.")
        digest = hashlib.sha256(("field-encryption:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be decrypted with the configured PORTAL_FIELD_KEYS."
        ) from exc


MASK_SHORT = 16  # secrets shorter than this show nothing at all


def mask(value: str, keep: int = 2) -> str:
    """'ab********yz': enough to recognise a long value, never enough to use it.

    A secret under 16 characters shows nothing (8 stars, its length hidden too); a
    longer one shows at most `keep` characters at each end and never more than a
    quarter of it."""
    if not value:
        return ""
    if len(value) < MASK_SHORT:
        return "*" * 8
    keep = min(keep, len(value) // 8)
    return value[:keep] + "*" * 8 + value[-keep:]


class Secret(str):
    """A decrypted value that shows itself masked: str(), format(), repr() and templates
    never print the plaintext; code that must use it asks for `.plaintext`."""

    def __repr__(self):
        return "Secret('***')"

    def __str__(self):
        return self.masked

    def __format__(self, spec):
        return format(self.masked, spec)

    @property
    def masked(self) -> str:
        return mask(str.__str__(self))

    @property
    def plaintext(self) -> str:
        return str.__str__(self)


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees a `Secret`."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return Secret(decrypt(value))

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, Secret):
            return value
        if isinstance(value, str) and value.startswith(TOKEN_PREFIX):
            # A token written by value_to_string (dumpdata → loaddata) is read back.
            try:
                return Secret(_fernet().decrypt(value.encode("ascii")).decode("utf-8"))
            except (InvalidToken, UnicodeError):
                pass
        return Secret(value)

    def value_to_string(self, obj):
        """Serialisation (dumpdata, fixtures) writes the ciphertext: never the plaintext,
        and never the masked text (which would silently lose the value on loaddata)."""
        value = self.value_from_object(obj)
        if value is None or value == "":
            return value
        return encrypt(str.__str__(value))

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str.__str__(value))
