"""Who may use the cluster: ACL bindings, SCRAM credentials and client quotas, as frozen values.

Kafka stores one ACL binding per operation, so a binding here holds one operation too;
a spec entry naming several operations becomes several bindings. A SCRAM credential as
the cluster shows it has a mechanism and an iteration count, never a password
(DescribeUserScramCredentials reveals nothing more). A password kadmin sets is held in a
`Secret`, whose `repr`/`str` hide it, so no log, plan or traceback line can print it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class ResourceType(StrEnum):
    TOPIC = "topic"
    GROUP = "group"
    CLUSTER = "cluster"
    TRANSACTIONAL_ID = "transactional_id"
    DELEGATION_TOKEN = "delegation_token"


CLUSTER_RESOURCE_NAME = "kafka-cluster"
"""The one name Kafka accepts for a cluster resource."""


class PatternType(StrEnum):
    LITERAL = "literal"
    PREFIXED = "prefixed"


class AclOperation(StrEnum):
    ALL = "all"
    READ = "read"
    WRITE = "write"
    CREATE = "create"
    DELETE = "delete"
    ALTER = "alter"
    DESCRIBE = "describe"
    CLUSTER_ACTION = "cluster_action"
    DESCRIBE_CONFIGS = "describe_configs"
    ALTER_CONFIGS = "alter_configs"
    IDEMPOTENT_WRITE = "idempotent_write"
    CREATE_TOKENS = "create_tokens"
    DESCRIBE_TOKENS = "describe_tokens"


class AclPermission(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


ANY_HOST = "*"


@dataclass(frozen=True, slots=True, order=True)
class AclBinding:
    """One ACL as Kafka stores it: a principal may (or may not) do one operation on a resource pattern."""

    principal: str
    """``User:alice``: Kafka's ``type:name`` form."""
    resource_type: ResourceType
    resource_name: str
    pattern_type: PatternType
    operation: AclOperation
    permission: AclPermission = AclPermission.ALLOW
    host: str = ANY_HOST

    def __str__(self) -> str:
        pattern = "*" if self.pattern_type is PatternType.PREFIXED else ""
        where = "" if self.host == ANY_HOST else f" from {self.host}"
        return (
            f"{self.permission} {self.principal} {self.operation} "
            f"{self.resource_type}:{self.resource_name}{pattern}{where}"
        )


class ScramMechanism(StrEnum):
    SCRAM_SHA_256 = "SCRAM-SHA-256"
    SCRAM_SHA_512 = "SCRAM-SHA-512"


MIN_SCRAM_ITERATIONS = 4096
"""Kafka refuses fewer iterations than this (and more than 16384)."""
MAX_SCRAM_ITERATIONS = 16384


@dataclass(frozen=True, slots=True, order=True)
class ScramCredential:
    """A SCRAM credential as the cluster shows it: user, mechanism, iterations; never a password."""

    user: str
    mechanism: ScramMechanism
    iterations: int = MIN_SCRAM_ITERATIONS

    @property
    def key(self) -> ScramKey:
        return ScramKey(self.user, self.mechanism)


@dataclass(frozen=True, slots=True, order=True)
class ScramKey:
    """One user's credential for one mechanism: what Kafka keeps one of."""

    user: str
    mechanism: ScramMechanism

    def __str__(self) -> str:
        return f"{self.user} ({self.mechanism})"


