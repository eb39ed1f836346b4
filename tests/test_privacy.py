"""Tests for the secret and personal-data detector behind `learnloop check`."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from learnloop.privacy import Finding, scan

# Credential-shaped fixtures are glued together at run time so that secret
# scanners watching the repository do not take them for leaked credentials.
AWS_KEY = "AKIA" + "Q3EGT7KM2N8P5R4V"
AWS_TEMP_KEY = "ASIA" + "Z7QK4M2N8P3R5T6V"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCY9q2Lk8Ws0T"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITHUB_PAT = "github_pat_" + "11ABCDEFG0a1b2C3d4E5f6_" + "G7h8I9j0K1L2m3N4o5P6q7R8s9T0u1V2w3X4"
GITLAB = "glpat-" + "x1Y2z3A4b5C6d7E8f9G0"
SLACK = "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx"
WEBHOOK = "https://hooks.slack.com/services/" + "T0123ABCD/B0123ABCD/" + "aBcDeFgHiJkLmNoPqRsTuVwX"
STRIPE = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
STRIPE_RESTRICTED = "rk_" + "live_" + "51Hx2Lm9Qw8Er7Ty6Ui5Op4"
STRIPE_TEST = "sk_" + "test_" + "26PHem9AhJZvU623DfE1x4sd"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"
JWT = ".".join(
    [
        "eyJhbGciOiJIUzI1NiJ9",
        "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
        "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0T",
    ]
)
PEM = (
    "-----BEGIN RSA " + "PRIVATE KEY-----\n"
    "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
    "-----END RSA " + "PRIVATE KEY-----"
)
DB_URL = "postgres://orders:" + "Tr0ub4dor-3" + "@db.internal"
REDIS_URL = "redis://:" + "s3cr3t-Cache9" + "@cache.internal"

# (kind, text, the reported value: the finding must start where it starts)
SECRETS = [
    ("aws-access-key", f"The deploy role used {AWS_KEY} until 09:40.", AWS_KEY),
    ("aws-access-key", f"temporary key {AWS_TEMP_KEY}", AWS_TEMP_KEY),
    ("aws-secret-key", f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET),
    ("github-token", f"export GH_TOKEN={GITHUB}", GITHUB),
    ("github-token", f"cloned with {GITHUB_PAT} by mistake", GITHUB_PAT),
    ("gitlab-token", f"CI used `{GITLAB}`", GITLAB),
    ("slack-token", f"The bot token {SLACK} was in the log", SLACK),
    ("slack-webhook", f"Alerts went to {WEBHOOK} instead", WEBHOOK),
    ("stripe-key", f"STRIPE_KEY={STRIPE}", STRIPE),
    ("stripe-key", f"restricted key {STRIPE_RESTRICTED}", STRIPE_RESTRICTED),
    ("stripe-key", f"the test key {STRIPE_TEST}", STRIPE_TEST),
    ("google-api-key", f"https://maps.googleapis.com/maps/api/js?key={GOOGLE}", GOOGLE),
    ("jwt", f"Authorization: Bearer {JWT}", JWT),
    ("private-key", f"The runbook pasted:\n\n{PEM}\n", PEM),
    ("password-in-url", f"DATABASE_URL={DB_URL}:5432/orders", DB_URL),
    ("password-in-url", f"REDIS={REDIS_URL}:6379", REDIS_URL),
    ("generic-secret-assignment", "PGPASSWORD=" + "Tr0ub4dor-3" + " psql -h db", "Tr0ub4dor-3"),
    ("generic-secret-assignment", 'db_passwd: "' + "s3cr3t-P4ss" + '"', "s3cr3t-P4ss"),
    (
        "generic-secret-assignment",
        "client_secret: '" + "9f8e7d6c5b4a3928" + "'",
        "9f8e7d6c5b4a3928",
    ),
    ("generic-secret-assignment", "curl -H 'X-API-Key: " + "3b1f9c2d8e7a" + "'", "3b1f9c2d8e7a"),
    (
        "generic-secret-assignment",
        '{"refresh_token": "' + "dGhpc2lzYXNlY3JldA9x" + '"}',
        "dGhpc2lzYXNlY3JldA9x",
    ),
    ("generic-secret-assignment", "SECRET_KEY=" + "Summer!2025", "Summer!2025"),
    ("generic-secret-assignment", "- token: `" + "k8Jd02mPq7Xz" + "`", "k8Jd02mPq7Xz"),
]

PERSONAL = [
    ("email", "Reported by jane.doe@acme-corp.com at 09:12.", "jane.doe@acme-corp.com"),
    ("email", "cc: <Ops.Lead+pager@Shop.co.uk>", "Ops.Lead+pager@Shop.co.uk"),
    ("email", "https://shop.com/unsubscribe?to=jane@acme-corp.com", "jane@acme-corp.com"),
    ("phone", "We called the vendor at (415) 867-5309.", "(415) 867-5309"),
    ("phone", "vendor hotline 415-867-5309, ask for Sam", "415-867-5309"),
    ("phone", "London desk: +44 20 7946 0958.", "+44 20 7946 0958"),
    ("phone", "SMS went to +14158675309 only", "+14158675309"),
    ("phone", "Berlin office 030 12345678 was unreachable", "030 12345678"),
    ("card-number", "Card 4111 1111 1111 1111 was charged twice.", "4111 1111 1111 1111"),
    ("card-number", "card=4111111111111111 in the request log", "4111111111111111"),
    ("card-number", "Amex 3782-822463-10005 declined", "3782-822463-10005"),
    ("ipv4", "Traffic from 81.2.69.160 spiked at 09:12.", "81.2.69.160"),
    ("ipv4", "blocked 10.4.2.17/32 and moved on", "10.4.2.17"),
    ("ipv6", "client 2a00:1450:4001:80b::200e retried", "2a00:1450:4001:80b::200e"),
    (
        "ipv6",
        "peer 2a00:1450:4001:080b:0000:0000:0000:200e",
        "2a00:1450:4001:080b:0000:0000:0000:200e",
    ),
]

# (kind the text might be mistaken for, text): none of these may produce any finding.
HARMLESS = [
    ("aws-access-key", "AWS documents " + "AKIA" + "IOSFODNN7EXAMPLE" + " as a sample key"),
    ("aws-access-key", "keys start with AKIA or ASIA"),
    ("aws-secret-key", "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}"),
    ("github-token", "the ghp_ prefix marks classic tokens"),
    ("gitlab-token", "set GITLAB_TOKEN to glpat-<your token>"),
    ("slack-token", "xoxb-" + "XXXXXXXXXXXX-XXXXXXXXXXXXX"),
    ("slack-webhook", "https://hooks.slack.com/services/" + "T000/B000/XXXXXXXXXXXXXXXX"),
    ("stripe-key", "sk_live_ keys are rotated quarterly"),
    ("google-api-key", "AIza keys are restricted by referrer"),
    ("jwt", "eyJ is how base64-encoded JSON starts"),
    ("private-key", "-----BEGIN CERTIFICATE-----"),
    ("private-key", "we rotated the private key at 10:02"),
    ("password-in-url", "https://api.shop.internal:443/v1/orders"),
    ("password-in-url", "git clone ssh://git@github.com/shop/orders.git"),
    ("generic-secret-assignment", "we rotated the api key"),
    ("generic-secret-assignment", "the token bucket refilled at 500 req/s"),
    ("generic-secret-assignment", "password reset emails failed for 14 minutes"),
    ("generic-secret-assignment", "secret: the rotation job"),
    ("generic-secret-assignment", "secret: orders-db-credentials-v2"),
    ("generic-secret-assignment", "token: 2025-03-14T09:12:00Z"),
    ("generic-secret-assignment", "token_ttl: 3600s"),
    ("generic-secret-assignment", "password: ${DB_PASSWORD}"),
    ("generic-secret-assignment", "password=********"),
    ("generic-secret-assignment", "api_key: REDACTED"),
    ("generic-secret-assignment", "api_key: <your-api-key>"),
    ("generic-secret-assignment", "secretName: orders-tls"),
    ("generic-secret-assignment", "password_reset_url: https://shop.example.com/reset"),
    ("email", "write to ops@example.com or status@status.example.org"),
    ("email", "oncall@shop.test, noreply@mail.invalid, a@b.example"),
    ("email", "git@github.com:shop/orders.git and logo@2x.png and @oncall"),
    ("email", "ssh://deploy@bastion.shop.com and postgres://app:***@db.shop.com/orders"),
    ("phone", "2025-03-14 09:12 2025-03-14T09:12:00Z 00:04:12 PT1H35M 1h35m"),
    ("phone", "12,400 customers, $18,300 lost, 1,234,567 requests"),
    ("phone", "v1.2.3 INC-2025-031 OPS-4471 PR #8812 port :443 pid 31337"),
    ("phone", "fictional numbers (415) 555-0132, 415-555-0199 and +1 415 555 0100"),
    ("phone", "epoch 1710407520 and build 2025.03.14.1"),
    ("card-number", "4111 1111 1111 1112 fails the checksum"),
    ("card-number", "0000 0000 0000 0000 and 4444444444444444"),
    ("card-number", "epoch millis 1710407520000"),
    ("ipv4", "docs use 192.0.2.10, 198.51.100.7 and 203.0.113.9"),
    ("ipv4", "bound to 127.0.0.1 and 0.0.0.0; metadata at 169.254.169.254"),
    ("ipv4", "upgraded to v1.2.3.4, version 10.2.0.1 and 1.2.3.4.5"),
    ("ipv4", "999.1.1.1 is not an address; netmask 255.255.255.0"),
    ("ipv6", "docs use 2001:db8::1 and ::1; link-local fe80::1"),
    ("ipv6", "at 09:12:00, MAC 00:1a:2b:3c:4d:5e, std::vector"),
]

PLACEHOLDER_PASSWORDS = ["***", "xxx", "<password>", "${DB_PASSWORD}", "$DB_PASSWORD", "password"]


def luhn_complete(digits: str) -> str:
    """The digits with the Luhn check digit appended."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (1 if i % 2 else 2)
        total += d - 9 if d > 9 else d
    return digits + str(-total % 10)


