"""Resolve the pinned Kafka release from Maven Central into a reusable cache directory.

The broker is not downloaded as a tarball: Maven resolves `pom.xml` (kept beside this
module) and copies every runtime jar into ``<cache>/kafka-<version>/lib``. A marker file
makes the next run reuse it without touching the network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from kadmin.core.errors import LocalClusterError

KAFKA_VERSION = "4.4.0"
MAVEN_TIMEOUT_S = 900.0
_MARKER = ".complete"


def cache_root() -> Path:
    """``$KADMIN_CACHE``, else ``$XDG_CACHE_HOME/kadmin``, else ``~/.cache/kadmin``."""
    if env := os.environ.get("KADMIN_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kadmin"


def kafka_home(cache: Path | None = None) -> Path:
    return (cache or cache_root()) / f"kafka-{KAFKA_VERSION}"


def ensure_kafka(cache: Path | None = None) -> Path:
    """The directory of Kafka's jars, resolving them with Maven on first use."""
    home = kafka_home(cache)
    lib = home / "lib"
    if (home / _MARKER).exists() and any(lib.glob("kafka_2.13-*.jar")):
        return lib
    check_java()
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalClusterError(
            "Maven (mvn) is not on PATH; it is needed once to fetch Kafka's jars from Maven Central",
            hint="install Maven 3.8+ (e.g. `apt-get install maven`), "
            "or point kadmin at a cluster with --bootstrap-server",
        )
    home.mkdir(parents=True, exist_ok=True)
    pom = home / "pom.xml"
    pom.write_bytes(resources.files("kadmin.local").joinpath("pom.xml").read_bytes())
    staging = home / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    cmd = [
        mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
    ]  # fmt: skip
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=MAVEN_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise LocalClusterError(
            f"Maven did not finish resolving Kafka {KAFKA_VERSION} within {MAVEN_TIMEOUT_S:.0f} s",
            hint="check that Maven Central is reachable (mvn settings, proxy), then run the command again",
        ) from None
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise LocalClusterError(
            f"Maven could not resolve Kafka {KAFKA_VERSION} from Maven Central:\n{tail}",
            hint="check network access to Maven Central and ~/.m2/settings.xml, then run the command again",
        )
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    (home / _MARKER).write_text(KAFKA_VERSION + "\n")
    return lib


def check_java() -> str:
    """The `java` executable, if it is Java 17 or newer (Kafka 4.x brokers need 17)."""
    java = shutil.which("java", path=_java_path())
    if java is None:
        raise LocalClusterError(
            "java is not on PATH; Kafka brokers need Java 17 or newer",
            hint="install a JDK 17+ (e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME",
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    match = re.search(r'version "(\d+)', out.stderr + out.stdout)
    if match and int(match.group(1)) < 17:
        raise LocalClusterError(
            f"{java} is Java {match.group(1)}; Kafka {KAFKA_VERSION} brokers need Java 17 or newer",
            hint="install a JDK 17+ and put it first on PATH or set JAVA_HOME",
        )
    return java


def _java_path() -> str | None:
    home = os.environ.get("JAVA_HOME")
    path = os.environ.get("PATH", "")
    return f"{home}/bin{os.pathsep}{path}" if home else None
