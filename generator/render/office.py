"""Office files (DOCX, XLSX) that are the same bytes whenever the policy is the same.

python-docx and openpyxl write zip archives whose members carry the time of saving; a
rebuild would then change every file and ``check`` would report them stale. The archive is
written again with each member dated to the policy's date, in the same order.
"""

from __future__ import annotations

import datetime
import zipfile
from io import BytesIO


def pinned_archive(archive: bytes, day: datetime.date) -> bytes:
    """The zip archive with every member's timestamp set to ``day``."""
    pinned = BytesIO()
    with zipfile.ZipFile(BytesIO(archive)) as source, zipfile.ZipFile(pinned, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=(day.year, day.month, day.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(member))
    return pinned.getvalue()


def policy_moment(day: datetime.date) -> datetime.datetime:
    """Midnight UTC of the policy's date, naive as the office formats store it."""
    return datetime.datetime.combine(day, datetime.time())
