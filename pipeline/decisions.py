"""Reviewers' decisions: kept in a plain file, honoured by every later run.

A reviewer accepts or rejects corrections in ``caseclean review``. Each decision is one JSON
object a line in ``decisions.jsonl`` in the output folder (sorted, so the file diffs well), and
can be exported to ``rules/decisions.jsonl`` to share. Decisions have three scopes:

- ``edit``: one edit, keyed by case, section, original, replacement and up to 20 characters
  of raw text either side. Offsets are not part of the key, so a decision survives a re-run
  and changes elsewhere on the page;
- ``pair``: every edit of ``original`` → ``replacement``, on every page, new pages included;
- ``rule``: every edit made by one rule, or only those whose confidence lies in a range
  (``cmin``..``cmax``, both included): a bulk decision.

An accepted edit or pair decision may carry a ``choice``: another reading of the span (one
of the corrector's alternatives) to apply instead of its replacement. When several decisions
match an edit the most specific wins (edit, then pair, then rule, a narrower confidence range
before a wider one); for the same key the output folder's file overrides the shared rules
file.
:func:`honour` applies a book of decisions to one section's edits; it is pure, so the engine,
the review app and the tests all see the same outcome.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.atomic import write_atomic
from pipeline.edits import Edit, overlaps
from pipeline.pickling import tuple_state

DECISIONS_FILE = "decisions.jsonl"
CONTEXT = 20
SCOPES = ("edit", "pair", "rule")
VALUES = ("accepted", "rejected")
_SPACE = re.compile(r"\s+")

Key = tuple[str, ...]


class DecisionsError(ValueError):
    """A decisions file is malformed: said with the file and line."""


def norm(text: str) -> str:
    """Fold whitespace runs to one space, so a re-wrapped line still matches."""
    return _SPACE.sub(" ", text)


def context(raw: str, start: int, end: int, width: int = CONTEXT) -> tuple[str, str]:
    """Up to ``width`` characters of raw text before and after a span, whitespace folded."""
    return norm(raw[max(0, start - width) : start]), norm(raw[end : end + width])


@tuple_state
@dataclass(frozen=True, slots=True)
class Decision:
    """One reviewer decision; which fields matter depends on ``scope``."""

    scope: str
    value: str
    case_id: str = ""
    section: str = ""
    original: str = ""
    replacement: str = ""
    before: str = ""
    after: str = ""
    rule: str = ""
    choice: str = ""
    cmin: float | None = None
    cmax: float | None = None

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"unknown decision scope {self.scope!r} (use {', '.join(SCOPES)})")
        if self.value not in VALUES:
            raise ValueError(f"unknown decision {self.value!r} (use accepted or rejected)")
        if self.scope == "rule" and not self.rule:
            raise ValueError("a rule decision needs a rule")
        if self.scope == "edit" and not self.case_id:
            raise ValueError("an edit decision needs a case_id")
        if self.choice and (self.scope == "rule" or self.value != "accepted"):
            raise ValueError("only an accepted edit or pair decision chooses a reading")
        bounded = (self.cmin, self.cmax) != (None, None)
        if bounded and self.scope != "rule":
            raise ValueError("only a rule decision has a confidence range")
        if bounded and not 0.0 <= self.low <= self.high <= 1.0:
            raise ValueError(f"bad confidence range {self.low}..{self.high}")

    @property
    def low(self) -> float:
        return 0.0 if self.cmin is None else float(self.cmin)

    @property
    def high(self) -> float:
        return 1.0 if self.cmax is None else float(self.cmax)

    def covers(self, confidence: float) -> bool:
        """Whether the decision's confidence range holds ``confidence`` (edges included)."""
        return self.low <= confidence <= self.high

    @property
    def key(self) -> Key:
        """What the decision is about; two decisions with one key cannot both hold."""
        if self.scope == "rule":
            if (self.cmin, self.cmax) == (None, None):
                return ("rule", self.rule)
            return ("rule", self.rule, f"{self.low:g}", f"{self.high:g}")
        pair = (norm(self.original), norm(self.replacement))
        if self.scope == "pair":
            return ("pair", *pair)
        return ("edit", self.case_id, self.section, *pair, self.before, self.after)

    def to_json(self) -> dict[str, Any]:
        """The decision as written to the file: only the fields its scope uses."""
        names = {
            "edit": ("case_id", "section", "original", "replacement", "before", "after"),
            "pair": ("original", "replacement"),
            "rule": ("rule",),
        }[self.scope]
        out: dict[str, Any] = {"scope": self.scope, "decision": self.value}
        out.update({name: getattr(self, name) for name in names})
        if self.choice:
            out["choice"] = self.choice
        out.update({n: getattr(self, n) for n in ("cmin", "cmax") if getattr(self, n) is not None})
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        """A decision from one line of a decisions file; unknown fields are ignored."""
        if not isinstance(data, Mapping):
            raise ValueError("each line must hold a JSON object")
        fields = {
            name: data[name]
            for name in (
                "case_id",
                "section",
                "original",
                "replacement",
                "before",
                "after",
                "rule",
                "choice",
            )
            if name in data
        }
        if any(not isinstance(v, str) for v in fields.values()):
            raise ValueError("decision fields must be strings")
        bounds = {name: data[name] for name in ("cmin", "cmax") if name in data}
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in bounds.values()):
            raise ValueError("cmin and cmax must be numbers")
        return cls(
            scope=str(data.get("scope")), value=str(data.get("decision")), **fields, **bounds
        )


