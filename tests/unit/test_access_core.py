"""The access vocabulary: bindings, secrets that never print, password digests, quota entities."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from kadmin.core.access import (
    AccessReads,
    AclBinding,
    AclOperation,
    PasswordDigest,
    PatternType,
    QuotaAlteration,
    QuotaEntity,
    QuotaEntityType,
    QuotaKey,
    ResourceType,
    ScramCredential,
    ScramKey,
    ScramMechanism,
    ScramUpsert,
    Secret,
)
from kadmin.core.access_spec import PasswordSource
from kadmin.core.targets import Target
from kadmin.ops.access import read_password
from tests.fakes import InMemoryCluster

KEY = ScramKey("svc-orders", ScramMechanism.SCRAM_SHA_512)


def test_a_secret_never_prints_its_value() -> None:
    secret = Secret("hunter2-long")
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{[secret]}"):
        assert "hunter2" not in text
    upsert = ScramUpsert(ScramCredential("u", ScramMechanism.SCRAM_SHA_256), secret)
    assert "hunter2" not in repr(upsert)
    assert secret.reveal() == "hunter2-long"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_a_digest_matches_its_password_only_and_reads_back_from_its_record() -> None:
    digest = PasswordDigest.of(KEY, Secret("right-password"))
    assert digest.matches(Secret("right-password"))
    assert not digest.matches(Secret("wrong-password"))
    again = PasswordDigest.decode(digest.encode())
    assert again == digest and again.matches(Secret("right-password"))
    assert b"right-password" not in digest.encode()
    assert PasswordDigest.of(KEY, Secret("right-password")).salt != digest.salt


@pytest.mark.parametrize("value", [b"", b"{}", b"[1]", b'{"user": "u", "mechanism": "MD5"}', b"\xff"])
def test_a_digest_record_is_validated_not_trusted(value: bytes) -> None:
    with pytest.raises(ValueError, match="not a password digest record"):
        PasswordDigest.decode(value)


def test_a_quota_entity_is_kafkas_pairs_in_a_fixed_order() -> None:
    both = QuotaEntity(((QuotaEntityType.CLIENT_ID, None), (QuotaEntityType.USER, "alice")))
    assert both.parts == ((QuotaEntityType.USER, "alice"), (QuotaEntityType.CLIENT_ID, None))
    assert str(both) == "user=alice,client-id=<default>"
    assert both.principal() == "User:alice"
    assert QuotaEntity.of({QuotaEntityType.USER: None}).principal() is None
    with pytest.raises(ValueError):
        QuotaEntity(())


def test_a_binding_reads_as_a_sentence_and_names_its_target() -> None:
    binding = AclBinding("User:svc", ResourceType.TOPIC, "orders.", PatternType.PREFIXED, AclOperation.WRITE)
    assert str(binding) == "allow User:svc write topic:orders.*"
    assert Target.acl(binding) == Target.parse(f"acl:{binding}")
    assert str(PasswordSource(env="PW")) == "${PW}"
    with pytest.raises(ValueError):
        PasswordSource()


def test_the_fake_keeps_access_apart_and_refuses_acls_without_an_authorizer() -> None:
    cluster = InMemoryCluster()
    binding = AclBinding("User:svc", ResourceType.GROUP, "g", PatternType.LITERAL, AclOperation.READ)
    assert [o.ok for o in cluster.create_acls([binding])] == [True]
    cluster.upsert_scram([ScramUpsert(ScramCredential(KEY.user, KEY.mechanism, 8192), Secret("pw-1-long"))])
    entity = QuotaEntity.of({QuotaEntityType.USER: "svc"})
    cluster.alter_quotas([QuotaAlteration(entity, {QuotaKey.PRODUCER_BYTE_RATE: 1024.0})])
    state = cluster.access_state(AccessReads(acls=False))
    assert state.acls == frozenset() and state.scram == (ScramCredential(KEY.user, KEY.mechanism, 8192),)
    assert state.quotas[0].values == {QuotaKey.PRODUCER_BYTE_RATE: 1024.0}
    cluster.authorizer = False
    with pytest.raises(Exception, match="SECURITY_DISABLED"):
        cluster.access_state(AccessReads())


def test_a_password_is_read_from_its_variable_or_file_and_a_problem_names_where(tmp_path: Path) -> None:
    file = tmp_path / "orders.pw"
    file.write_text("from-a-file\n")
    read = read_password(PasswordSource(file=str(file)))
    assert isinstance(read, Secret) and read.reveal() == "from-a-file"
    assert read_password(PasswordSource(env="PW"), {"PW": "from-env"}) == Secret("from-env")
    assert read_password(PasswordSource(env="PW"), {}) == "the environment variable PW is not set"
    assert read_password(PasswordSource(env="PW"), {"PW": ""}) == "the environment variable PW is empty"
    missing = tmp_path / "gone.pw"
    assert read_password(PasswordSource(file=str(missing))) == f"the password file {missing} does not exist"
    file.write_text("\n")
    assert read_password(PasswordSource(file=str(file))) == f"the password file {file} is empty"
