"""What the replica blog publishes: eighteen short entries and the filters they are listed under,
and a second state of the site some weeks on (`POSTS_LATER`).

Written for these tests in the blog's manner; the studies, authors and journals are made up.
Each entry is shaped to carry one of the variants in shared/notes/live-site.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

PER_PAGE = 6

# The Topics list, as (id, name): a part of the live list, with the live ids, plus an
# empty topic ("Adherance" lists nothing).
TOPICS = (
    ("11", "Adherance"),
    ("12", "Alliance and Therapeutic Relationship"),
    ("13", "Anxiety Disorders"),
    ("22", "Depression and Depressive Symptoms"),
    ("30", "Feedback and Progress Monitoring"),
    ("39", "Personality Disorders"),
    ("42", "Psychodynamic Therapy (PDT)"),
)
# The Type of Research filter: the live ids; the labels are this replica's (with an ampersand
# and an en dash, to carry non-ASCII names through the filters).
TYPES = (
    ("24", "Single Empirical Studies"),
    ("25", "Meta-Analyses & Systematic Reviews"),
    ("26", "Reviews – Book Chapters"),
)


@dataclass(frozen=True)
class Post:
    """One entry as the replica shows it, and what the crawl should make of it."""

    slug: str
    month: str  # as the heading prints it
    title: str
    citation: str  # "" when the entry has none
    summary: tuple[str, ...]
    implications: str
    topics: tuple[str, ...] = ()  # topic ids it is listed under
    types: tuple[str, ...] = ()  # type ids it is listed under
    # How its own page answers: "ok", "flaky" (503 then 200), "gone" (404), "private" (a
    # path robots.txt disallows), "lastmod" (Last-Modified only, no ETag), "undated" (the
    # page has no month heading).
    page: str = "ok"
    title_twice: bool = False
    citation_after: int = 0  # paragraphs of summary printed before the citation


SHARED_CITATION = (
    "Okafor , B. T., & Lindgren, S. (2022). Feedback-informed care for adolescents with "
    "depression: A randomised trial. Child and Adolescent Psychotherapy Research, 14(1), 33–48."
)

POSTS = (
    # Page 1: one row per entry, headings and linked titles.
    Post("alliance-online", "June 2024", "Does the Alliance Predict Outcome in Online Therapy?",
         "Lindqvist, Å., Dvořák, P., & Ibáñez, C. (2023). Working alliance and outcome in "
         "internet-delivered psychotherapy: A meta-analysis. Journal of Digital Mental Health, "
         "7(2), 101–119. https://doi.org/10.9999/jdmh.2023.0412",
         ("Therapy delivered through apps and video calls has grown quickly, and some wonder "
          "whether a bond with a therapist can form at a distance. Lindqvist and colleagues "
          "pooled 41 studies of internet-delivered treatments.",
          "The alliance predicted outcome about as strongly as it does in face-to-face care "
          "(r = .24), and it did so even when therapist contact was brief."),
         ("Clinicians working online should attend to the bond as carefully as in the office: "
          "check in about the relationship early, and repair strains when they show."),
         topics=("12",), types=("25",)),
    Post("adolescent-feedback", "May 2024", "Routine Outcome Monitoring With Adolescents",
         SHARED_CITATION,
         ("Young people often leave therapy early. In this trial, 212 adolescents with "
          "depression were randomly assigned to care as usual or to care in which their "
          "therapists saw weekly progress reports.",),
         ("Progress feedback is cheap to add and it helped adolescents stay in treatment; "
          "therapists can share the graphs with their young clients."),
         topics=("30", "22"), types=("24",)),
    Post("who-benefits-feedback", "May 2024", "Who Benefits From Progress Feedback?",
         SHARED_CITATION,
         ("A second report from the same trial asked which adolescents gained most. Those "
          "who were not on track after four sessions improved most when their therapists "
          "received alerts.",),
         ("Alerts matter most for clients who are not improving; a therapist who gets one "
          "can review the plan together with the client."),
         topics=("30",), types=("24",)),
    Post("brief-dynamic-panic", "April 2024", "Brief Dynamic Therapy for Panic.",
         "Maria Hollis & Daniel Ortega (2012). Short-term dynamic treatment of panic: An open "
         "trial. Psychodynamic Practice Quarterly, 9, 12-27.",
         ("Thirty patients with panic disorder received twelve sessions of a focused dynamic "
          "treatment that explored the meaning of their attacks.",
          "Panic severity fell by half, and most gains held at a six-month follow-up."),
         ("A dynamic focus on the feelings around panic attacks is a reasonable option for "
          "patients who do not want exposure-based treatment."),
         topics=("13", "42"), types=("24",)),
    Post("therapist-effects", "March 2024", "Therapist Effects in Depression Care",
         "Brandt, K. et al. (2019). Therapist differences in outcomes of depression treatment "
         "in routine care. Journal of Consulting Practice, 87(4), 301–312. "
         "doi:10.9999/jcp.2019.77",
         ("Across 9,800 patients seen by 310 therapists, about six percent of the variation in "
          "outcomes was due to the therapist rather than the patient.",),
         ("Therapists differ; tracking one's own outcomes is a practical way to learn where "
          "one stands."),
         topics=("22",), types=("24",)),
    Post("feedback-routine-2024", "February 2024", "Feedback in Routine Care",
         "Marsh, T., Quinlan, R., … Patel, D. (2021). Measurement-based care in community "
         "clinics: A systematic review. Clinical Psychology Review Letters, 3, 1-20.",
         ("This review gathered 27 studies of measurement-based care in community clinics. "
          "Most clinics found the routine hard to keep up after the first year.",),
         ("Feedback systems need support from managers and time in the schedule, or they "
          "fade away."),
         topics=("30",), types=("25", "26")),
    # Page 2: an older theme, one flat column, sloppy markup.
    Post("mentalizing-dropout", "January 2024", "Mentalizing and Dropout in Group Therapy",
         "Søndergaard, M., & Jürgens, H. (2017, December 21). Reflective functioning predicts "
         "attrition from group psychotherapy. Group Dynamics Review, 21(4), 210–224.",
         ("Group members with a weaker capacity to mentalize were twice as likely to leave "
          "before the tenth session.",),
         ("Group leaders can watch for members who struggle to think about others’ minds and "
          "offer them extra support early on."),
         topics=("39", "22"), types=("24",), title_twice=True),
    Post("pd-alliance", "December 2023", "Personality Disorders and the Therapeutic Alliance",
         "Haddad, R., & Bloom, E. (2015) Alliance ruptures in treatment for borderline "
         "personality disorder. Personality and Psychotherapy, 6(2), 55–70.",
         ("Ruptures were frequent in the first months of treatment, and those that were "
          "repaired predicted better outcomes than no ruptures at all.",),
         ("A rupture is not a failure; talking openly about it may strengthen the work."),
         topics=("12", "39"), types=("24",)),
    Post("pdt-depression-update", "November 2023",
         "Psychodynamic Therapy for Depression: An Update", "",
         ("Several new trials of psychodynamic therapy for depression have appeared in the "
          "last five years. Taken together they show effects similar to those of other "
          "active treatments.",),
         ("Patients who prefer an exploratory approach can be offered one with confidence."),
         topics=("22", "42")),
    Post("handbook-dynamic", "October 2023", "Handbook Chapter: Research on Dynamic Therapies",
         "Nováková, L., & Ó Súilleabháin, N. (2021). Research on dynamic therapies. In A. Rossi "
         "& T. Lee (Eds.), Handbook of psychotherapy research (8th ed., pp. 400–440). Wiley.",
         ("Handbook of Psychotherapy Research: over the coming months I will summarise one "
          "chapter of the new edition each month.",
          "This chapter reviews close to 200 trials of dynamic therapies and finds them "
          "effective for mood, anxiety and personality problems."),
         ("The evidence for dynamic therapies is broader than many training programs suggest."),
         topics=("42", "22"), types=("26",), citation_after=1),
    Post("worry-sleep-cbt", "September 2023", "Worry, Sleep, and CBT for Anxiety",
         "Dekker, J.J.M., Van, H.L., & Peen, J. (2020). Sleep change and worry in cognitive "
         "therapy for generalized anxiety. Anxiety Treatment Journal, 11(3), 150–162.",
         ("Patients whose sleep improved early (a change of ⩽ −1.5 points by week four) went "
          "on to worry less – the link held at α = .05 even after controlling for mood.",
          "The authors call this the “sleep first” pattern… though it needs replication."),
         ("Asking about sleep in the first sessions may tell a therapist who’s on track."),
         types=("24",)),
    Post("feedback-routine-2023", "August 2023", "Feedback in Routine Care",
         "Vasquez, P. (2018). Why clinicians ignore progress feedback. Practice Innovations "
         "Review, 3(1), 5–14.",
         ("Interviews with 40 clinicians found that many doubted the questionnaires and few "
          "had been trained to use them.",),
         ("Training and a say in choosing the measures make feedback more likely to be used."),
         topics=("30",), types=("24",)),
    # Page 3: teasers with "Read more"; the full entry is on its own page.
    Post("attachment-early-alliance", "July 2023", "Attachment Style and Early Alliance",
         "Kowalczyk, E., & Reyes, M. (2022). Attachment anxiety and early alliance formation. "
         "Journal of Relational Therapy, 5(1), 22–35.",
         ("Clients high in attachment anxiety rated the early alliance more warmly than "
          "their therapists did.",
          "The gap closed by the eighth session in most dyads."),
         ("Early warmth from an anxious client may hide doubts; invite them into the room."),
         topics=("12",), types=("24",)),
    Post("long-term-chronic", "June 2023", "Long-Term Therapy for Chronic Depression",
         "Ferreira, A. C., & Holm, J. (2020). Long-term psychotherapy for chronic depression: "
         "A meta-analysis. Depression Research Review, 8, 77–95.",
         ("Chronic depression responds slowly to brief treatments. This meta-analysis of 14 "
          "trials compared courses longer than a year with shorter ones.",
          "Longer courses produced larger gains at follow-up (g = 0.41)."),
         ("For chronic depression, a longer course is worth discussing from the start."),
         topics=("22", "42"), types=("25",), page="flaky"),
    Post("exposure-skills", "May 2023", "Exposure Alone or With Skills Training?",
         "Nakamura, Y. (2019). Exposure with and without skills training for social anxiety. "
         "Anxiety Treatment Journal, 10(2), 88–97.",
         ("Adding social skills practice to exposure did not improve outcomes for most "
          "patients with social anxiety.",
          "Those with the fewest skills at the start did gain from it."),
         ("Assess skills before adding a module for everyone."),
         topics=("13",), types=("24",), page="gone"),
    Post("self-doubt", "April 2023", "Therapist Self-Doubt and Outcome",
         "Ellery, C., & Mbeki, T. (2021). Professional self-doubt and client outcome. "
         "Counselling Science, 19(3), 210–219.",
         ("Therapists who reported some professional self-doubt, together with kindness "
          "toward themselves, had clients with better outcomes.",
          "Self-doubt without that kindness showed no such link."),
         ("A little doubt, held kindly, keeps a therapist curious."),
         topics=("12",), types=("24",), page="private"),
    Post("transference-brief", "March 2023", "Transference Work in Brief Therapy",
         "Achterberg, W. (2016). Transference interpretation in brief dynamic therapy: A "
         "review. Psychoanalytic Research Digest, 12, 1–18.",
         ("This review of 11 studies found that a moderate rate of transference "
          "interpretation went with the best outcomes.",
          "Clients with more mature relationships benefited most."),
         ("Interpret the relationship with the therapist sparingly and with clients who can "
          "use it."),
         topics=("42",), types=("26",), page="lastmod"),
    Post("group-late-life", "February 2023", "Group Therapy for Depression in Older Adults",
         "Pálsdóttir, G., & Weber, L. (2022). Group cognitive therapy for late-life "
         "depression: A randomised trial. Ageing and Mental Health Research, 4, 44–58.",
         ("Adults over 65 with depression were assigned to a ten-week cognitive group or to a "
          "waiting list. The groups reduced symptoms and loneliness.",),
         ("Groups offer older clients both treatment and company."),
         topics=("22",), types=("24",), page="undated"),
)


def _later() -> tuple[Post, ...]:
    """The blog some weeks on: one post retitled, one removed, one re-dated (so listed on
    another page), the rest as they were."""
    posts = {post.slug: post for post in POSTS}
    moved = replace(posts["attachment-early-alliance"], month="May 2024")
    later = []
    for post in POSTS:
        if post.slug == "therapist-effects":
            post = replace(post, title="Therapist Effects in the Care of Depression")
        elif post.slug == "who-benefits-feedback":  # removed; the re-dated one takes its place
            post = moved
        elif post.slug == moved.slug:
            continue
        later.append(post)
    return tuple(later)


# The site's second state: RENAMED, REMOVED and MOVED name the posts that changed.
POSTS_LATER = _later()
RENAMED, REMOVED, MOVED = "therapist-effects", "who-benefits-feedback", "attachment-early-alliance"


def pages_of(posts: tuple[Post, ...]) -> list[tuple[Post, ...]]:
    return [posts[i : i + PER_PAGE] for i in range(0, len(posts), PER_PAGE)] or [()]