def only(text: str) -> Finding:
    """The single finding in text."""
    findings = scan(text)
    assert len(findings) == 1, findings
    return findings[0]


@pytest.mark.parametrize(("kind", "text", "value"), SECRETS + PERSONAL)
def test_finds_each_kind_where_it_starts(kind: str, text: str, value: str) -> None:
    finding = only(text)
    before = text[: text.index(value)]
    assert finding.kind == kind
    assert (finding.line, finding.column) == (
        before.count("\n") + 1,
        len(before.split("\n")[-1]) + 1,
    )


@pytest.mark.parametrize(("kind", "text", "value"), SECRETS)
def test_secrets_are_errors_with_redacted_messages(kind: str, text: str, value: str) -> None:
    finding = only(text)
    assert finding.level == "error"
    assert "…" in finding.message
    assert value not in finding.message
    assert "remove it" in finding.message


@pytest.mark.parametrize(("kind", "text", "value"), PERSONAL)
def test_personal_data_is_a_warning_without_the_value(kind: str, text: str, value: str) -> None:
    finding = only(text)
    assert finding.level == "warning"
    assert value not in finding.message


def test_message_shows_the_first_characters() -> None:
    assert "'AKIA…'" in only(f"key {AWS_KEY}").message
    assert "'postgres://orders:…@'" in only(DB_URL).message
    assert "'Tr0u…'" in only("password=Tr0ub4dor-3").message


