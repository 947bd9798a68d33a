"""`kadmin ui`'s application over the in-memory cluster: read-only routes, the JSON twins are the
commands' documents, names from the cluster are escaped, an unreachable cluster is a banner, and
polling backs off while reads fail."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient
from typer.testing import CliRunner

from kadmin.cli.app import app
from kadmin.core.access import AclBinding, AclOperation, PatternType, ResourceType
from kadmin.core.model import Broker, ConsumerGroupState, GroupMember, GroupState, Watermarks
from kadmin.ops.inspect import describe_topic, read_groups, read_topics
from kadmin.ops.planning import drift_specs
from kadmin.plan.zones import zone_report
from kadmin.render.drift import drift_document
from kadmin.render.inspect import groups_document, topic_detail_document, topics_document
from kadmin.render.zones import zones_document
from kadmin.web import server
from kadmin.web.app import CSP, build_app
from kadmin.web.pages import BASE_EVERY_S, MAX_EVERY_S, next_every
from kadmin.web.reads import Source
from kadmin.web.server import url_of
from tests.fakes import InMemoryCluster

REPO = Path(__file__).resolve().parents[2]
SPEC = """\
version: 1
cluster:
  manage: ['orders\\..*']
topics:
  orders.created:
    partitions: 2
    replication_factor: 3
    configs:
      retention.ms: 1d
