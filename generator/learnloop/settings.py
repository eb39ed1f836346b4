"""learnloop.yml: declared once with defaults; every error reported together."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

from learnloop.errors import SettingsError
from learnloop.load import zone_named
from learnloop.load.feedback import export_setting
from learnloop.load.yamlsafe import YamlError, parse
from learnloop.model import SEVERITIES

if TYPE_CHECKING:
    from learnloop.read.blameless import Settings as BlamelessSettings
    from learnloop.read.themes import Lexicon

FILENAME = "learnloop.yml"
# What each section's reader is handed: `err(key, message)` records a problem at a dotted key;
# `mapping(key, value)` is the value as a mapping (an error, and {}, when it is not one).
Err: TypeAlias = Callable[[str, str], None]
AsMapping: TypeAlias = Callable[[str, Any], dict[str, Any]]

DEFAULT_DOWNTIME_PER_MINUTE = MappingProxyType(
    {"P0": 2000.0, "P1": 500.0, "P2": 100.0, "P3": 10.0, "P4": 0.0}
)
# Share of a recommendation's target cost it is assumed to remove, by kind of work: a fix of
# the cause removes most recurrences, earlier detection or faster mitigation shortens them.
DEFAULT_EXPECTED_REDUCTION = MappingProxyType(
    {"prevent": 0.6, "mitigate": 0.3, "detect": 0.5, "systemic": 0.4}
)
# Expected yearly saving from which a recommendation is CRITICAL, HIGH or MEDIUM (else LOW).
DEFAULT_PRIORITY_SAVING = MappingProxyType(
    {"critical": 100_000.0, "high": 25_000.0, "medium": 5_000.0}
)
PRIORITY_LEVELS = ("critical", "high", "medium")


@dataclass(frozen=True)
class Service:
    owner: str | None = None
    tier: int | None = None
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class CostModel:
    """What incidents and prevention work cost, and what prevention is assumed to save."""

    engineer_hourly_usd: float = 150.0
    downtime_per_minute_usd: MappingProxyType[str, float] = field(
        default_factory=lambda: DEFAULT_DOWNTIME_PER_MINUTE
    )
    sla_penalty_usd: float = 0.0
    # Per service tier; when one of an incident's services has a listed tier, the highest
    # such rate replaces the severity's rate. Empty by default: severity decides.
    downtime_per_minute_by_tier_usd: MappingProxyType[int, float] = field(
        default_factory=lambda: MappingProxyType({})
    )
    hours_per_day: float = 8.0  # one day of effort, for the cost of doing an action item
    default_effort_days: float = 3.0  # effort of a recommendation with no stated effort
    architectural_effort_days: float = 20.0  # effort of an architectural systemic fix
    expected_reduction: MappingProxyType[str, float] = field(
        default_factory=lambda: DEFAULT_EXPECTED_REDUCTION
    )
    priority_saving_usd: MappingProxyType[str, float] = field(
        default_factory=lambda: DEFAULT_PRIORITY_SAVING
    )
    quick_win_effort_days: float = 3.0  # at most this much effort counts as low effort


_COST_KEYS = {
    "engineer_hourly_usd",
    "downtime_per_minute_usd",
    "downtime_per_minute_by_tier_usd",
    "sla_penalty_usd",
    "hours_per_day",
    "default_effort_days",
    "architectural_effort_days",
    "expected_reduction",
    "priority_saving_usd",
    "quick_win_effort_days",
}


DEFAULT_SLACK_CHANNELS = ("inc-*", "inc_*", "incident-*", "incident_*", "incidents-*")


@dataclass(frozen=True)
class ImportSettings:
    """`import:`: how other tools' scales and names map onto ours."""

    # A source's severity label -> P0…P4; a format's name may hold its own such mapping.
    severity: MappingProxyType[str, object] = field(default_factory=lambda: MappingProxyType({}))
    # A source's component, service or id -> the service name used here.
    services: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    default_severity: str = "P3"  # for a source that states none (a warning says so)
    slack_channels: tuple[str, ...] = DEFAULT_SLACK_CHANNELS  # names of incident channels


def _shipped_themes() -> Lexicon:
    from learnloop.read.themes import shipped

    return shipped()