@pytest.mark.parametrize(("kind", "text"), HARMLESS)
def test_harmless_text_is_not_flagged(kind: str, text: str) -> None:
    assert scan(text) == []


@pytest.mark.parametrize("password", PLACEHOLDER_PASSWORDS)
def test_placeholder_passwords_in_urls_are_fine(password: str) -> None:
    assert scan(f"DATABASE_URL=postgres://orders:{password}@db.internal/orders") == []
    assert scan("postgres://orders:{{ db_password }}@db.internal/orders") == []


def test_ungrouped_number_needs_a_card_issuer_prefix() -> None:
    number = luhn_complete("171040752000123")  # Luhn-valid, but no network starts with 17
    assert scan(f"order {number} shipped") == []
    assert only(f"order {luhn_complete('401288888888188')} paid").kind == "card-number"


def test_line_and_column_count_from_first_line() -> None:
    text = "## Timeline\n\n- 09:12 paged jane@acme-corp.com\n\tkey " + AWS_KEY + "\n"
    findings = scan(text, first_line=7)
    assert [(f.line, f.column, f.kind) for f in findings] == [
        (9, 15, "email"),
        (10, 6, "aws-access-key"),
    ]
    assert [(f.line, f.column) for f in scan(text)] == [(3, 15), (4, 6)]