class Secret:
    """A password: `reveal()` gives it; `repr`, `str` and formatting never do."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(Secret)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled")


@dataclass(frozen=True, slots=True)
class ScramUpsert:
    """What the port writes for one credential: the credential and its password."""

    credential: ScramCredential
    password: Secret


# --- password digests ------------------------------------------------------------
# The cluster never reveals a password, so a plan cannot ask it "is this the one?".
# When kadmin sets a credential it records a salted, slow digest of the password in its
# own state topic; a plan compares the spec's password with that digest. A login by SCRAM
# would need a listener each plan can reach with each user's password and would count
# failed logins against the users; the digest needs neither.

DIGEST_ALGORITHM = "pbkdf2-sha256"
DIGEST_ITERATIONS = 100_000
"""Rounds of a new digest: slow enough that a digest read from the state topic is costly to guess
from, cheap enough that a plan, which checks every spec user's password, stays quick (each check
costs these rounds once). A record keeps its own count, so raising it later breaks nothing."""


@dataclass(frozen=True, slots=True)
class PasswordDigest:
    """A salted PBKDF2 digest of the password kadmin last set for one credential."""

    key: ScramKey
    salt: bytes
    digest: bytes
    iterations: int = DIGEST_ITERATIONS
    algorithm: str = DIGEST_ALGORITHM

    @classmethod
    def of(cls, key: ScramKey, password: Secret) -> PasswordDigest:
        salt = secrets.token_bytes(16)
        return cls(key, salt, _pbkdf2(password, salt, DIGEST_ITERATIONS))

    def matches(self, password: Secret) -> bool:
        if self.algorithm != DIGEST_ALGORITHM:
            return False
        return hmac.compare_digest(self.digest, _pbkdf2(password, self.salt, self.iterations))

    def encode(self) -> bytes:
        """The record value kadmin's state topic keeps (JSON)."""
        document = {
            "format": 1,
            "user": self.key.user,
            "mechanism": self.key.mechanism.value,
            "algorithm": self.algorithm,
            "iterations": self.iterations,
            "salt": base64.b64encode(self.salt).decode(),
            "digest": base64.b64encode(self.digest).decode(),
        }
        return json.dumps(document, sort_keys=True).encode()

    @classmethod
    def decode(cls, value: bytes) -> PasswordDigest:
        """The digest `encode` wrote; ValueError for anything else (the topic is re-validated)."""
        try:
            doc = json.loads(value)
            key = ScramKey(str(doc["user"]), ScramMechanism(doc["mechanism"]))
            iterations = int(doc["iterations"])
            if not 1 <= iterations <= 10_000_000:
                raise ValueError(f"iterations {iterations} out of range")
            return cls(
                key,
                base64.b64decode(doc["salt"], validate=True),
                base64.b64decode(doc["digest"], validate=True),
                iterations,
                str(doc["algorithm"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a password digest record: {exc}") from exc


def password_record_key(key: ScramKey) -> bytes:
    """The key of a credential's digest in kadmin's state topic."""
    return f"scram/{key.mechanism.value}/{key.user}".encode()


PASSWORD_RECORD_PREFIX = b"scram/"


def _pbkdf2(password: Secret, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.reveal().encode(), salt, iterations)


# --- client quotas ---------------------------------------------------------------


class QuotaEntityType(StrEnum):
    USER = "user"
    CLIENT_ID = "client-id"


@dataclass(frozen=True, slots=True)
class QuotaEntity:
    """Whom a client quota applies to, as Kafka's (entity type, name) pairs: a user, a client id,
    or both; a None name is Kafka's default entity (``<default>``). Sorted by `str`."""

    parts: tuple[tuple[QuotaEntityType, str | None], ...]

    def __post_init__(self) -> None:
        types = [t for t, _ in self.parts]
        if not types or len(set(types)) != len(types):
            raise ValueError("a quota entity names a user, a client id, or both, once each")
        ordered = tuple(sorted(self.parts, key=lambda p: _ENTITY_ORDER[p[0]]))
        object.__setattr__(self, "parts", ordered)

    @classmethod
    def of(cls, parts: Mapping[QuotaEntityType, str | None]) -> QuotaEntity:
        return cls(tuple(parts.items()))

    def __lt__(self, other: QuotaEntity) -> bool:
        # A None (default) name cannot be compared with a name: order by the text form instead.
        return str(self) < str(other)

    def name_of(self, entity_type: QuotaEntityType) -> str | None:
        return dict(self.parts).get(entity_type)

    def has(self, entity_type: QuotaEntityType) -> bool:
        return any(t is entity_type for t, _ in self.parts)

    def principal(self) -> str | None:
        """``User:NAME`` for a quota of a named user (the principal scope decides over it), else None."""
        name = self.name_of(QuotaEntityType.USER)
        return f"User:{name}" if name is not None else None

    def __str__(self) -> str:
        return ",".join(f"{t.value}={'<default>' if n is None else n}" for t, n in self.parts)


_ENTITY_ORDER = {QuotaEntityType.USER: 0, QuotaEntityType.CLIENT_ID: 1}


class QuotaKey(StrEnum):
    PRODUCER_BYTE_RATE = "producer_byte_rate"
    CONSUMER_BYTE_RATE = "consumer_byte_rate"
    REQUEST_PERCENTAGE = "request_percentage"
    CONTROLLER_MUTATION_RATE = "controller_mutation_rate"


def _no_values() -> Mapping[QuotaKey, float]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ClientQuota:
    """The quota values set on one entity (Kafka keeps floats)."""

    entity: QuotaEntity
    values: Mapping[QuotaKey, float] = field(default_factory=_no_values)


@dataclass(frozen=True, slots=True)
class QuotaAlteration:
    """What the port writes for one entity: values to set, keys to remove."""

    entity: QuotaEntity
    set: Mapping[QuotaKey, float] = field(default_factory=_no_values)
    remove: tuple[QuotaKey, ...] = ()


# --- observed state --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccessReads:
    """Which parts of the access state a read asks for: a spec without ACLs must not need an authorizer."""

    acls: bool = True
    scram: bool = True
    quotas: bool = True

    @property
    def any(self) -> bool:
        return self.acls or self.scram or self.quotas


@dataclass(frozen=True, slots=True)
class AccessState:
    """The cluster's ACLs, SCRAM credentials and client quotas, as read (parts not asked for are empty),
    with the password digests kadmin recorded when it set credentials."""

    acls: frozenset[AclBinding] = frozenset()
    scram: tuple[ScramCredential, ...] = ()
    quotas: tuple[ClientQuota, ...] = ()
    digests: Mapping[ScramKey, PasswordDigest] = field(default_factory=lambda: MappingProxyType({}))
