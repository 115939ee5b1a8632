"""A deterministic synthetic archive shaped like the PPRNet blog's entries.

Each entry has a month (2013-01 .. 2026-06), a title unique within its month, an APA-like
citation, a summary of about 300 words in three or four paragraphs, implications of about
100 words, one to four of the blog's 36 topics (popularity skewed like a Zipf law) and one
type of research.

Text is drawn word by word from four streams, so that words are bursty as in real prose
(common in the entries that use them, absent from the rest):
- function words ("the", "of", "with" ...), about 40% of the words;
- the entry's own vocabulary: about 40 draws from a clinical word list ranked by frequency
  with Zipf weights 1 / (rank + 2.7) (its items include multi-word terms such as
  "panic disorder" and "therapeutic alliance"), used with Zipf weights within the entry:
  "therapy" ends up in nearly every entry, "depression" in about half, "empathy" in about
  one in ten, "homework" in a few percent;
- a few "focus" terms picked from the word lists of the entry's topics and repeated through
  it, as a real summary about panic disorder keeps saying "panic disorder" (so that phrase
  is concentrated in Anxiety Disorders entries, a few percent of all);
- six rare pseudo-words per entry drawn from a Zipf-weighted tail of 20,000, which gives the
  index a realistic number of distinct terms.

The same seed and N always give the same entries (Python's `random.Random` is stable for a
given seed across runs and platforms).
"""

from __future__ import annotations

import json
import random
from itertools import accumulate
from pathlib import Path
from typing import Iterator

from crawler.ids import entry_id
from crawler.records import Entry
from crawler.vocabulary import EMPIRICAL_STUDY, META_ANALYSIS, REVIEW_CHAPTER, TOPICS

DEFAULT_SEED = 20240607
FIRST_YEAR, LAST_YEAR, LAST_MONTH = 2013, 2026, 6

FUNCTION_WORDS = (
    "the of and to in a with for that were was is on as by than at from or be this these "
    "their who more less not are have had both after over between among compared which when "
    "also may can such those its most all each other into about during while but only within "
    "across whether there been how what one two three some many"
).split()

# Ranked by rough frequency in the blog's summaries: most frequent first.
CLINICAL = [
    "therapy", "patients", "treatment", "psychotherapy", "clients", "therapists", "study",
    "outcomes", "sessions", "symptoms", "depression", "results", "research", "clinical",
    "effects", "participants", "anxiety", "alliance", "studies", "psychological", "therapist",
    "client", "change", "effective", "associated", "treatments", "meta-analysis", "measures",
    "improvement", "trial", "randomized", "outcome", "significant", "higher", "lower",
    "practice", "clinicians", "relationship", "mental health", "findings", "psychodynamic",
    "cognitive", "behavioral", "session", "evidence", "intervention", "interventions",
    "follow-up", "emotional", "negative", "positive", "level", "levels", "factors", "group",
    "groups", "reported", "found", "effect size", "control", "conditions", "condition",
    "disorder", "disorders", "severity", "distress", "functioning", "early", "later",
    "time", "course", "process", "processes", "experience", "experiences", "feedback",
    "empathy", "attachment", "trauma", "personality", "medication", "termination",
    "adolescents", "adults", "children", "families", "couples", "women", "men", "students",
    "sample", "samples", "data", "analysis", "analyses", "model", "predicted", "predictors",
    "moderators", "mechanisms", "change process", "working alliance", "therapeutic alliance",
    "cognitive behavioral therapy", "randomized controlled trial", "treatment as usual",
    "waitlist", "control group", "primary care", "community", "inpatient", "outpatient",
    "training", "supervision", "competence", "adherence", "fidelity", "dropout", "attrition",
    "engagement", "motivation", "expectations", "preferences", "hope", "shame", "anger",
    "emotion regulation", "interpersonal", "self-esteem", "wellbeing", "quality of life",
    "relapse", "recovery", "remission", "response", "deterioration", "harm", "risk",
    "suicide", "self-harm", "crisis", "safety", "stress", "coping", "resilience", "worry",
    "rumination", "avoidance", "exposure", "homework", "skills", "mindfulness", "acceptance",
    "reflection", "awareness", "insight", "interpretation", "transference", "countertransference",
    "defenses", "resistance", "reactance", "rupture", "repair", "collaboration", "goals",
    "tasks", "bond", "warmth", "genuineness", "responsiveness", "flexibility", "structure",
    "manual", "protocol", "dose", "frequency", "length", "weekly", "months", "years", "brief",
    "long-term", "short-term", "cost", "costs", "benefit", "benefits", "savings", "placebo",
    "pill", "antidepressants", "pharmacotherapy", "combination", "combined", "brain",
    "neural", "imaging", "biological", "genetic", "illness", "medical", "chronic", "pain",
    "cancer", "diabetes", "heart", "comorbid", "comorbidity", "panic disorder",
    "social anxiety", "generalized anxiety disorder", "posttraumatic stress disorder",
    "borderline personality disorder", "major depressive disorder", "eating disorders",
    "substance use", "alcohol", "psychosis", "schizophrenia", "bipolar", "insomnia",
    "obsessive-compulsive disorder", "phobia", "grief", "loneliness", "perfectionism",
    "self-criticism", "compassion", "mentalizing", "reflective functioning", "metacognition",
    "schemas", "beliefs", "thoughts", "feelings", "behaviours", "behaviour", "values",
    "culture", "cultural", "diversity", "minority", "ethnicity", "gender", "age", "income",
    "education", "employment", "access", "barriers", "telehealth", "online", "internet",
    "video", "digital", "app", "group therapy", "individual therapy", "family therapy",
    "couple therapy", "interpersonal psychotherapy", "psychodynamic therapy",
    "dialectical behavior therapy", "schema therapy", "emotion-focused therapy",
    "acceptance and commitment therapy", "behavioral activation", "problem-solving",
    "psychoeducation", "routine outcome monitoring", "progress monitoring", "not-on-track",
    "alerts", "measurement-based care", "questionnaires", "self-report", "observer",
    "ratings", "coding", "transcripts", "qualitative", "interviews", "themes", "naturalistic",
    "practice-based", "network", "networks", "clinics", "settings", "services", "waiting",
    "referral", "assessment", "diagnosis", "formulation", "case", "cases", "vignette",
    "efficacy", "effectiveness", "superiority", "equivalence", "non-inferiority", "dodo bird",
    "common factors", "specific factors", "techniques", "competencies", "experience level",
    "novice", "expert", "deliberate practice", "therapist effects", "variability",
    "heterogeneity", "bias", "publication bias", "quality", "limitations", "generalizability",
    "implications", "recommendations", "guidelines", "policy", "clinicians should",
    "attend", "attending", "monitor", "discuss", "explore", "notice", "tailor", "adapt",
    "consider", "ask", "listen", "validate", "challenge", "support", "encourage", "invite",
]

