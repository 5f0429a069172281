"""What a scan saw, held against the facts: each difference located in the facts file.

Errors are what the law forbids or the policy does not disclose: a cookie no declared name
matches, and a cookie that needs consent set before it was given (art. 399 of the Polish
Electronic Communications Law). Warnings are what the facts may overstate or the scan may have
missed: a declared cookie never seen, one kept longer than declared, storage keys no declared
item names, a host no recipient accounts for, a linked page that could not be opened.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from generator.errors import LocatedMessage, Location
from generator.facts import Company
from generator.facts.durations import longest_days
from generator.facts.processing import CookieCategory, StorageTechnology, host_matches
from generator.lint import counted, report_row
from generator.loading import DataPath, LoadedYaml, field_path, read_facts_file
from generator.project import display_name
from generator.scan import Observation, ScanOptions, SeenCookie, chromium, chromium_path, observe, start_urls
from generator.validation import validate_loaded

if TYPE_CHECKING:
    from playwright.sync_api import Browser

DAY_SECONDS = 86_400
LIFETIME_SLACK_DAYS = 1.0
"""Browsers round expiry times; a cookie must outlive its declared lifetime by more than this."""


@dataclass(frozen=True)
class Finding:
    rule: str
    error: bool
    message: LocatedMessage


def scan_site(
    urls: list[str],
    facts: Path,
    options: ScanOptions,
    *,
    executable: Path | None = None,
    browser: Browser | None = None,
) -> tuple[Observation, list[Finding]]:
    """Validate the facts, scan the site (in ``browser``, else a Chromium started for it), compare."""
    pages = start_urls(urls)
    loaded = read_facts_file(facts, display_name(facts), keep_going=True)
    company = validate_loaded(loaded)
    if browser is not None:
        seen = observe(browser, pages, options)
    else:
        with chromium(chromium_path(executable)) as started:
            seen = observe(started, pages, options)
    return seen, compare(seen, company, loaded, accepted=options.accept == "all")


def compare(seen: Observation, company: Company, loaded: LoadedYaml, *, accepted: bool) -> list[Finding]:
    """Every difference between what the site did and what the facts declare."""

    def at(path: DataPath, rule: str, text: str, *, error: bool) -> Finding:
        line, column = loaded.point_of_key(path)
        shown = f"{'' if error else 'warning: '}{rule}: {text}"
        return Finding(rule, error, LocatedMessage(Location(loaded.source, line, column), field_path(path), shown))

    cookies = company.cookies
    patterns = [re.compile(cookie.name_pattern) for cookie in cookies]

    def declared(name: str, technology: StorageTechnology) -> int | None:
        return next(
            (
                index
                for index, cookie in enumerate(cookies)
                if cookie.technology is technology and patterns[index].match(name)
            ),
            None,
        )

    findings: list[Finding] = []
    matched: set[int] = set()
    for cookie in sorted(seen.cookies.values(), key=lambda cookie: (cookie.name, cookie.domain)):
        index = declared(cookie.name, StorageTechnology.COOKIE)
        if index is None:
            findings.append(
                at(
                    ("cookies",),
                    "SCAN-UNDECLARED-COOKIE",
                    f"the cookie {_described(cookie)} is set (first seen on {cookie.page}) but no declared cookie "
                    "matches its name; declare it under cookies, or stop setting it",
                    error=True,
                )
            )
            continue
        matched.add(index)
        category = cookies[index].category
        if category is not CookieCategory.NECESSARY and cookie.before_consent:
            findings.append(
                at(
                    ("cookies", index, "category"),
                    "SCAN-BEFORE-CONSENT",
                    f"the {category.value} cookie {_described(cookie)} is set before any consent (on {cookie.page}); "
                    "art. 399 of the Electronic Communications Law requires consent first: load what sets it "
                    "only after the visitor accepts that category",
                    error=True,
                )
            )
        longer = _longer_than_declared(cookie, cookies[index].lifetime, seen.started)
        if longer:
            findings.append(at(("cookies", index, "lifetime"), "SCAN-LIFETIME", longer, error=False))
    for (area, key), page in sorted(seen.storage.items()):
        index = declared(key, StorageTechnology.LOCAL_STORAGE)
        if index is None:
            findings.append(
                at(
                    ("cookies",),
                    "SCAN-UNDECLARED-STORAGE",
                    f"{area} key '{key}' is written (first seen on {page}) but no cookie with technology "
                    "local_storage matches it; declare it under cookies",
                    error=False,
                )
            )
        else:
            matched.add(index)
    for index, item in enumerate(cookies):
        # Without consent, only the necessary cookies are expected; the pixel leaves nothing to see.
        expected = accepted or item.category is CookieCategory.NECESSARY
        if index not in matched and expected and item.technology is not StorageTechnology.PIXEL:
            findings.append(
                at(
                    ("cookies", index, "name"),
                    "SCAN-NOT-SEEN",
                    f"the declared {item.technology.value.replace('_', ' ')} '{item.name}' was not seen on the "
                    f"{len(seen.pages)} pages scanned{' after accepting all cookies' if accepted else ''}",
                    error=False,
                )
            )
    own = {urlsplit(f"//{netloc}").hostname for netloc in seen.scanned}
    own |= {urlsplit(website).hostname for website in company.document.websites}
    declared_hosts = [host for recipient in company.recipients for host in recipient.hosts]
    for host, page in sorted(seen.hosts.items()):
        if host not in own and not any(host_matches(host, pattern) for pattern in declared_hosts):
            findings.append(
                at(
                    ("recipients",),
                    "SCAN-UNKNOWN-HOST",
                    f"the site contacts {host} (first from {page}) but no recipient lists it under hosts; "
                    "add it to the recipient it belongs to, or stop contacting it",
                    error=False,
                )
            )
    findings.extend(
        Finding("SCAN-PAGE", False, LocatedMessage.about_file(where, f"warning: SCAN-PAGE: {problem}"))
        for where, problem in seen.problems
    )
    return findings


def _described(cookie: SeenCookie) -> str:
    party = "first party" if cookie.first_party else "third party"
    return f"'{cookie.name}' ({cookie.domain}, {party})"


def _longer_than_declared(cookie: SeenCookie, lifetime: Any, started: float) -> str | None:
    if cookie.expires is None:
        return None
    days = (cookie.expires - started) / DAY_SECONDS
    until = datetime.datetime.fromtimestamp(cookie.expires, datetime.UTC).date().isoformat()
    if lifetime is None:
        return f"the cookie {_described(cookie)} is kept until {until}, yet it is declared a session cookie"
    if days > longest_days(lifetime) + LIFETIME_SLACK_DAYS:
        described = _described(cookie)
        return f"the cookie {described} is kept {days:.0f} days (until {until}), longer than the declared {lifetime}"
    return None


def scan_report(seen: Observation, findings: list[Finding], *, as_json: bool) -> tuple[str, bool]:
    """The report as text or JSON, and whether it fails (any error)."""
    rows = [report_row(finding.message, "error" if finding.error else "warning", finding.rule) for finding in findings]
    failed = any(finding.error for finding in findings)
    if as_json:
        document = {"pages": seen.pages, "hosts": sorted(seen.hosts), "findings": rows}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n", failed
    errors = sum(1 for finding in findings if finding.error)
    warnings = len(findings) - errors
    summary = (
        f"{counted(len(seen.pages), 'page')} scanned: {counted(errors, 'error')}, {counted(warnings, 'warning')}\n"
    )
    return "".join(f"{row['text']}\n" for row in rows) + summary, failed
