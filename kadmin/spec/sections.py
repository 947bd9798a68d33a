"""Where each top-level section of the spec was declared, across all documents.

Owns the cross-file uniqueness rules: at most one `cluster:` and one `defaults:`; a
profile, topic or environment declared once; `cluster:` and `environments:` not both
(an environment's block is its cluster block).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kadmin.core.errors import Location
from kadmin.spec.findings import Findings
from kadmin.spec.offset_resets import ResetEntry
from kadmin.spec.yamlpos import Document


@dataclass(slots=True)
class Sections:
    """Each section's document, and each named entry's document and key, in declaration order."""

    cluster: Document | None = None
    defaults: Document | None = None
    profiles: dict[str, tuple[Document, Location]] = field(default_factory=dict)
    topics: dict[str, tuple[Document, Location]] = field(default_factory=dict)
    environments: dict[str, tuple[Document, Location]] = field(default_factory=dict)
    environments_key: Location | None = None
    """The first ``environments:`` key, where errors about environments as a whole point."""
    resets: list[ResetEntry] = field(default_factory=list)


_NAMED = ("profiles", "topics", "environments")


def collect_sections(documents: Sequence[Document], findings: Findings) -> Sections:
    found = Sections()
    for doc in documents:
        data = doc.data
        if not isinstance(data, dict):
            continue
        for single in ("cluster", "defaults"):
            if single in data:
                first: Document | None = getattr(found, single)
                if first is None:
                    setattr(found, single, doc)
                else:
                    findings.error(
                        doc.positions.key((single,)),
                        f"is declared a second time (first at {first.positions.key((single,)).spot})",
                        f"keep one {single}: block across all spec files",
                    )
        if "environments" in data and found.environments_key is None:
            found.environments_key = doc.positions.key(("environments",))
        for section in _NAMED:
            table: dict[str, tuple[Document, Location]] = getattr(found, section)
            body = data.get(section)
            if not isinstance(body, dict):
                continue
            for name in body:
                here = doc.positions.key((section, name))
                if name in table:
                    findings.error(
                        here,
                        f"is declared a second time (first at {table[name][1].spot})",
                        f"a{'n' if section == 'environments' else ''} {section[:-1]} is declared once, "
                        "in one file",
                    )
                    continue
                table[name] = (doc, here)
        resets = data.get("offset_resets")
        if isinstance(resets, list):
            found.resets.extend(ResetEntry(doc, i) for i in range(len(resets)))
    if found.cluster is not None and found.environments_key is not None:
        findings.error(
            found.cluster.positions.key(("cluster",)),
            f"cannot be used together with environments: (at {found.environments_key.spot})",
            "with environments, each one is a cluster block: move these keys into each environment",
        )
    return found
