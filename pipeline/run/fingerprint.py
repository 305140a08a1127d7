"""Fingerprints of what shapes a run's tables besides its pages: code, libraries, decisions.

A cached result is reused only under the same key (:mod:`pipeline.run.cache`), so the key
must change whenever anything that could change the result does: the caseclean code itself
(a developer's edit, an upgrade), the libraries that read and correct text, the rules, and
the reviewers' decisions.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from pipeline.decisions import DecisionBook
from pipeline.run.cache import key

PACKAGE = Path(__file__).resolve().parents[1]
LIBRARIES = (
    "beautifulsoup4",
    "charset-normalizer",
    "ftfy",
    "lxml",
    "rapidfuzz",
    "regex",
    "soupsieve",
    "spylls",
    "symspellpy",
    "wordfreq",
)
"""The libraries whose upgrade may change what a page reads or how a word is judged."""


def code_fingerprint() -> str:
    """A digest of caseclean's own source files, the Python version and the libraries'
    versions: results made by other code are not reused."""
    digest = hashlib.blake2b(digest_size=20)
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    digest.update(platform.python_version().encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=absent".encode())
    return digest.hexdigest()


def decisions_fingerprint(book: DecisionBook | None) -> str:
    """A digest of the decisions in force (none: the empty book's)."""
    decisions = sorted(
        json.dumps(d.to_json(), sort_keys=True) for d in (book.merged.values() if book else ())
    )
    return key("decisions", *decisions)