# Words and terms each topic's entries dwell on (their "focus" terms come from here).
TOPIC_WORDS = {
    "Adherance": ["adherence", "fidelity", "manual", "protocol", "competence", "homework"],
    "Alliance and Therapeutic Relationship": [
        "therapeutic alliance", "working alliance", "alliance rupture", "repair", "bond",
        "collaboration", "goals", "relationship"],
    "Anxiety Disorders": [
        "anxiety", "panic disorder", "social anxiety", "generalized anxiety disorder", "worry",
        "phobia", "exposure", "avoidance"],
    "Attachment": ["attachment", "attachment style", "secure base", "insecure attachment"],
    "Attendance, Attrition, and Drop-Out": [
        "dropout", "attrition", "premature termination", "no-show", "attendance", "engagement"],
    "Client Factors": ["client characteristics", "expectations", "motivation", "readiness"],
    "Client Preferences": ["preferences", "shared decision-making", "choice", "treatment preference"],
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)": [
        "cognitive behavioral therapy", "CBT", "cognitive therapy", "thoughts", "schemas",
        "homework", "behavioral activation"],
    "Combination Therapy": ["combination", "combined treatment", "antidepressants", "medication"],
    "Common Factors": ["common factors", "dodo bird", "placebo", "hope", "expectations"],
    "Cost-effectiveness": ["cost-effectiveness", "costs", "savings", "health care use"],
    "Depression and Depressive Symptoms": [
        "depression", "depressive symptoms", "major depressive disorder", "rumination",
        "treatment-resistant depression", "relapse"],
    "Efficacy of Treatments": ["efficacy", "effect size", "randomized controlled trial", "superiority"],
    "Empathy": ["empathy", "empathic", "warmth", "validation", "responsiveness"],
    "Feedback and Progress Monitoring": [
        "routine outcome monitoring", "feedback", "progress monitoring", "not-on-track", "alerts"],
    "Group Psychotherapy": ["group therapy", "group cohesion", "group members", "group leaders"],
    "Illness and Medical Comorbidities": ["chronic pain", "cancer", "diabetes", "medical illness"],
    "Interpersonal Psychotherapy (IPT)": ["interpersonal psychotherapy", "IPT", "role transitions", "grief"],
    "Long-term Outcomes": ["long-term", "follow-up", "maintenance", "sustained gains"],
    "Medications/Pharmacotherapy": ["pharmacotherapy", "antidepressants", "SSRI", "medication"],
    "Miscellaneous": ["miscellaneous", "other topics", "culture"],
    "Neuroscience and Brain": ["brain", "neural", "imaging", "amygdala", "neuroplasticity"],
    "Outcomes and Deterioration": ["deterioration", "harm", "negative effects", "outcomes"],
    "Personality Disorders": [
        "borderline personality disorder", "personality disorders", "BPD", "mentalization",
        "dialectical behavior therapy"],
    "Placebo Effect": ["placebo", "placebo effect", "pill placebo", "expectancy"],
    "Practice-Based Research and Practice Research Networks": [
        "practice-based evidence", "practice research network", "naturalistic", "routine care"],
    "Psychodynamic Therapy (PDT)": [
        "psychodynamic therapy", "psychodynamic", "interpretation", "insight", "defenses"],
    "Resistance and Reactance": ["resistance", "reactance", "ambivalence", "directiveness"],
    "Self-Reflection and Awareness": ["self-reflection", "self-awareness", "reflective practice"],
    "Suicide and Crisis Intervention": ["suicide", "suicidal ideation", "crisis", "safety planning"],
    "Termination": ["termination", "ending therapy", "final sessions"],
    "Therapist Factors": ["therapist effects", "therapist characteristics", "experience level"],
    "Training": ["training", "supervision", "trainees", "deliberate practice"],
    "Transference and Countertransference": ["transference", "countertransference", "reactions"],
    "Trauma and/or PTSD": [
        "posttraumatic stress disorder", "PTSD", "trauma", "trauma-focused", "EMDR",
        "prolonged exposure"],
    "Treatment Length and Frequency": ["dose", "session frequency", "treatment length", "weekly sessions"],
}
assert set(TOPIC_WORDS) == set(TOPICS)

