"""Real post-mortems written by other companies, read from ../shared/datasets for evaluation.

They are never copied into the project. Labels (the human categories) are returned beside the
incidents and never enter the text the engine sees.
"""

from __future__ import annotations

import json
import re
from datetime import UTC
from pathlib import Path

from learnloop.model import Incident
from learnloop.read import incident_from_bytes

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
# The shared collections a team would import as they are (danluu's summaries need writing out).
IMPORTABLE = (
    "dfds-postmortems",
    "chia-postmortems",
    "taskcluster-retrospectives",
    "posthog-postmortems",
    "2i2c-incident-reports",
    "jenkins-status",
    "github-status-history",
)
_UNDATED = "2020-01-01"  # for post-mortems that give no date

# The failures that happened more than once among DFDS's post-mortems, judged from their
# titles alone (not from the categories): what a perfect recurrence engine would group.
DFDS_REPEATED = (
    ("PM2021-005", "PM2021-006", "PM2021-007"),  # all services returning 503
    ("PM2021-001", "PM2022-002", "PM2023-002"),  # logs not shipped to CloudWatch
    ("PM2021-002", "PM2021-003"),  # Flux unintended version update
    ("PM2022-004", "PM2022-007"),  # Kafka metrics missing from Prometheus
    ("PM2020-002", "PM2020-009"),  # KIAM service disruption
    ("PM2020-003", "PM2020-006"),  # ADSync
    ("PM2020-007", "PM2022-003", "PM2023-001", "PM2024-001"),  # Kubernetes nodes down
)


def available() -> bool:
    """Whether ../shared/datasets is present (it is not in a user's clone)."""
    return SHARED.is_dir()


def committed(ident: str, title: str, services: str, body: str, started: str) -> str:
    """A foreign post-mortem as a user would commit it: the required keys, then its text."""
    front = (
        f"id: {ident}\ntitle: {json.dumps(title)}\nstarted_at: {started}\n"
        f"severity: P2\nservices: [{services}]\n"
    )
    return f"---\n{front}---\n{body}"


def loaded(name: str, text: str) -> Incident:
    incident, problems = incident_from_bytes(text.encode(), f"incidents/{name}", UTC)
    if incident is None:
        raise ValueError("; ".join(p.format() for p in problems))
    return incident


def danluu(include_uncategorized: bool = True) -> tuple[list[Incident], list[str]]:
    """danluu's one-paragraph summaries with the section a person filed each under.

    Only the required keys and the text. The summaries name no services, and the company
    that wrote one is not a service: as a fact it would tie a company's unrelated failures
    together. The same placeholder for all says nothing, as it should.
    """
    incidents, labels = [], []
    for line in (SHARED / "danluu-postmortems.jsonl").read_text().splitlines():
        row = json.loads(line)
        label = (row.get("categories") or ["Uncategorized"])[0]
        if label == "Uncategorized" and not include_uncategorized:
            continue
        ident = row["id"].replace(":", "-")
        text = committed(ident, row["title"], "unknown", f"## Summary\n{row['text']}\n", _UNDATED)
        incidents.append(loaded(f"{ident}.md", text))
        labels.append(label)
    return incidents, labels


def dfds_files() -> tuple[dict[str, str], dict[str, str]]:
    """DFDS's platform post-mortems as files to commit, and each one's stated category by id.

    The originals are Markdown without front matter; each gets the required keys, its date
    taken from its first dated line. The stats list holds the category: it is cut off so the
    engine never reads it.
    """
    files, labels = {}, {}
    for path in sorted((SHARED / "dfds-postmortems").iterdir()):
        if not path.name.startswith("PM"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        category = re.search(r"Category:\s*(.+)", text)
        body = re.split(r"(?m)^#+\s*Stats\s*$", text)[0]
        heading = re.search(r"(?m)^#\s+(.+)$", body)
        title = heading.group(1).strip() if heading else path.stem
        dated = re.search(r"\b(20\d\d-[01]\d-[0-3]\d)\b", body)
        ident = path.name.split(" ")[0]
        started = dated.group(1) if dated else _UNDATED
        files[f"{ident}.md"] = committed(ident, title, "platform", body, started)
        labels[ident] = category.group(1).strip() if category else "Unknown"
    return files, labels


def dfds() -> tuple[list[Incident], list[str]]:
    """DFDS's post-mortems, loaded as committed, with their stated category."""
    files, labels = dfds_files()
    incidents = [loaded(name, text) for name, text in files.items()]
    return incidents, [labels[i.id] for i in incidents]
