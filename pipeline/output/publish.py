"""What a published dataset says about itself: the datapackage, Datasette's metadata and the
provenance of a run.

``datapackage.json`` (Frictionless) and ``metadata.json`` (Datasette) are both built from
:mod:`pipeline.output.schema`, so a column's description, its allowed values and the keys
between tables read the same in both. The provenance names the caseclean version, the rules
and the input that made the tables; it lives in ``datapackage.json`` only (the tables hold
no timestamp, so two runs of one input stay byte-identical). The licence and source of the
data are the user's to fill in ``metadata.json``; a run keeps what they wrote.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.output.schema import SQLITE_NAME, Column, TableSchema

TITLE = "caseclean output"
DESCRIPTION = (
    "Cases of a radiology teaching archive cleaned by caseclean: sections, typed fields and "
    "every spelling correction, applied or suggested, with the reviewers' decisions."
)
USER_FIELDS = ("title", "description", "license", "license_url", "source", "source_url")
"""Top-level fields of ``metadata.json`` the user may fill; a run keeps their values."""
FTS_SUFFIX = "_fts"
FTS_COLUMNS = {"sections": ("clean_text",)}
"""The full-text index of the SQLite file: table -> indexed columns."""


@dataclass(frozen=True)
class Provenance:
    """What made a dataset: caseclean's version and fingerprints of its rules and input."""

    caseclean_version: str
    rules_fingerprint: str
    input_fingerprint: str


def input_fingerprint(tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> str:
    """A hash of what was read: every page's case id and SHA-256, and every page that could
    not be read with its stage and error (paths are relative, so where the archive lies does
    not count).

    >>> a = input_fingerprint({"cases": [{"case_id": "a", "source_sha256": "1"}]})
    >>> a == input_fingerprint({"cases": [{"case_id": "a", "source_sha256": "2"}]})
    False
    """
    lines = [f"page\t{r['case_id']}\t{r['source_sha256']}" for r in tables.get("cases", [])]
    lines += [
        f"error\t{r['case_id']}\t{r['stage']}\t{r['error']}" for r in tables.get("errors", [])
    ]
    digest = hashlib.sha256()
    for line in sorted(lines):
        digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


def run_provenance(
    rules_digest: str, tables: Mapping[str, Iterable[Mapping[str, Any]]]
) -> Provenance:
    """The provenance of a run of this caseclean with these rules over these tables' input."""
    return Provenance(__version__, rules_digest, input_fingerprint(tables))


def joined_pattern(values: Sequence[str], separator: str) -> str:
    """A pattern for one or more of ``values`` joined by ``separator``.

    >>> p = joined_pattern(["ocr", "context"], "+")
    >>> bool(re.fullmatch(p, "ocr+context")), bool(re.fullmatch(p, "ocr+")), p
    (True, False, '(ocr|context)(\\\\+(ocr|context))*')
    """
    one = "(" + "|".join(re.escape(v) for v in values) + ")"
    return f"{one}({re.escape(separator)}{one})*"


def _field(column: Column) -> dict[str, Any]:
    """One column as a Frictionless field: type, description, constraints."""
    field: dict[str, Any] = {
        "name": column.name,
        "type": column.type,
        "description": column.description,
    }
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.allowed and column.joined:
        constraints["pattern"] = joined_pattern(column.allowed, column.joined)
    elif column.allowed and column.type != "array":
        constraints["enum"] = list(column.allowed)
    if constraints:
        field["constraints"] = constraints
    if column.type == "boolean":
        field.update(trueValues=["true"], falseValues=["false"])
    return field


def _resource(schema: TableSchema) -> dict[str, Any]:
    table: dict[str, Any] = {
        "fields": [_field(c) for c in schema.columns],
        "primaryKey": list(schema.primary_key),
        "missingValues": [""],
    }
    if schema.foreign_keys:
        table["foreignKeys"] = [
            {
                "fields": list(fk.columns),
                "reference": {"resource": fk.table, "fields": list(fk.references)},
            }
            for fk in schema.foreign_keys
        ]
    return {
        "name": schema.name,
        "title": schema.title,
        "path": f"{schema.name}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": table,
    }


def datapackage(
    schemas: Sequence[TableSchema], provenance: Provenance | None = None, title: str = TITLE
) -> dict[str, Any]:
    """The Frictionless Data Package that describes the CSV tables."""
    package: dict[str, Any] = {
        "name": "caseclean-output",
        "title": title,
        "description": DESCRIPTION,
        "resources": [_resource(s) for s in schemas],
    }
    if provenance is not None:
        package["provenance"] = asdict(provenance)
    return package


def user_fields(path: Path) -> dict[str, str]:
    """The fields a user filled in an existing ``metadata.json`` (none when it is missing or
    not a JSON object: a run never fails on it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: data[k] for k in USER_FIELDS if isinstance(data.get(k), str) and data[k]}


def datasette_metadata(
    schemas: Sequence[TableSchema], kept: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Datasette's ``metadata.json``: table titles, column descriptions, the full-text
    index, and the licence and source fields (empty, for the user to fill)."""
    tables: dict[str, Any] = {}
    for schema in schemas:
        table: dict[str, Any] = {
            "title": schema.title,
            "description": f"{schema.title}; key: {', '.join(schema.primary_key)}",
            "columns": {c.name: _described(c) for c in schema.columns},
        }
        if schema.name in FTS_COLUMNS:
            table.update(fts_table=schema.name + FTS_SUFFIX, fts_pk="rowid")
        tables[schema.name] = table
    top = {"title": TITLE, "description": DESCRIPTION}
    top.update({k: "" for k in USER_FIELDS if k not in top})
    top.update(kept or {})
    return {**top, "databases": {Path(SQLITE_NAME).stem: {"tables": tables}}}


def _described(column: Column) -> str:
    """A column's description with its allowed values, as Datasette shows it."""
    if not column.allowed:
        return column.description
    values = ", ".join(column.allowed)
    joined = f" (one or more, joined with {column.joined})" if column.joined else ""
    return f"{column.description}. Allowed: {values}{joined}"


def to_json(data: Mapping[str, Any]) -> str:
    """The same bytes for the same data: indented, keys in their given order."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