# Where GitHub reads a CODEOWNERS file, in the order it looks.
CODEOWNERS_FILES = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
_HANDLE = re.compile(
    r"@[A-Za-z0-9][A-Za-z0-9-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\s]+@[^@\s]+\.\w+"
)
_ORG = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


@dataclass(frozen=True)
class CodeownersSettings:
    """`codeowners:`: where the CODEOWNERS block goes and how owners become GitHub handles."""

    file: str | None = None  # None: the CODEOWNERS GitHub already reads, else the first place
    org: str | None = None  # a bare owner name `x` becomes @org/x
    handles: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def handle(self, owner: str) -> str | None:
        """The GitHub handle (or e-mail) an owner is asked under, or None when unknown."""
        if owner in self.handles:
            return self.handles[owner]
        if _HANDLE.fullmatch(owner):
            return owner
        if self.org and _ORG.fullmatch(owner):
            return f"@{self.org}/{owner}"
        return None


@dataclass(frozen=True)
class Settings:
    """Everything has a default; learnloop.yml only overrides."""

    review_period_days: int = 90
    cost: CostModel = field(default_factory=CostModel)
    distance_threshold: float | None = None  # None: the engine's tuned default
    privacy_allow: tuple[str, ...] = ()
    services: MappingProxyType[str, Service] = field(default_factory=lambda: MappingProxyType({}))
    repo_url: str | None = None
    edit_uri: str | None = None
    site_name: str = "Incident knowledge base"
    # Where timestamps written without a zone happened: an IANA name or an offset.
    timezone: str = "UTC"
    importing: ImportSettings = field(default_factory=ImportSettings)
    # The systemic themes: the shipped ones with the team's `themes:` added.
    themes: Lexicon = field(default_factory=_shipped_themes)
    # The team's communication policy: what to do per severity (P0…P4) and a status-page
    # text (`status_page`). Empty by default: runbooks then say that none is set.
    communication: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # `check`'s warnings about blaming language (read/blameless.py): on, with the shipped words.
    blameless: BlamelessSettings = field(default_factory=lambda: _blameless_default())
    codeowners: CodeownersSettings = field(default_factory=CodeownersSettings)
    # `feedback: {issues: …}`: where an export of the site's feedback issues is read from.
    feedback_issues: str | None = None
    # The tools the team runs (`reader.commands`), shown in runbooks as commands to run.
    commands: tuple[str, ...] = ()


def _blameless_default() -> BlamelessSettings:
    from learnloop.read.blameless import Settings as Blameless

    return Blameless()


_TOP = {
    "review_period_days", "cost", "clustering", "privacy", "services", "site", "timezone",
    "reader", "failure_modes", "themes", "import", "communication", "blameless", "codeowners",
    "feedback",
}  # fmt: skip
COMMUNICATION_KEYS = (*SEVERITIES, "status_page")


def load_settings(root: Path) -> Settings:
    """Settings from root/learnloop.yml, or the defaults when there is none."""
    path = root / FILENAME
    if not path.is_file():
        return Settings()
    try:
        parsed = parse(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, OSError) as exc:
        raise SettingsError([f"{FILENAME}:1: error: cannot read: {exc}"]) from None
    except YamlError as exc:
        raise SettingsError([f"{FILENAME}:{exc.line}: error: {exc.message}"]) from None
    return from_mapping(parsed.data or {}, parsed.lines)