def for_edit(
    case_id: str, section: str, raw: str, edit: Edit, scope: str, value: str, choice: str = ""
) -> Decision:
    """The decision of ``scope`` that covers ``edit`` (found at its offsets in ``raw``);
    ``choice`` is the reading an accepted edit or pair decision applies instead."""
    choice = "" if choice == edit.replacement else choice
    if scope == "rule":
        return Decision("rule", value, rule=edit.rule)
    if scope == "pair":
        return Decision(
            "pair", value, original=edit.original, replacement=edit.replacement, choice=choice
        )
    before, after = context(raw, edit.start, edit.end)
    return Decision(
        "edit",
        value,
        case_id=case_id,
        section=section,
        original=edit.original,
        replacement=edit.replacement,
        before=before,
        after=after,
        choice=choice,
    )


def _sort_key(decision: Decision) -> tuple[int, Key]:
    return (SCOPES.index(decision.scope), decision.key)


def read_decisions(path: Path) -> dict[Key, Decision]:
    """The decisions in one file (none when it does not exist), later lines winning."""
    path = Path(path)
    if not path.exists():
        return {}
    out: dict[Key, Decision] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            decision = Decision.from_json(json.loads(line))
        except (ValueError, TypeError) as exc:
            raise DecisionsError(f"{path}:{number}: {exc}") from exc
        out[decision.key] = decision
    return out


def dump_decisions(decisions: Iterable[Decision]) -> str:
    """The text of a decisions file: one sorted JSON object a line, the same bytes every time."""
    lines = [
        json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True)
        for d in sorted(decisions, key=_sort_key)
    ]
    return "".join(line + "\n" for line in lines)


def write_decisions(path: Path, decisions: Iterable[Decision]) -> None:
    """Write a decisions file atomically: a crash leaves the old file or the new, never half."""
    write_atomic(path, dump_decisions(decisions))


def _default_rules_dir() -> Path:
    from pipeline.rules import DEFAULT_RULES_DIR

    return DEFAULT_RULES_DIR


@dataclass(frozen=True)
class DecisionBook:
    """Shared decisions (``rules/``) overlaid with the output folder's own (``local``)."""

    shared: Mapping[Key, Decision] = field(default_factory=dict)
    local: Mapping[Key, Decision] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path | None, rules_dir: Path | None = None) -> DecisionBook:
        """Read ``rules_dir/decisions.jsonl`` then ``out_dir/decisions.jsonl``."""
        rules_dir = Path(rules_dir) if rules_dir is not None else _default_rules_dir()
        shared = read_decisions(rules_dir / DECISIONS_FILE)
        local = read_decisions(Path(out_dir) / DECISIONS_FILE) if out_dir is not None else {}
        return cls(shared, local)

    @classmethod
    def of(cls, decisions: Iterable[Decision]) -> DecisionBook:
        """A book of local decisions only; later ones override earlier ones with their key."""
        return cls({}, {d.key: d for d in decisions})

    def __bool__(self) -> bool:
        return bool(self.shared or self.local)

    def __len__(self) -> int:
        return len(self.merged)

    @cached_property
    def merged(self) -> dict[Key, Decision]:
        """Every decision in force: the local one where both files hold a key."""
        return {**self.shared, **self.local}

    @cached_property
    def _index(self) -> _Index:
        return _index(self.merged)

    def with_local(self, key: Key, decision: Decision | None) -> DecisionBook:
        """A new book with one local decision set, or removed when ``decision`` is None."""
        local = dict(self.local)
        if decision is None:
            local.pop(key, None)
        else:
            local[decision.key] = decision
        return DecisionBook(self.shared, local)

    def match(self, case_id: str, section: str, raw: str, edits: Sequence[Edit]) -> list[Match]:
        """The decision in force for each of one section's edits (None when there is none)."""
        return _match(self._index, case_id, section, raw, edits)


@dataclass(frozen=True)
class _Index:
    edits: dict[Key, list[Decision]]
    pairs: dict[Key, Decision]
    rules: dict[str, list[Decision]]
    """A rule's decisions, narrowest confidence range first."""


def _index(decisions: Mapping[Key, Decision]) -> _Index:
    """Decisions by what they are matched on, built once per book."""
    edits: dict[Key, list[Decision]] = {}
    pairs: dict[Key, Decision] = {}
    rules: dict[str, list[Decision]] = {}
    for decision in decisions.values():
        pair = (norm(decision.original), norm(decision.replacement))
        if decision.scope == "edit":
            edits.setdefault((decision.case_id, decision.section, *pair), []).append(decision)
        elif decision.scope == "pair":
            pairs[pair] = decision
        else:
            rules.setdefault(decision.rule, []).append(decision)
    for found in rules.values():
        found.sort(key=lambda d: (d.high - d.low, d.key))
    return _Index(edits, pairs, rules)