def test_columns_survive_crlf_and_letters_that_lower_to_two_characters() -> None:
    text = "İstanbul office\r\nİİ PASSWORD=Tr0ub4dor-3 and jane@acme-corp.com"
    findings = scan(text)
    assert [(f.line, f.column, f.kind) for f in findings] == [
        (2, 13, "generic-secret-assignment"),
        (2, 29, "email"),
    ]


def test_findings_are_sorted_by_line_column_and_kind() -> None:
    text = f"81.2.69.160 {GITHUB}\njane@acme-corp.com then {AWS_KEY}\n(415) 867-5309"
    findings = scan(text)
    assert [f.kind for f in findings] == [
        "ipv4",
        "github-token",
        "email",
        "aws-access-key",
        "phone",
    ]
    assert findings == sorted(findings, key=lambda f: (f.line, f.column, f.kind))


def test_overlapping_matches_are_reported_once_by_the_most_specific_rule() -> None:
    assert only(f"token = {GITHUB}").kind == "github-token"
    assert only(f"api_key={GOOGLE}").kind == "google-api-key"
    assert only(f"jwt_token: {JWT}").kind == "jwt"
    assert only(f"{DB_URL}.com/orders").kind == "password-in-url"  # not also an e-mail
    assert only(f"{PEM.replace('MIIB', AWS_KEY)}").kind == "private-key"


def test_allow_list_ignores_fully_matching_values() -> None:
    text = "Status updates: status@acme-corp.com, escalations: jane@acme-corp.com"
    allowed = scan(text, allow=[r"status@acme-corp\.com"])
    assert [f.column for f in allowed] == [text.index("jane") + 1]
    assert len(scan(text, allow=["status"])) == 2  # must match the whole value
    assert scan("hosts 10.0.0.5 and 10.0.0.6", allow=[r"10\.0\.0\.\d+"]) == []
    assert scan("hosts 10.0.0.5 and 10.0.0.6", allow=[r"^10\.0\.0\.\d+$"]) == []
    assert scan("postgres://ci:ci-only-pw1@localhost", allow=["postgres://ci:.*"]) == []


