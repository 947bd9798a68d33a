"""`kadmin ui` in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright)
against `kadmin ui` serving real Kafka. Each page loads without console errors and shows the
numbers the admin API gives; a drifted config is marked; an unreachable cluster is a banner; a
broker stopped on the private `faulty` cluster shows as under-replicated partitions. A screenshot
of each page is saved under test-artifacts/ui/.
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.integration.conftest import Faulty, KafkaHandle, Namespace, eventually

CHROMIUM = os.environ.get("KADMIN_TEST_CHROMIUM", "/usr/bin/chromium")
"""Debian's chromium (`make test` installs it); Playwright's own browser download is not used."""
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "ui"

pytestmark = pytest.mark.integration


@contextmanager
def kadmin_ui(*args: str | Path, log: Path | None = None, **env: str) -> Iterator[str]:
    """`kadmin ui ARGS` in a subprocess with no KADMIN_* variables but `env`; yields the URL it
    prints, stops it afterwards. Its stderr goes to `log` when given."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KADMIN_")} | env
    with (
        open(log or os.devnull, "w") as stderr,
        subprocess.Popen(
            [sys.executable, "-m", "kadmin", "ui", *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=environment,
            cwd=REPO,
        ) as process,
    ):
        assert process.stdout is not None
        with selectors.DefaultSelector() as waiting:
            waiting.register(process.stdout, selectors.EVENT_READ)
            ready = waiting.select(timeout=60)
        line = process.stdout.readline() if ready else ""
        try:
            if not line.startswith("kadmin ui: http://127.0.0.1:"):
                process.terminate()
                process.communicate(timeout=30)
                raise AssertionError(f"kadmin ui printed {line!r}; stderr: {log and log.read_text()}")
            yield line.split()[2]
        finally:
            process.terminate()
            process.communicate(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that fails the test on any console error or uncaught script error."""
    errors: list[str] = []
    opened = browser.new_page(viewport={"width": 1100, "height": 800})

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    opened.on("console", on_console)
    opened.on("pageerror", lambda err: errors.append(str(err)))
    yield opened
    opened.close()
    assert errors == []


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def spec_for(tmp_path: Path, ns: Namespace, topic: str) -> Path:
    body = f"""\
version: 1
cluster:
  manage: ['{ns.prefix}\\\\..*']
topics:
  {topic}:
    partitions: 3
    replication_factor: 3
    configs:
      retention.ms: 1d
  {ns.topic("missing")}:
    partitions: 1
    replication_factor: 3
"""
    path = tmp_path / "spec.yaml"
    path.write_text(body)
    return path


def committed_lag(kafka: KafkaHandle, group: str, topic: str, partitions: int) -> int:
    """Log end minus committed offset, summed, as the admin API answers them."""
    from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition

    raw = kafka.raw_admin()
    request = [ConsumerGroupTopicPartitions(group, [TopicPartition(topic, p) for p in range(partitions)])]
    committed = raw.list_consumer_group_offsets(request)[group].result(timeout=15)
    marks = kafka.admin().watermarks([(topic, p) for p in range(partitions)])
    # A partition without a commit (offset -1001) has no lag, as in `kadmin groups`.
    return sum(
        marks[(tp.topic, tp.partition)].end - tp.offset for tp in committed.topic_partitions if tp.offset >= 0
    )


def brokers_per_zone(kafka: KafkaHandle) -> dict[str, int]:
    """How many brokers each rack holds, as the admin API describes the cluster."""
    raw = kafka.raw_admin()  # kept: a client collected before its answer cancels the request
    nodes = raw.describe_cluster().result(timeout=15).nodes
    return {rack: sum(1 for n in nodes if n.rack == rack) for rack in {n.rack for n in nodes}}


def replicas_of(kafka: KafkaHandle, topic: str) -> list[str]:
    """Each partition's replicas, in partition order, as the admin API describes the topic."""
    from confluent_kafka import TopicCollection

    raw = kafka.raw_admin()
    described = raw.describe_topics(TopicCollection([topic]))[topic].result(timeout=15)
    ordered = sorted(described.partitions, key=lambda p: p.id)
    return [",".join(str(node.id) for node in p.replicas) for p in ordered]


def produce(kafka: KafkaHandle, topic: str, counts: dict[int, int]) -> None:
    producer = kafka.producer()
    for partition, n in counts.items():
        for i in range(n):
            producer.produce(topic, value=f"m{i}".encode(), partition=partition)
    assert producer.flush(30) == 0


def commit(kafka: KafkaHandle, group: str, offsets: dict[tuple[str, int], int]) -> None:
    from confluent_kafka import TopicPartition

    consumer = kafka.consumer(group)
    try:
        wanted = [TopicPartition(t, p, o) for (t, p), o in offsets.items()]
        consumer.commit(offsets=wanted, asynchronous=False)
    finally:
        consumer.close()


def text_of(page: Page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def test_every_page_shows_what_the_admin_api_says(
    page: Page, ns3: Namespace, kafka_3zones: KafkaHandle, tmp_path: Path
) -> None:
    topic = ns3.topic("orders")
    group = ns3.group("billing")
    admin = kafka_3zones.admin()
    from kadmin.core.actions import CreateTopic

    created = admin.create_topics([CreateTopic(topic, 3, 3, {"retention.ms": "3600000"})])
    assert all(o.ok for o in created), created
    eventually(lambda: admin.watermarks([(topic, p) for p in range(3)]), timeout=30)
    produce(kafka_3zones, topic, {0: 30, 1: 20, 2: 10})
    commit(kafka_3zones, group, {(topic, 0): 5, (topic, 1): 20})
    spec = spec_for(tmp_path, ns3, topic)

    with kadmin_ui(spec, "-b", kafka_3zones.bootstrap) as url:
        page.goto(url)
        zones = brokers_per_zone(kafka_3zones)
        expect(page.locator("section.zone")).to_have_count(len(zones))
        for zone, brokers in zones.items():
            shown = page.locator(f'section.zone[data-zone="{zone}"] p')
            expect(shown).to_contain_text(f"{brokers} broker(s)")
        screenshot(page, "cluster")

        page.goto(f"{url}topics")
        # The filter narrows the table in place (an htmx partial), without reloading the page.
        page.evaluate("document.body.dataset.marker = 'same page'")
        page.get_by_placeholder("regular expression").fill(ns3.prefix)
        expect(page.locator("#topics tbody tr")).to_have_count(1)
        assert page.evaluate("document.body.dataset.marker") == "same page"
        row = page.locator(f'tr[data-topic="{topic}"]')
        observed = admin.snapshot([topic]).topics[topic]
        expect(row.locator('[data-col="partitions"]')).to_have_text(str(len(observed.partitions)))
        expect(row.locator('[data-col="rf"]')).to_have_text("3")
        expect(row.locator('[data-col="under-replicated"]')).to_have_text("0")
        expect(row.locator('[data-col="status"]')).to_have_text("drifted")
        expect(page.locator("p.bad")).to_contain_text(ns3.topic("missing"))
        screenshot(page, "topics")

        page.goto(f"{url}topics/{topic}")
        drifted = page.locator('tr[data-config="retention.ms"]')
        expect(drifted).to_have_class(re.compile(r"\bdrifted\b"))
        expect(page.locator('tr[data-config="segment.bytes"]')).not_to_have_class(re.compile("drifted"))
        expect(drifted).to_contain_text("3600000")
        expect(drifted).to_contain_text("86400000")
        rows = page.locator("#partitions tbody tr")
        expect(rows).to_have_count(3)
        produced = (30, 20, 10)
        for partition, replicas in enumerate(replicas_of(kafka_3zones, topic)):
            cells = rows.nth(partition).locator("td")
            expect(cells.nth(2)).to_have_text(replicas)
            expect(cells.nth(5)).to_have_text(str(produced[partition]))
        screenshot(page, "topic")

        lag = committed_lag(kafka_3zones, group, topic, 3)
        assert lag == (30 - 5) + (20 - 20)
        page.goto(f"{url}groups")
        expect(page.locator(f'tr[data-group="{group}"] [data-col="lag"]')).to_have_text(str(lag))
        screenshot(page, "groups")

        page.goto(f"{url}groups/{group}")
        expect(page.locator("#total-lag")).to_have_text(str(lag))
        # The chart refreshes without a reload: more messages raise the lag on the page.
        page.evaluate("document.body.dataset.marker = 'same page'")
        produce(kafka_3zones, topic, {1: 7})
        expect(page.locator("#total-lag")).to_have_text(str(lag + 7), timeout=60_000)
        assert page.evaluate("document.body.dataset.marker") == "same page"
        screenshot(page, "group")

        page.goto(f"{url}plan")
        expect(page.locator("#changes")).to_contain_text(ns3.topic("missing"))
        expect(page.locator("#drift")).to_contain_text("retention.ms")
        screenshot(page, "plan")

        for twin in ("cluster", "topics", f"topics/{topic}", "groups", f"groups/{group}", "plan", "drift"):
            assert page.request.get(f"{url}json/{twin}").ok, twin


def test_an_unreachable_cluster_is_a_banner(page: Page, tmp_path: Path) -> None:
    with kadmin_ui("-b", "127.0.0.1:1", "--timeout", "2") as url:
        page.goto(url)
        expect(page.locator(".banner")).to_contain_text("Cannot read the cluster")
        assert "Traceback" not in page.content()
        screenshot(page, "unreachable")


def test_no_secret_reaches_a_page_or_the_log(page: Page, kafka_3zones: KafkaHandle, tmp_path: Path) -> None:
    secret = "ui-secret-Zq8Jd3LrX"
    log = tmp_path / "stderr.txt"
    # SASL against a plaintext listener: the handshake fails, and the failure is what the page shows.
    settings = {"KADMIN_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KADMIN_SASL_MECHANISM": "PLAIN"}
    secrets = {"KADMIN_SASL_USERNAME": "ui-user", "KADMIN_SASL_PASSWORD": secret}
    with kadmin_ui("-b", kafka_3zones.bootstrap, "--timeout", "3", log=log, **settings, **secrets) as url:
        page.goto(f"{url}topics")
        expect(page.locator(".banner")).to_be_visible()
        shown = [page.content()]
        for twin in ("cluster", "topics", "groups"):
            shown.append(page.request.get(f"{url}json/{twin}").text())
    shown.append(log.read_text())
    assert [text for text in shown if secret in text] == []


def test_a_stopped_broker_shows_as_under_replicated_partitions(
    page: Page, fns: Namespace, faulty: Faulty
) -> None:
    topic = fns.topic("replicated")
    from kadmin.core.actions import CreateTopic

    with faulty.admin() as admin:
        assert all(o.ok for o in admin.create_topics([CreateTopic(topic, 4, 3, {})]))
        eventually(lambda: admin.watermarks([(topic, p) for p in range(4)]), timeout=30)
    faulty.kill(3)

    def under_replicated() -> int:
        with faulty.admin() as admin:
            partitions = admin.snapshot([topic]).topics[topic].partitions
        count = sum(1 for p in partitions if len(p.isr) < len(p.replicas))
        assert count > 0
        return count

    expected: Callable[[], int] = under_replicated
    count = eventually(expected, timeout=60, interval=1)
    with kadmin_ui("-b", faulty.info.bootstrap) as url:
        page.goto(f"{url}topics?match={fns.prefix}")
        cell = page.locator(f'tr[data-topic="{topic}"] [data-col="under-replicated"]')
        expect(cell).to_have_text(str(count))
        assert count == under_replicated()
        expect(page.locator(f'tr[data-topic="{topic}"]')).to_have_class("bad")
        screenshot(page, "under-replicated")
