"""Evidence for people: the one-line summary on a result and the marked source sentences."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from crawler.evidence import AT_LEAST, Effect, Evidence, Mention


@dataclass(frozen=True)
class EvidenceRow:
    """One line of the entry page's evidence card: what was read and the sentence it is in."""

    label: str
    value: str
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


def marked(sentence: str, words: str) -> Markup:
    """The sentence, escaped, with its first occurrence of `words` in <mark>."""
    at = sentence.find(words) if words else -1
    if at < 0:
        return Markup(escape(sentence))
    end = at + len(words)
    return escape(sentence[:at]) + Markup("<mark>") + escape(words) + Markup("</mark>") \
        + escape(sentence[end:])


def evidence_rows(evidence: Evidence | None) -> list[EvidenceRow]:
    """The entry page's evidence card, one row per value read, each with its sentence."""
    if evidence is None:
        return []
    rows = []
    found = evidence.design_from
    if evidence.design and found:
        rows.append(EvidenceRow("Design", evidence.design[:1].upper() + evidence.design[1:],
                                marked(found.source, found.text)))
    if evidence.studies is not None and evidence.studies_from:
        found = evidence.studies_from
        rows.append(EvidenceRow("Studies", studies_text(evidence.studies, found),
                                marked(found.source, found.text)))
    if evidence.participants is not None and evidence.participants_from:
        found = evidence.participants_from
        rows.append(EvidenceRow("Participants", participants_text(evidence.participants, found),
                                marked(found.source, found.text)))
    for effect in evidence.effects:
        rows.append(EvidenceRow("Effect", effect_text(effect), marked(effect.source, effect.text)))
    return rows