INCIDENT = """\
---
id: INC-2025-031
title: Checkout latency after orders-api 4.18.2
severity: P2
started: 2025-03-14T09:12:00Z
resolved: 2025-03-14T10:47:30+01:00
services: [orders-api, payments, pgbouncer]
owner: team-checkout
customers_affected: 12400
revenue_usd: 18300.50
status_page: https://status.example.com/incidents/031
---

## Summary

At 09:12 UTC orders-api v4.18.2 raised p99 latency from 180 ms to 2.4 s (p50 0.35 s).
About 12,400 customers saw errors; estimated impact $18,300 over 1h35m (PT1H35M).
The token bucket on the edge limiter refilled at 500 req/s, so retries piled up.

## Timeline

- 09:12 Deploy of orders-api 4.18.2 (build 2025.03.14.1, commit 9f3c2ab) finished.
- 09:14:58 Alert `OrdersP99High` fired; error rate 0.4% -> 7.9% (x19.75).
- 09:21 `kubectl patch hpa orders-api -p '{"spec":{"maxReplicas":20}}'`
- 09:30 `SELECT count(*) FROM pg_stat_activity` showed 498/500 connections.
- 09:41 `openssl s_client -connect api.shop.internal:443 -servername api.shop.internal`
- 09:52 `curl -s http://localhost:9102/metrics | grep pgbouncer_pools_client_active`
- 10:02 Rolled back to 4.17.9; we rotated the api key for the search vendor.
- 10:47 Error rate back under 0.1%; password reset emails failed for 14 minutes.

## Root cause

Release 4.18.2 raised the pool size from 50 to 200 per pod x 12 pods = 2,400
connections against a pgbouncer limit of 500 (max_client_conn=500, default_pool_size=20).
Kubernetes 1.29.3, Go 1.22.1 and pgbouncer 1.21.0 were not involved.
Ticket OPS-4471, PR #8812, trace 4bf92f3577b34da6a3ce929d0e0e4736, span 00f067aa0ba902b7.
secret: the rotation job ran at 03:00 as usual and took 00:04:12.
Test traffic came from 203.0.113.7 and 2001:db8:85a3::8a2e:370:7334; oncall@example.com
was paged via +1 415 555 0123. Image sha256:4f5e6d7c8b9a, timeout=30s, retries: 3.

| Metric | Before | During | After |
|---|---|---|---|
| p99 (ms) | 180 | 2,400 | 175 |
| 5xx / min | 3 | 1,820 | 2 |
| Cost (USD) | 0 | 18,300.00 | 0 |
"""


def test_an_incident_full_of_numbers_and_commands_is_clean() -> None:
    assert scan(INCIDENT) == []


@given(st.text())
def test_scan_never_raises_on_arbitrary_text(text: str) -> None:
    findings = scan(text)
    assert findings == sorted(findings, key=lambda f: (f.line, f.column, f.kind))
    assert all(1 <= f.line <= text.count("\n") + 1 and f.column >= 1 for f in findings)


@given(st.text(alphabet="0123456789abcdefAKIS.:-+()@_=/ x\n\"'", max_size=200))
def test_scan_never_raises_on_text_close_to_the_patterns(text: str) -> None:
    for finding in scan(text, first_line=5):
        assert finding.line >= 5
        assert finding.level in ("error", "warning")


digits15 = st.text(alphabet="0123456789", min_size=15, max_size=15)


def grouped(number: str, sep: str) -> str:
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


@given(digits15, st.sampled_from([" ", "-"]), st.sampled_from(["Card ", "paid with card=", "("]))
def test_any_luhn_valid_grouped_card_is_found(digits: str, sep: str, lead: str) -> None:
    number = luhn_complete(digits)
    assume(len(set(number)) > 1)
    text = f"{lead}{grouped(number, sep)} was charged twice."
    assert [(f.kind, f.column) for f in scan(text)] == [("card-number", len(lead) + 1)]


@given(st.sampled_from(["4", "51", "55", "2221", "6011", "65", "35"]), digits15)
def test_any_luhn_valid_ungrouped_card_is_found(prefix: str, digits: str) -> None:
    number = luhn_complete((prefix + digits)[:15])
    assume(len(set(number)) > 1)
    assert [f.kind for f in scan(f"The customer's card {number} was declined.")] == ["card-number"]


@given(digits15, st.integers(1, 9), st.sampled_from(["", " ", "-"]))
def test_a_luhn_invalid_card_is_not_found(digits: str, offset: int, sep: str) -> None:
    valid = luhn_complete(digits)
    number = valid[:-1] + str((int(valid[-1]) + offset) % 10)
    text = f"Card {grouped(number, sep)} was charged twice."
    assert "card-number" not in [f.kind for f in scan(text)]