# Topic popularity: rank order of how often the blog tags them (most used first).
TOPIC_RANK = [
    "Efficacy of Treatments", "Alliance and Therapeutic Relationship",
    "Depression and Depressive Symptoms", "Therapist Factors", "Outcomes and Deterioration",
    "Client Factors", "Feedback and Progress Monitoring", "Psychodynamic Therapy (PDT)",
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)", "Anxiety Disorders",
    "Common Factors", "Trauma and/or PTSD", "Personality Disorders", "Training",
    "Attendance, Attrition, and Drop-Out", "Empathy", "Long-term Outcomes",
    "Treatment Length and Frequency", "Client Preferences", "Group Psychotherapy",
    "Practice-Based Research and Practice Research Networks", "Medications/Pharmacotherapy",
    "Combination Therapy", "Suicide and Crisis Intervention", "Attachment", "Termination",
    "Resistance and Reactance", "Self-Reflection and Awareness", "Cost-effectiveness",
    "Illness and Medical Comorbidities", "Interpersonal Psychotherapy (IPT)",
    "Transference and Countertransference", "Placebo Effect", "Adherance",
    "Neuroscience and Brain", "Miscellaneous",
]
assert sorted(TOPIC_RANK) == sorted(TOPICS)

RESEARCH_TYPE_WEIGHTS = ((META_ANALYSIS, 0.40), (EMPIRICAL_STUDY, 0.45), (REVIEW_CHAPTER, 0.15))

SURNAMES = (
    "Wampold Lambert Norcross Castonguay Barkham Lutz Cuijpers Driessen Barber Muran Safran "
    "Eubanks Hill Constantino Flückiger Horvath Elliott Greenberg Bohart Watson Shedler "
    "Leichsenring Steinert Abbass Town Hilsenroth Levy Clarkin Fonagy Bateman Luyten Linehan "
    "Hofmann Beck Dobson Hollon DeRubeis Weissman Markowitz Swift Callahan Delgadillo "
    "Kraus Boswell Baldwin Imel Goldberg Miller Hubble Duncan Anthony Hayes Okiishi Owen "
    "Tracey Nissen-Lie Rønnestad Heinonen Orlinsky Kivlighan Tasca Burlingame Strauss "
    "Zilcha-Mano Keefe McCarthy Gelso Hayes Markin Kazantzis Westra Aviram Beutler Halstensen "
    "Gjestad Johnson Fokkema Dekker Peen Papola Ostuzzi Barbui Furukawa Karyotaki Ebert"
).split()
JOURNALS = (
    "Journal of Consulting and Clinical Psychology", "Psychotherapy Research", "Psychotherapy",
    "Journal of Counseling Psychology", "Clinical Psychology Review", "JAMA Psychiatry",
    "The British Journal of Psychiatry", "Psychological Medicine", "World Psychiatry",
    "American Journal of Psychiatry", "Behaviour Research and Therapy",
    "Journal of Clinical Psychology", "Counselling and Psychotherapy Research",
    "Administration and Policy in Mental Health", "Clinical Psychology: Science and Practice",
)
TITLE_PATTERNS = (
    "{A} in {P}", "The Effect of {A} on {B}", "{A} and {B}: What the Research Says",
    "Does {A} Predict {B}?", "{A} for {P}", "When {A} Meets {B}", "{A}, {B} and Outcome",
    "Improving {B} through {A}", "A Meta-Analysis of {A}", "What Clinicians Should Know about {A}",
)
POPULATIONS = (
    "Adolescents", "Older Adults", "Primary Care", "Routine Practice", "University Students",
    "Couples", "Inpatients", "Veterans", "Children", "Online Therapy", "Group Settings",
    "Community Clinics", "Women", "Men", "Refugees",
)


