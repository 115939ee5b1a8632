"""Facets: each one a small object that counts its own values for the current query.

Topics narrow (an entry must carry every selected topic); types, years, designs and
participant bands widen within their group (any selected value), and a widening group's counts
leave out its own selection so the other choices stay visible. Selected values are listed even
at count 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq

from crawler.evidence import Evidence
from crawler.evidence_rules import DESIGNS
from crawler.ids import slugify
from crawler.vocabulary import RESEARCH_TYPES, TOPICS
from index.schema import PARTICIPANT_BANDS
from index.segment import FACET_FIELDS

from index import bitsets
from .errors import BadParameter
from .records import FacetGroup, FacetValue, SearchRequest, encoded_pair


@dataclass(frozen=True)
class FacetData:
    """Per index generation: for each facet, the documents carrying each value."""

    size: int
    bits: dict[str, dict[str, int]]  # index field -> value key -> bitset
    names: dict[str, dict[str, str]]  # index field -> value key -> name shown
    # Participants (N) by document number, for sorting by it; None where the text states none
    # (and everywhere in a generation built before evidence was read).
    participants: tuple[int | None, ...] = ()
    # Facet param -> its values as a results page shows them (Facet.rows), made once.
    rows: dict = field(default_factory=dict, compare=False, hash=False, repr=False)


def load_facet_data(reader, topic_names: dict[str, str], built: dict | None = None) -> FacetData:
    """Every facet value's documents as bitsets: from what the build wrote (`built`, its
    FACETS_FILE) when it fits this index, else from the postings."""
    size = reader.doc_count_all()
    bits: dict[str, dict[str, int]] = {}
    names: dict[str, dict[str, str]] = {}
    usable = built is not None and built.get("size") == size and not reader.has_deletions()
    for field in FACET_FIELDS:
        if usable and field in built["bits"]:
            bits[field] = built["bits"][field]
        else:
            bits[field] = {}
            # A generation built before a facet existed has no such field: no values.
            for raw in reader.lexicon(field) if field in reader.schema else ():
                key = raw.decode("utf-8")
                bits[field][key] = bitsets.from_docnums(reader.postings(field, raw).all_ids(), size)
        names[field] = {key: key for key in bits[field]}
    names["topics"] = {key: topic_names.get(key, key) for key in bits["topics"]}
    if usable and "participants" in built:
        participants = tuple(built["participants"])
    else:
        participants = tuple(
            (Evidence.from_dict(fields.get("evidence")) or Evidence()).participants
            for _, fields in sorted(_stored(reader), key=lambda pair: pair[0])
        ) if "evidence" in reader.schema else (None,) * size
    return FacetData(size=size, bits=bits, names=names, participants=participants)


def _stored(reader):
    """(docnum, stored fields) of every document, deleted ones as empty: numbering kept."""
    for docnum in range(reader.doc_count_all()):
        yield docnum, ({} if reader.is_deleted(docnum) else reader.stored_fields(docnum))


class Facet:
    """One facet group: how its URL values map to index keys, filter and count."""

    param = ""
    label = ""
    field = ""
    narrows = False  # True: every selected value required; False: any of them

    def key(self, value: str) -> str:
        return value

    def known(self, value: str, data: FacetData) -> bool:
        return self.key(value) in data.bits[self.field]

    def check(self, request: SearchRequest, data: FacetData) -> None:
        for value in getattr(request, self.param):
            if not self.known(value, data):
                raise BadParameter(
                    self.param, f"There is no {self.label.lower()} called {value!r}.",
                    "unknown_value", value=value,
                )

    def selected(self, request: SearchRequest) -> tuple[str, ...]:
        return getattr(request, self.param)

    def filter_query(self, request: SearchRequest) -> wq.Query | None:
        """The Whoosh filter for this group's selection, or None."""
        terms = [wq.Term(self.field, self.key(v)) for v in self.selected(request)]
        if not terms:
            return None
        return wq.And(terms) if self.narrows else wq.Or(terms)

    def filter_bits(self, request: SearchRequest, data: FacetData) -> int | None:
        selected = [data.bits[self.field].get(self.key(v), 0) for v in self.selected(request)]
        if not selected:
            return None
        combined = selected[0]
        for bits in selected[1:]:
            combined = combined & bits if self.narrows else combined | bits
        return combined

    def order(self, values: list[FacetValue]) -> list[FacetValue]:
        return sorted(values, key=lambda v: (-v.count, v.value.lower()))

    def group(self, request: SearchRequest, base: int, data: FacetData) -> FacetGroup:
        """The values to show, counted within `base`: the matches this group's counts describe."""
        selected = self.selected(request)
        # The query string switching a value on: one f-string for each value not selected.
        before, after = request.toggle_parts(self.param)
        if selected:
            values = []
            toggle = request.toggler(self.param)
            shown = set()
            for bits, name, label, pair in self.rows(data):
                count = (base & bits).bit_count()
                if name in selected:
                    shown.add(name)
                    values.append(FacetValue.of(name, label, count, True, toggle(name)))
                elif count:
                    values.append(FacetValue.of(name, label, count, False,
                                                f"{before}{pair}{after}"))
            for name in selected:  # selected but absent from this index: still shown, at 0
                if name not in shown:
                    values.append(self._value(request, name, 0, True))
        else:  # the usual case, in one tight loop: no value selected
            values = [
                FacetValue.of(name, label, count, False, f"{before}{pair}{after}")
                for bits, name, label, pair in self.rows(data)
                if (count := (base & bits).bit_count())
            ]
        return FacetGroup(
            param=self.param, label=self.label, values=tuple(self.order(values)),
            # request.cleared(param).query_string(), without making the request
            clear=request.query_string(**{self.param: (), "page": 1}),
        )

    def rows(self, data: FacetData) -> tuple[tuple[int, str, str, str], ...]:
        """(documents, name, label, query-string pair) of each value in the index, made once
        per generation (~20 us of a results page's 49 values' labels and encodings)."""
        found = data.rows.get(self.param)
        if found is None:
            names = data.names[self.field]
            found = data.rows[self.param] = tuple(
                (bits, names[key], self._label(names[key]), encoded_pair(self.param, names[key]))
                for key, bits in data.bits[self.field].items()
            )
        return found

    def _value(self, request, name, count, selected, toggle=None) -> FacetValue:
        return FacetValue(
            value=name, label=self._label(name), count=count, selected=selected,
            toggle=toggle(name) if toggle else request.toggled_query(self.param, name),
        )

    def _label(self, name: str) -> str:
        return name


