"""Turning templates into bytes, and the ``--single-file`` zip.

Everything here is deterministic: the same template gives the same bytes, and
the same directory gives a byte-identical zip (sorted entries, fixed
timestamps and permissions), so packaging twice yields identical artifacts
and CI can diff or cache them. Callers decide where the bytes go.
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any

# The earliest timestamp a zip entry can hold; used for every entry so the
# archive does not depend on when (or on which machine) it was built.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class TemplateFormat(enum.Enum):
    """``--template-format``: how a SAM template is written."""

    JSON = "json"
    YAML = "yaml"

    @property
    def suffix(self) -> str:
        return ".json" if self is TemplateFormat.JSON else ".yaml"


def to_json(template: Any) -> str:
    """Indented JSON with a trailing newline; key order is the template's own."""
    return json.dumps(template, indent=2, ensure_ascii=False) + "\n"


def to_yaml(template: Any) -> str:
    """Block-style YAML via the safe dumper, in the template's key order (``yamlio``)."""
    from chalice.package import yamlio

    return yamlio.to_yaml(template)


def dump_template(template: Any, fmt: TemplateFormat) -> str:
    """The text of ``template`` in ``fmt``."""
    return to_json(template) if fmt is TemplateFormat.JSON else to_yaml(template)


def zip_directory(source: Path, target: Path) -> None:
    """Write every file under ``source`` into the zip ``target``, reproducibly.

    Entries are relative paths in sorted order, all dated 1980-01-01 with mode
    0644, deflated; directories are implied by the file paths.
    """
    import zipfile  # only for --single-file

    files = sorted(p for p in source.rglob("*") if p.is_file())
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100644 & 0xFFFF) << 16
            info.create_system = 3  # unix, so the mode above is honoured everywhere
            zf.writestr(info, path.read_bytes())