"""


def cluster() -> InMemoryCluster:
    mem = InMemoryCluster()
    mem.add_topic("orders.created", partitions=2, rf=3, overrides={"retention.ms": "3600000"})
    mem.add_topic("misc", partitions=1, rf=1)
    member = GroupMember("m-1", "billing-app", "/10.0.0.1", (("orders.created", 0),))
    committed = {("orders.created", 0): 40, ("orders.created", 1): 7}
    mem.groups["billing"] = GroupState("billing", ConsumerGroupState.STABLE, (member,), committed)
    mem.marks.update({("orders.created", 0): Watermarks(0, 100), ("orders.created", 1): Watermarks(0, 10)})
    return mem


def client(mem: InMemoryCluster, specs: tuple[Path, ...] = ()) -> TestClient:
    return TestClient(build_app(Source(lambda: mem, specs)), base_url="http://127.0.0.1")


def test_every_route_only_reads() -> None:
    app = build_app(Source(InMemoryCluster))
    for route in app.routes:
        if isinstance(route, Mount):
            continue  # static files: GET and HEAD only
        assert isinstance(route, Route)
        assert route.methods is not None
        assert route.methods <= {"GET", "HEAD"}, route.path
    assert client(cluster()).post("/topics").status_code == 405


def test_the_json_twins_are_the_documents_of_the_commands() -> None:
    mem = cluster()
    web = client(mem)
    observed = mem.snapshot()
    assert web.get("/json/cluster").json() == zones_document(zone_report(observed), observed.cluster_id)
    assert web.get("/json/topics").json() == topics_document(read_topics(mem))
    detail = topic_detail_document(describe_topic(mem, "orders.created"))
    assert web.get("/json/topics/orders.created").json() == detail
    assert web.get("/json/groups").json() == groups_document(read_groups(mem))
    assert web.get("/json/groups/billing").json()["lag"] == 60 + 3
    assert web.get("/json/topics/nope").status_code == 404
    assert web.get("/json/topics?match=(").status_code == 422
    assert "Cannot show this" in web.get("/topics/nope").text


def test_pages_show_the_cluster_and_carry_a_strict_policy() -> None:
    web = client(cluster())
    for path in ("/", "/topics", "/topics/orders.created", "/groups", "/groups/billing", "/plan"):
        page = web.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-security-policy"] == CSP
        assert "<script>" not in page.text and "style=" not in page.text
    topics = web.get("/topics").text
    assert re.search(r'data-topic="orders.created".*?data-col="partitions">2<', topics, re.S)
    groups = web.get("/groups").text
    assert 'data-col="lag">63<' in groups
    # The partitions furthest behind, largest first, in the per-partition chart.
    assert re.findall(r'data-label="billing · orders.created\[(\d)\]"', groups) == ["0", "1"]


def test_names_from_the_cluster_are_escaped_and_quoted_in_links() -> None:
    mem = cluster()
    hostile = "<img src=x onerror=alert(1)>/x?y#z"
    mem.groups[hostile] = GroupState(hostile, ConsumerGroupState.EMPTY, (), {("orders.created", 0): 1})
    web = client(mem)
    page = web.get("/groups").text
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;/x?y#z" in page
    assert 'href="/groups/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%2Fx%3Fy%23z"' in page
    group = web.get("/groups/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%2Fx%3Fy%23z")
    assert group.status_code == 200 and 'class="banner"' not in group.text
    # The page polls itself and links its twin by the same quoted path.
    quoted = "/groups/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/x%3Fy%23z"
    assert f'hx-get="{quoted}?partial=1&amp;every=5"' in group.text
    assert f'href="/json{quoted}"' in group.text
    assert web.get(f"/json{quoted}").json()["group"] == hostile


def test_an_unreachable_cluster_is_a_banner_and_the_next_poll_waits_longer() -> None:
    mem = cluster()
    mem.raise_on("snapshot")
    web = client(mem)
    page = web.get("/topics?partial=1&every=20")
    assert page.status_code == 200
    assert 'class="banner"' in page.text and "Cannot read the cluster" in page.text
    assert "Traceback" not in page.text
    assert 'hx-trigger="every 40s"' in page.text
    assert 'hx-trigger="every 15s"' in client(cluster()).get("/topics?partial=1&every=20").text
    assert 'hx-trigger="every 5s"' in client(cluster()).get("/groups?partial=1&every=20").text
    failed = web.get("/json/topics")
    assert failed.status_code == 503
    assert failed.json()["error"][0]["message"]


def test_polling_backs_off_while_reads_fail_or_are_slow_and_is_bounded() -> None:
    assert next_every(None, failed=False, slow=False) == BASE_EVERY_S
    assert next_every(40, failed=False, slow=False) == BASE_EVERY_S
    assert next_every(None, failed=True, slow=False) == 2 * BASE_EVERY_S
    assert next_every(20, failed=False, slow=True) == 40
    assert next_every(MAX_EVERY_S, failed=True, slow=False) == MAX_EVERY_S
    assert next_every(None, failed=False, slow=False, base=15) == 15
    assert next_every(15, failed=True, slow=False, base=15) == 30


def test_a_loopback_server_refuses_other_host_names() -> None:
    web = client(cluster())
    assert web.get("/", headers={"host": "evil.example"}).status_code == 400
    assert web.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    return path


def test_with_a_spec_topics_are_marked_and_drifted_configs_shown_beside_the_spec(spec: Path) -> None:
    web = client(cluster(), (spec,))
    topics = web.get("/topics").text
    assert re.search(r'data-topic="orders.created".*?class="status drifted"', topics, re.S)
    assert re.search(r'data-topic="misc".*?class="status unmanaged"', topics, re.S)
    topic = web.get("/topics/orders.created").text
    row = re.search(r'<tr data-config="retention.ms" class="drifted override">(.*?)</tr>', topic, re.S)
    assert row is not None
    assert "3600000" in row.group(1) and "86400000" in row.group(1)
    assert '<tr data-config="segment.bytes" class="">' in topic  # a default, and not in the spec
    plan = web.get("/plan").text
    assert "retention.ms" in plan and 'id="drift"' in plan
    assert web.get("/json/plan").json()["actions"]
    assert web.get("/json/drift").json()["drifted"] is True


def test_without_a_spec_the_plan_page_says_how_to_get_one() -> None:
    web = client(cluster())
    assert "kadmin ui specs/" in web.get("/plan").text
    assert web.get("/json/plan").status_code == 404


def test_other_commands_never_load_the_web_stack() -> None:
    code = """
import sys
sys.argv = ["kadmin", *sys.argv[1:]]
from kadmin.cli import main
try:
    main()
except SystemExit:
    pass