class TopicFacet(Facet):
    param, label, field, narrows = "topic", "Topic", "topics", True

    def key(self, value: str) -> str:
        return slugify(value)

    def known(self, value: str, data: FacetData) -> bool:
        return value in TOPICS or value in data.names[self.field].values()


class TypeFacet(Facet):
    param, label, field = "type", "Type of research", "research_type"

    def known(self, value: str, data: FacetData) -> bool:
        return value in RESEARCH_TYPES or value in data.bits[self.field]


class YearFacet(Facet):
    param, label, field = "year", "Year", "year"

    def known(self, value: str, data: FacetData) -> bool:
        return True  # any four-digit year is a fair question; params.py checks the form

    def order(self, values: list[FacetValue]) -> list[FacetValue]:
        return sorted(values, key=lambda v: v.value, reverse=True)


class DesignFacet(Facet):
    """The study design read from the summary (crawler/evidence.py); absent when none is."""

    param, label, field = "design", "Design", "design"

    def known(self, value: str, data: FacetData) -> bool:
        return value in DESIGNS

    def order(self, values: list[FacetValue]) -> list[FacetValue]:
        return sorted(values, key=lambda v: (-v.count, DESIGNS.index(v.value)))

    def _label(self, name: str) -> str:
        return name[:1].upper() + name[1:]


class ParticipantsFacet(Facet):
    """Participants (N) in bands: under 100, 100-999, 1,000-9,999, 10,000 or more."""

    param, label, field = "participants", "Participants", "participants_band"
    labels = {key: label for key, _, _, label in PARTICIPANT_BANDS}

    def known(self, value: str, data: FacetData) -> bool:
        return value in self.labels

    def order(self, values: list[FacetValue]) -> list[FacetValue]:
        keys = list(self.labels)
        return sorted(values, key=lambda v: keys.index(v.value))

    def _label(self, name: str) -> str:
        return self.labels.get(name, name)


FACETS: tuple[Facet, ...] = (
    TopicFacet(), TypeFacet(), YearFacet(), DesignFacet(), ParticipantsFacet(),
)
