"""Evidence for people: the one-line summary on a result and the marked source sentences."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from crawler.evidence import AT_LEAST, Effect, Evidence, Mention


@dataclass(frozen=True)
class EvidenceRow:
    """One line of the entry page's evidence card: what was read and the sentence it is in."""

    label: str
    values: tuple[str, ...]  # several effects read from one sentence share its row
    source: Markup  # the sentence, escaped, the words read from it in <mark>


def _number(value: float) -> str:
    return f"{value:g}"


def effect_text(effect: Effect) -> str:
    """'SMD -0.67 [-0.95, -0.39]'."""
    text = f"{effect.measure} {_number(effect.value)}"
    if effect.ci:
        text += f" [{_number(effect.ci[0])}, {_number(effect.ci[1])}]"
    return text


def studies_text(count: int, found: Mention | None) -> str:
    """'136 RCTs', '12 trials', '7 studies': the kind of study when the text names it."""
    noun = (found.noun if found else "").lower()
    kind = "RCTs" if ("randomi" in noun or "rct" in noun) else "trials" if "trial" in noun \
        else "studies"
    return f"{_qualified(count, found)} {kind if count != 1 else kind.rstrip('s')}"


def participants_text(count: int, found: Mention | None) -> str:
    """'7,300+ patients', '57 patients', 'N = 1,234'."""
    noun = found.noun.lower() if found and found.noun else "participants"
    return f"{_qualified(count, found)} {noun}"


def _qualified(count: int, found: Mention | None) -> str:
    qualifier = found.qualifier if found else ""
    if qualifier in AT_LEAST:
        return f"{count:,}+"
    return f"{qualifier} {count:,}".strip()


def evidence_line(evidence: Evidence | None) -> list[str]:
    """The parts of a result's evidence line; [] when nothing was read."""
    if evidence is None or evidence.empty:
        return []
    parts = []
    if evidence.design:
        parts.append(evidence.design[:1].upper() + evidence.design[1:])
    if evidence.studies is not None:
        parts.append(studies_text(evidence.studies, evidence.studies_from))
    if evidence.participants is not None:
        parts.append(participants_text(evidence.participants, evidence.participants_from))
    if evidence.effects:
        more = len(evidence.effects) - 1
        parts.append(effect_text(evidence.effects[0]) + (f" (+{more} more)" if more else ""))
    return parts


def marked(sentence: str, *words: str) -> Markup:
    """The sentence, escaped, with each of `words` in <mark>, found in order."""
    out, start = Markup(""), 0
    for part in words:
        at = sentence.find(part, start) if part else -1
        if at < 0:
            continue
        out += escape(sentence[start:at]) + Markup("<mark>") + escape(part) + Markup("</mark>")
        start = at + len(part)
    return out + escape(sentence[start:])


def evidence_rows(evidence: Evidence | None) -> list[EvidenceRow]:
    """The entry page's evidence card, one row per value read, each with its sentence."""
    if evidence is None:
        return []
    rows = []
    found = evidence.design_from
    if evidence.design and found:
        rows.append(EvidenceRow("Design", (evidence.design[:1].upper() + evidence.design[1:],),
                                marked(found.source, found.text)))
    if evidence.studies is not None and evidence.studies_from:
        found = evidence.studies_from
        rows.append(EvidenceRow("Studies", (studies_text(evidence.studies, found),),
                                marked(found.source, found.text)))
    if evidence.participants is not None and evidence.participants_from:
        found = evidence.participants_from
        rows.append(EvidenceRow("Participants", (participants_text(evidence.participants, found),),
                                marked(found.source, found.text)))
    # Effects read from one sentence share a row, so a long sentence is shown once.
    groups: list[list[Effect]] = []
    for effect in evidence.effects:
        if groups and groups[-1][0].source == effect.source:
            groups[-1].append(effect)
        else:
            groups.append([effect])
    for group in groups:
        rows.append(EvidenceRow(
            "Effects" if len(group) > 1 else "Effect", tuple(effect_text(e) for e in group),
            marked(group[0].source, *(e.text for e in group))))
    return rows