web = ("starlette", "uvicorn", "jinja2", "httpx", "httpx2")
print(sorted(m for m in sys.modules if m.split(".")[0] in web or m.startswith("kadmin.web")))
"""
    for args in (["validate", "specs/"], ["ui", "--help"]):
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == "[]", args


def test_listening_beyond_loopback_warns_and_the_url_is_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[tuple[str, int]] = []

    def serve(source: Source, sock: socket.socket, host: str, announce: Callable[[str], None]) -> None:
        served.append(sock.getsockname()[:2])
        announce(url_of(sock))
        sock.close()

    monkeypatch.setattr(server, "serve", serve)
    for host, warned in (("0.0.0.0", True), ("127.0.0.1", False)):
        result = CliRunner().invoke(app, ["ui", "--host", host, "-b", "127.0.0.1:9092"])
        assert result.exit_code == 0, result.output
        address, port = served[-1]
        assert address == host and port > 0
        assert f"http://{host}:{port}/" in result.stdout
        assert ("warning: listening on 0.0.0.0" in result.stderr) is warned


def test_the_cluster_page_highlights_partitions_one_zone_outage_takes_down() -> None:
    mem = InMemoryCluster(brokers=(Broker(1, "zone-a"), Broker(2, "zone-a"), Broker(3, "zone-b")))
    mem.place("spread", [1, 3])
    mem.place("legacy", [1, 2])
    page = client(mem).get("/").text
    assert re.findall(r'<tr class="bad"><td><a href="/topics/(\w+)">', page) == ["legacy"]
    assert re.findall(r'<g class="row highlight" data-label="broker (\d)">', page) == ["1", "2"]
    assert re.findall(r'<section class="zone" data-zone="([\w-]+)">', page) == ["zone-a", "zone-b"]


ENVIRONMENTS = """\
version: 1
topics:
  orders.created:
    partitions: 2
    replication_factor: 3
    configs:
      retention.ms: 1d
environments:
  dev:
    bootstrap: 127.0.0.1:9092
    overrides:
      topics:
        orders.created:
          configs:
            retention.ms: 1h
  prod:
    bootstrap: 127.0.0.1:9093
"""


def test_with_an_environment_the_pages_show_that_environment_of_the_spec(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(ENVIRONMENTS)
    dev = TestClient(build_app(Source(cluster, (spec,), "dev")), base_url="http://127.0.0.1")
    prod = TestClient(build_app(Source(cluster, (spec,), "prod")), base_url="http://127.0.0.1")
    # The cluster holds retention.ms=1h (3600000): what dev says, not what prod inherits.
    assert re.search(r'data-topic="orders.created".*?class="status in-spec"', dev.get("/topics").text, re.S)
    assert re.search(r'data-topic="orders.created".*?class="status drifted"', prod.get("/topics").text, re.S)
    assert 'id="environment">environment dev<' in dev.get("/plan").text
    assert dev.get("/json/drift").json()["drifted"] is False
    assert prod.get("/json/plan").json()["inputs"]["environment"] == "prod"


def test_env_picks_the_environment_s_cluster_and_needs_a_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    sources: list[Source] = []

    def serve(source: Source, sock: socket.socket, host: str, announce: Callable[[str], None]) -> None:
        sources.append(source)
        sock.close()

    monkeypatch.setattr(server, "serve", serve)
    monkeypatch.setenv("DEV_BOOTSTRAP", "127.0.0.1:19092")
    result = CliRunner().invoke(app, ["ui", "specs/fleet/", "--env", "dev"])
    assert result.exit_code == 0, result.output
    assert sources[-1].environment == "dev"
    admin = sources[-1]._open()  # made, not connected: only its address is looked at
    assert getattr(admin, "bootstrap", None) == "127.0.0.1:19092"
    getattr(admin, "close", lambda: None)()

    alone = CliRunner().invoke(app, ["ui", "--env", "dev"])
    assert alone.exit_code == 1 and "no spec is given" in alone.stderr
    missing = CliRunner().invoke(app, ["ui", "specs/fleet/"])
    assert missing.exit_code == 1 and "--env" in missing.stderr


ACCESS_SPEC = """\
version: 1
cluster:
  manage_principals: ['User:svc-.*']
apps:
  billing:
    principal: User:svc-billing
    consumes: [orders.created]
    group: billing
"""


def test_the_drift_twin_is_kadmin_drift_s_document_access_included(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(ACCESS_SPEC)
    mem = cluster()
    mem.acls.add(
        AclBinding("User:svc-other", ResourceType.TOPIC, "misc", PatternType.LITERAL, AclOperation.READ)
    )
    expected = drift_document(drift_specs([path], lambda _: mem))
    assert any(d["target"].startswith("acl:") for d in expected["differences"])
    assert client(mem, (path,)).get("/json/drift").json() == expected
