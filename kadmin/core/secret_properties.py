"""Which client properties hold secrets: the one list, for every layer that must not show one.

librdkafka's properties carry passwords (``sasl.password``, ``ssl.key.password``,
``ssl.keystore.password``), private keys (``ssl.key.pem``), OAuth client secrets and
tokens, and JAAS lines with a password inside; a property is secret when its name
contains one of `SECRET_WORDS`.
"""

from __future__ import annotations

SECRET_WORDS = ("password", "secret", "key.pem", "token", "jaas", "oauthbearer.config")


def is_secret(prop: str) -> bool:
    """Whether the client property `prop` holds a secret: ``ssl.key.pem`` yes, ``sasl.username`` no."""
    return any(word in prop for word in SECRET_WORDS)