def _rule_decision(index: _Index, edit: Edit) -> Decision | None:
    """The narrowest rule decision whose range holds the edit's confidence."""
    return next((d for d in index.rules.get(edit.rule, []) if d.covers(edit.confidence)), None)


@dataclass(frozen=True)
class Match:
    """The decision that covers one edit (None when no decision does)."""

    decision: Decision | None

    @property
    def value(self) -> str | None:
        return self.decision.value if self.decision else None

    @property
    def scope(self) -> str | None:
        return self.decision.scope if self.decision else None


def _match(
    index: _Index, case_id: str, section: str, raw: str, edits: Sequence[Edit]
) -> list[Match]:
    """Most specific first. An edit decision whose context changed still matches when it is
    the only one for its pair in the section and the section has one such edit."""
    pairs = [(norm(e.original), norm(e.replacement)) for e in edits]
    out: list[Match] = []
    for edit, pair in zip(edits, pairs, strict=True):
        found: Decision | None = None
        candidates = index.edits.get((case_id, section, *pair), [])
        if candidates:
            before, after = context(raw, edit.start, edit.end)
            exact = [d for d in candidates if (d.before, d.after) == (before, after)]
            if exact:
                found = exact[-1]
            elif len(candidates) == 1 and pairs.count(pair) == 1:
                found = candidates[0]
        if found is None:
            found = index.pairs.get(pair)
        if found is None:
            found = _rule_decision(index, edit)
        out.append(Match(found))
    return out


_RANK = {"edit": 0, "pair": 1, "rule": 2}


@dataclass(frozen=True)
class Outcome:
    """One edit after honouring: the edit itself and why it ended that way."""

    edit: Edit
    decision: Decision | None
    superseded: bool = False


def resolve(
    case_id: str, section: str, raw: str, edits: Sequence[Edit], book: DecisionBook
) -> list[Outcome]:
    """:func:`honour` with the reasons: which decision covered each edit, and what was displaced.

    Accepted edits are applied, most specific decision first, then higher confidence; an
    applied edit they overlap is displaced (not applied, marked rejected). An accepted edit
    that overlaps a stronger accepted one stays accepted but cannot be applied.
    """
    matches = book.match(case_id, section, raw, edits) if book else [Match(None)] * len(edits)
    wanted = []
    for edit, match in zip(edits, matches, strict=True):
        applied = edit.applied if match.value is None else match.value == "accepted"
        chosen = match.decision.choice if match.decision else ""
        wanted.append(
            replace(
                edit,
                applied=applied,
                decision=match.value or edit.decision,
                replacement=chosen or edit.replacement,
            )
        )
    accepted = sorted(
        (i for i, m in enumerate(matches) if m.value == "accepted"),
        key=lambda i: (_RANK[matches[i].scope or "rule"], -edits[i].confidence, edits[i].start, i),
    )
    others = [i for i, e in enumerate(wanted) if e.applied and matches[i].value != "accepted"]
    kept: list[Edit] = []
    final = list(wanted)
    superseded = [False] * len(edits)
    for i in [*accepted, *others]:
        edit = wanted[i]
        if any(overlaps(edit, k) for k in kept):
            if matches[i].value == "accepted":
                final[i] = replace(edit, applied=False)
            else:
                final[i] = replace(edit, applied=False, decision="rejected")
                superseded[i] = True
            continue
        kept.append(edit)
    return [Outcome(e, m.decision, s) for e, m, s in zip(final, matches, superseded, strict=True)]


def honour(
    case_id: str, section: str, raw: str, edits: list[Edit], book: DecisionBook | None
) -> list[Edit]:
    """One section's edits with the reviewers' decisions honoured, in the same order.

    A rejected edit is not applied, an accepted suggestion is applied (with the reading the
    decision chose, if any), and ``decision`` says which; an applied edit displaced by an
    accepted one is marked rejected. Edits no decision
    covers are unchanged. The applied edits never overlap, so ``apply_edits`` holds.
    """
    if not book:
        return list(edits)
    return [o.edit for o in resolve(case_id, section, raw, edits, book)]


def honour_section(
    case_id: str, section: str, raw: str, edits: list[Edit], book: DecisionBook | None
) -> tuple[str, list[Edit]]:
    """The engine's one call: honoured edits and the clean text they give."""
    from pipeline.edits import apply_edits

    honoured = honour(case_id, section, raw, edits, book)
    return apply_edits(raw, honoured), honoured


def export_rules(out_dir: Path, rules_dir: Path | None = None) -> Path:
    """Merge the output folder's decisions into ``rules/decisions.jsonl``, to share them."""
    rules_dir = Path(rules_dir) if rules_dir is not None else _default_rules_dir()
    target = rules_dir / DECISIONS_FILE
    merged = {**read_decisions(target), **read_decisions(Path(out_dir) / DECISIONS_FILE)}
    write_decisions(target, merged.values())
    return target