def _tail_words(rng: random.Random, count: int) -> list[str]:
    """Rare pseudo-words (names, drug names, jargon): the long tail of a real vocabulary."""
    onsets = "b c d f g h j k l m n p r s t v w z br cl dr fl gr kr pl pr sk st tr".split()
    vowels = "a e i o u ai ea ou io".split()
    codas = "n r s l m t x nd rt st sk".split() + [""] * 4
    taken = set(FUNCTION_WORDS)
    words: list[str] = []
    while len(words) < count:
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(2, 4))
        ) + rng.choice(codas)
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


class Generator:
    """Entries for one seed; `entries(n)` yields the first n, always the same ones."""

    def __init__(self, seed: int = DEFAULT_SEED, tail: int = 20_000):
        self.seed = seed
        rng = random.Random(seed)
        self.tail = _tail_words(rng, tail)
        # Typos the benchmark searches for must not exist as words.
        assert "depresion" not in self.tail and "anxeity" not in self.tail
        self.clinical_cum = list(accumulate(1.0 / (rank + 2.7) for rank in range(len(CLINICAL))))
        self.tail_cum = list(accumulate(1.0 / (rank + 2.7) for rank in range(len(self.tail))))
        self.rank = {word: i for i, word in enumerate(CLINICAL)}
        self.func_cum = list(accumulate(1.0 / (rank + 1.5) for rank in range(len(FUNCTION_WORDS))))
        topic_weights = [1.0 / (TOPIC_RANK.index(t) + 1) ** 0.9 for t in TOPICS]
        self.topic_cum = list(accumulate(topic_weights))
        self.type_names = [name for name, _ in RESEARCH_TYPE_WEIGHTS]
        self.type_cum = list(accumulate(w for _, w in RESEARCH_TYPE_WEIGHTS))
        self.months = [
            f"{y}-{m:02d}" for y in range(FIRST_YEAR, LAST_YEAR + 1) for m in range(1, 13)
            if (y, m) <= (LAST_YEAR, LAST_MONTH)
        ]

    # Text

    def _words(self, rng: random.Random, n: int, style) -> list[str]:
        active, active_cum, focus, rare = style
        funcs = rng.choices(FUNCTION_WORDS, cum_weights=self.func_cum, k=n)
        content = rng.choices(active, cum_weights=active_cum, k=n)
        # About 40% function words, 49% the entry's vocabulary, 8% its focus terms, 3% rare words.
        kinds = rng.random
        words = [f if kinds() < 0.40 else c for f, c in zip(funcs, content)]
        spots = rng.sample(range(n), max(2, n * 11 // 100))
        cut = len(spots) * 8 // 11
        for i in spots[:cut]:
            words[i] = rng.choice(focus)
        for i in spots[cut:]:
            words[i] = rng.choice(rare)
        return words

    def _style(self, rng: random.Random, focus: list[str]):
        """An entry's own vocabulary: about 40 draws from the clinical Zipf list (so common
        words occur in most entries, rarer ones in a few percent, repeated where they occur),
        its focus terms and a few rare words."""
        drawn = set(rng.choices(CLINICAL, cum_weights=self.clinical_cum, k=40))
        active = sorted(drawn, key=self.rank.__getitem__)
        active_cum = list(accumulate(1.0 / (i + 1) for i in range(len(active))))
        rare = rng.choices(self.tail, cum_weights=self.tail_cum, k=6)
        return active, active_cum, focus, rare

    def _prose(self, rng: random.Random, words: int, style, paragraphs: int) -> str:
        tokens = self._words(rng, words, style)
        sentences: list[str] = []
        i = 0
        while i < len(tokens):
            length = rng.randint(12, 26)
            part = tokens[i:i + length]
            i += length
            first = part[0]
            part[0] = first[0].upper() + first[1:]
            if len(part) > 8 and rng.random() < 0.35:
                part[len(part) // 2] += ","
            sentences.append(" ".join(part) + ".")
        per = max(1, -(-len(sentences) // paragraphs))
        return "\n\n".join(
            " ".join(sentences[j:j + per]) for j in range(0, len(sentences), per)
        )

    def _title(self, rng: random.Random, focus: list[str]) -> str:
        a, b = rng.choice(focus), rng.choice(CLINICAL[:160])
        pattern = rng.choice(TITLE_PATTERNS)
        title = pattern.format(A=_cap(a), B=_cap(b), P=rng.choice(POPULATIONS))
        return title[0].upper() + title[1:]

    def _citation(self, rng: random.Random, month: str, title: str):
        count = rng.choice((1, 2, 2, 3, 3, 4, 5, 6))
        authors = tuple(rng.sample(SURNAMES, count))
        initials = [f"{chr(65 + rng.randrange(26))}." for _ in authors]
        names = [f"{s}, {i}" for s, i in zip(authors, initials)]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
        pub_year = int(month[:4]) - rng.choice((0, 1, 1, 2))
        journal = rng.choice(JOURNALS)
        doi = f"10.{1000 + rng.randrange(9000)}/{rng.randrange(16**6):06x}"
        article = " ".join(rng.choices(CLINICAL[:300], k=rng.randint(6, 12)))
        volume, issue, page = rng.randint(10, 90), rng.randint(1, 8), rng.randint(1, 900)
        citation = (
            f"{listed} ({pub_year}). {article[0].upper()}{article[1:]}. {journal}, "
            f"{volume}({issue}), {page}–{page + rng.randint(8, 20)}. doi:{doi}"
        )
        return citation, authors, pub_year, journal, doi

    # Entries

    def entries(self, n: int) -> Iterator[Entry]:
        """The first `n` entries (ids unique: titles are unique within their month)."""
        rng = random.Random(f"{self.seed}:entries")
        seen: set[str] = set()
        for _ in range(n):
            month = rng.choice(self.months)
            k = rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0]
            topics: list[str] = []
            while len(topics) < k:
                topic = rng.choices(TOPICS, cum_weights=self.topic_cum)[0]
                if topic not in topics:
                    topics.append(topic)
            focus = []
            for topic in topics:
                focus.extend(rng.sample(TOPIC_WORDS[topic], min(2, len(TOPIC_WORDS[topic]))))
            title = self._title(rng, focus)
            ident = entry_id(month, title)
            while ident in seen:
                title = f"{title} {rng.choice(('Revisited', 'Again', 'Reconsidered', 'Update', 'II'))}"
                ident = entry_id(month, title)
            seen.add(ident)
            citation, authors, pub_year, journal, doi = self._citation(rng, month, title)
            style = self._style(rng, focus)
            summary = self._prose(rng, rng.randint(250, 350), style, rng.choice((3, 4)))
            implications = self._prose(rng, rng.randint(80, 120), style, 1)
            research_type = rng.choices(self.type_names, cum_weights=self.type_cum)[0]
            yield Entry(
                id=ident, month=month, title=title, citation=citation, summary=summary,
                implications=implications, topics=tuple(sorted(topics, key=TOPICS.index)),
                research_type=research_type, url=f"https://example.org/pprnet/blog/{ident}",
                authors=authors, pub_year=pub_year, journal=journal, doi=doi,
            )


def _cap(term: str) -> str:
    return " ".join(w if w.isupper() else w[:1].upper() + w[1:] for w in term.split())


# JSON Lines cache: one file per (seed, n), written once, read by every measurement.

def write_jsonl(path: Path, n: int, seed: int = DEFAULT_SEED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        for entry in Generator(seed).entries(n):
            f.write(json.dumps(entry.to_dict(), ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def read_jsonl(path: Path) -> Iterator[Entry]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            data = json.loads(line)
            data["topics"] = tuple(data["topics"])
            data["authors"] = tuple(data["authors"])
            yield Entry(**data)


def archive_file(work: Path, n: int, seed: int = DEFAULT_SEED) -> Path:
    """The cached JSON Lines of the first n entries for this seed, generated when missing."""
    path = Path(work) / f"entries-{seed}-{n}.jsonl"
    if not path.exists():
        write_jsonl(path, n, seed)
    return path