def from_mapping(data: Any, lines: dict[str, int] | None = None) -> Settings:
    """Validate a settings mapping; raise SettingsError listing every problem."""
    lines = lines or {}
    errors: list[str] = []

    def err(key: str, message: str) -> None:
        errors.append(f"{FILENAME}:{lines.get(key, 1)}: error: {key}: {message}")

    if not isinstance(data, dict):
        raise SettingsError([f"{FILENAME}:1: error: expected a mapping of settings"])
    _unknown_keys("", data, _TOP, err)

    def number(key: str, value: Any, default: float, *, positive: bool = False) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            err(key, f"expected a non-negative number, got {value!r}")
            return default
        if positive and value == 0:
            err(key, "expected a number above 0")
            return default
        return float(value)

    def mapping(key: str, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            err(key, f"expected a mapping, got {type(value).__name__}")
            return {}
        return value

    review = int(number("review_period_days", data.get("review_period_days"), 90, positive=True))
    cost = _cost(mapping("cost", data.get("cost")), err, number, mapping)
    clustering = mapping("clustering", data.get("clustering"))
    # A misspelt key of a section would otherwise leave its default in force without a word.
    _unknown_keys("clustering.", clustering, {"distance_threshold"}, err)
    threshold = clustering.get("distance_threshold")
    if threshold is not None and not (
        isinstance(threshold, int | float) and not isinstance(threshold, bool) and 0 < threshold < 2
    ):
        err(
            "clustering.distance_threshold", f"expected a number between 0 and 2, got {threshold!r}"
        )
        threshold = None
    privacy = mapping("privacy", data.get("privacy"))
    _unknown_keys("privacy.", privacy, {"allow"}, err)
    allow = privacy.get("allow") or []
    allow_list: list[str] = []
    if not isinstance(allow, list):
        err("privacy.allow", "expected a list of regular expressions")
    for index, pattern in enumerate(allow if isinstance(allow, list) else []):
        try:
            re.compile(str(pattern))
            allow_list.append(str(pattern))
        except re.error as exc:
            err(f"privacy.allow.{index}", f"not a regular expression: {exc}")
    services: dict[str, Service] = {}
    for name, spec in sorted(mapping("services", data.get("services")).items()):
        spec = mapping(f"services.{name}", spec)
        _unknown_keys(f"services.{name}.", spec, {"owner", "tier", "depends_on"}, err)
        tier = spec.get("tier")
        if tier is not None and (not isinstance(tier, int) or isinstance(tier, bool)):
            err(f"services.{name}.tier", f"expected a whole number, got {tier!r}")
            tier = None
        deps = spec.get("depends_on") or []
        if not isinstance(deps, list):
            err(f"services.{name}.depends_on", "expected a list of service names")
            deps = []
        owner = spec.get("owner")
        services[str(name).strip().lower()] = Service(
            owner=str(owner) if owner is not None else None,
            tier=tier,
            depends_on=tuple(str(d).strip().lower() for d in deps),
        )
    communication: dict[str, str] = {}
    for key, value in mapping("communication", data.get("communication")).items():
        if key not in COMMUNICATION_KEYS:
            err(f"communication.{key}", f"expected one of {', '.join(COMMUNICATION_KEYS)}")
        elif not isinstance(value, str) or not value.strip():
            err(f"communication.{key}", f"expected a sentence, got {value!r}")
        else:
            communication[key] = " ".join(value.split())
    site = mapping("site", data.get("site"))
    _unknown_keys("site.", site, {"name", "repo_url", "edit_uri"}, err)
    themes = _vocabulary(data, lines, errors)
    commands = _commands(data.get("reader"), lines, errors)
    zone = data.get("timezone")
    if zone is not None and zone_named(zone) is None:
        err("timezone", f"expected a time zone such as Europe/Paris, UTC or +02:00, got {zone!r}")
        zone = None
    importing = _importing(mapping("import", data.get("import")), err, mapping)
    blameless = _blameless(data.get("blameless"), lines, errors)
    codeowners = _codeowners(mapping("codeowners", data.get("codeowners")), err, mapping)
    feedback = export_setting(mapping("feedback", data.get("feedback")), err)
    if errors:
        raise SettingsError(errors)
    return Settings(
        review_period_days=review,
        cost=cost,
        distance_threshold=float(threshold) if threshold is not None else None,
        privacy_allow=tuple(allow_list),
        services=MappingProxyType(services),
        repo_url=site.get("repo_url"),
        edit_uri=site.get("edit_uri"),
        site_name=str(site.get("name") or "Incident knowledge base"),
        timezone=str(zone).strip() if zone is not None else "UTC",
        importing=importing,
        themes=themes,
        communication=MappingProxyType(
            {k: communication[k] for k in COMMUNICATION_KEYS if k in communication}
        ),
        blameless=blameless,
        codeowners=codeowners,
        feedback_issues=feedback,
        commands=commands,
    )


def _blameless(value: Any, lines: dict[str, int], errors: list[str]) -> BlamelessSettings:
    """`blameless:`: false, or which entries are off and a team's own words."""
    from learnloop.read import blameless

    try:
        return blameless.settings_from(value, lines, FILENAME)
    except SettingsError as exc:
        errors.extend(exc.problems)
        return blameless.Settings()


def _vocabulary(data: dict[str, Any], lines: dict[str, int], errors: list[str]) -> Lexicon:
    """A team's words for the reader (`reader:`) and failure modes (`failure_modes:`), which
    the reader uses as they are, and its systemic themes (`themes:`), returned; here every
    mistake in them is reported."""
    from learnloop.read import failure_modes, lexicon, themes

    if data.get("reader") is not None:
        try:
            lexicon.extended(data["reader"])
        except SettingsError as exc:
            for problem in exc.problems:
                # Each names its key ("reader.cues.mitigation: …"): the line is that key's.
                key = problem.split(":", 1)[0]
                line = lines.get(key, lines.get("reader", 1))
                errors.append(f"{FILENAME}:{line}: error: {problem}")
    if data.get("failure_modes") is not None:
        try:
            failure_modes.load_catalogue(data["failure_modes"], lines=lines)
        except SettingsError as exc:
            errors.extend(exc.problems)
    if data.get("themes") is not None:
        try:
            return themes.load_themes(data["themes"], lines=lines)
        except SettingsError as exc:
            errors.extend(exc.problems)
    return themes.shipped()


def _commands(reader: Any, lines: dict[str, int], errors: list[str]) -> tuple[str, ...]:
    """`reader.commands`: the names of the tools a team runs."""
    from learnloop.read import commands

    if not isinstance(reader, dict):
        return ()  # reported with the rest of `reader:`
    try:
        return commands.team_names(reader.get("commands"), lines, FILENAME)
    except SettingsError as exc:
        errors.extend(exc.problems)
        return ()


def _unknown_keys(prefix: str, data: dict[Any, Any], known: set[str], err: Err) -> None:
    """Every key of a section learnloop does not know, each its own error, with the known."""
    for key in sorted(set(data) - known, key=str):
        err(f"{prefix}{key}", f"unknown setting; expected one of {', '.join(sorted(known))}")


_CODEOWNERS_KEYS = {"file", "org", "handles"}


def _codeowners(data: dict[str, Any], err: Err, mapping: AsMapping) -> CodeownersSettings:
    """The `codeowners:` section: one of the places GitHub reads, an org, handles."""
    _unknown_keys("codeowners.", data, _CODEOWNERS_KEYS, err)
    file = data.get("file")
    if file is not None and file not in CODEOWNERS_FILES:
        err("codeowners.file", f"expected one of {', '.join(CODEOWNERS_FILES)}, got {file!r}")
        file = None
    org = data.get("org")
    if org is not None and not (isinstance(org, str) and _ORG.fullmatch(org)):
        err("codeowners.org", f"expected a GitHub organization name, got {org!r}")
        org = None
    handles: dict[str, str] = {}
    for name, handle in mapping("codeowners.handles", data.get("handles")).items():
        if not isinstance(handle, str) or not _HANDLE.fullmatch(handle):
            err(
                f"codeowners.handles.{name}",
                f"expected @user, @org/team or an e-mail address, got {handle!r}",
            )
            continue
        handles[str(name)] = handle
    return CodeownersSettings(
        file=file, org=org, handles=MappingProxyType(dict(sorted(handles.items())))
    )


_IMPORT_KEYS = {"severity", "services", "default_severity", "slack_channels"}


def _importing(data: dict[str, Any], err: Err, mapping: AsMapping) -> ImportSettings:
    """The `import:` section; unknown keys and levels that are not P0…P4 go to err."""
    _unknown_keys("import.", data, _IMPORT_KEYS, err)
    severity: dict[str, object] = {}
    for label, level in mapping("import.severity", data.get("severity")).items():
        if isinstance(level, dict):  # a format's own scale
            own = {}
            for inner, value in level.items():
                if _level(value) is None:
                    err(f"import.severity.{label}.{inner}", f"expected P0–P4, got {value!r}")
                else:
                    own[str(inner)] = _level(value)
            severity[str(label)] = MappingProxyType(own)
        elif _level(level) is None:
            err(
                f"import.severity.{label}",
                f"expected P0–P4 (or a format's own mapping), got {level!r}",
            )
        else:
            severity[str(label)] = _level(level)
    services = {
        str(k): str(v) for k, v in mapping("import.services", data.get("services")).items() if v
    }
    default = data.get("default_severity", "P3")
    if _level(default) is None:
        err("import.default_severity", f"expected P0–P4, got {default!r}")
        default = "P3"
    channels = data.get("slack_channels", list(DEFAULT_SLACK_CHANNELS))
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        err("import.slack_channels", "expected a list of channel names or patterns (inc-*)")
        channels = list(DEFAULT_SLACK_CHANNELS)
    return ImportSettings(
        severity=MappingProxyType(severity),
        services=MappingProxyType(services),
        default_severity=str(_level(default)),
        slack_channels=tuple(channels),
    )


def _level(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    text = f"P{value}" if isinstance(value, int) else str(value).strip().upper()
    text = text.replace("SEV", "P").replace("-", "").replace(" ", "")
    return text if text in SEVERITIES else None


def _cost(
    cost_in: dict[str, Any], err: Err, number: Callable[..., float], mapping: AsMapping
) -> CostModel:
    """The cost model under `cost:`; unknown keys and bad values go to err."""
    _unknown_keys("cost.", cost_in, _COST_KEYS, err)

    def table(
        name: str, defaults: Mapping[str, float], known: Iterable[str], *, share: bool = False
    ) -> dict[str, float]:
        """`cost.<name>`: numbers by the names of `defaults`, over them; a share is at most 1."""
        key = f"cost.{name}"
        out = dict(defaults)
        for label, value in mapping(key, cost_in.get(name)).items():
            if label not in out:
                err(f"{key}.{label}", f"expected one of {', '.join(known)}")
                continue
            given = number(f"{key}.{label}", value, out[label])
            if share and given > 1:
                err(f"{key}.{label}", f"expected a share between 0 and 1, got {value!r}")
                continue
            out[label] = given
        return out

    downtime = table("downtime_per_minute_usd", DEFAULT_DOWNTIME_PER_MINUTE, SEVERITIES)
    tiers: dict[int, float] = {}
    key = "cost.downtime_per_minute_by_tier_usd"
    for tier, value in mapping(key, cost_in.get("downtime_per_minute_by_tier_usd")).items():
        if isinstance(tier, bool) or not isinstance(tier, int):
            err(f"{key}.{tier}", f"expected a whole-number service tier, got {tier!r}")
            continue
        tiers[tier] = number(f"{key}.{tier}", value, 0.0)
    reduction = table(
        "expected_reduction",
        DEFAULT_EXPECTED_REDUCTION,
        sorted(DEFAULT_EXPECTED_REDUCTION),
        share=True,
    )
    priority = table("priority_saving_usd", DEFAULT_PRIORITY_SAVING, PRIORITY_LEVELS)
    if not priority["critical"] >= priority["high"] >= priority["medium"]:
        err("cost.priority_saving_usd", "expected critical >= high >= medium")
        priority = dict(DEFAULT_PRIORITY_SAVING)

    def days(name: str, default: float) -> float:
        return number(f"cost.{name}", cost_in.get(name), default, positive=True)

    return CostModel(
        engineer_hourly_usd=number(
            "cost.engineer_hourly_usd", cost_in.get("engineer_hourly_usd"), 150.0
        ),
        downtime_per_minute_usd=MappingProxyType(downtime),
        sla_penalty_usd=number("cost.sla_penalty_usd", cost_in.get("sla_penalty_usd"), 0.0),
        downtime_per_minute_by_tier_usd=MappingProxyType(dict(sorted(tiers.items()))),
        hours_per_day=days("hours_per_day", 8.0),
        default_effort_days=days("default_effort_days", 3.0),
        architectural_effort_days=days("architectural_effort_days", 20.0),
        expected_reduction=MappingProxyType(reduction),
        priority_saving_usd=MappingProxyType(priority),
        quick_win_effort_days=days("quick_win_effort_days", 3.0),
    )
