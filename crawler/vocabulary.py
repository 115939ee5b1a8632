"""The blog's tag names: the 36 topics of its Topics list and the three kinds of research."""

# As the site lists them, spelling included ("Adherance").
TOPICS: tuple[str, ...] = (
    "Adherance",
    "Alliance and Therapeutic Relationship",
    "Anxiety Disorders",
    "Attachment",
    "Attendance, Attrition, and Drop-Out",
    "Client Factors",
    "Client Preferences",
    "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)",
    "Combination Therapy",
    "Common Factors",
    "Cost-effectiveness",
    "Depression and Depressive Symptoms",
    "Efficacy of Treatments",
    "Empathy",
    "Feedback and Progress Monitoring",
    "Group Psychotherapy",
    "Illness and Medical Comorbidities",
    "Interpersonal Psychotherapy (IPT)",
    "Long-term Outcomes",
    "Medications/Pharmacotherapy",
    "Miscellaneous",
    "Neuroscience and Brain",
    "Outcomes and Deterioration",
    "Personality Disorders",
    "Placebo Effect",
    "Practice-Based Research and Practice Research Networks",
    "Psychodynamic Therapy (PDT)",
    "Resistance and Reactance",
    "Self-Reflection and Awareness",
    "Suicide and Crisis Intervention",
    "Termination",
    "Therapist Factors",
    "Training",
    "Transference and Countertransference",
    "Trauma and/or PTSD",
    "Treatment Length and Frequency",
)

# The site's three Type of Research filters (cat_1 = 25, 24, 26). Their labels are not in the
# text copies of the site, so these names describe them; a crawl uses the site's own labels.
META_ANALYSIS = "Meta-analysis or Systematic Review"
EMPIRICAL_STUDY = "Single Empirical Study"
REVIEW_CHAPTER = "Review or Book Chapter"
RESEARCH_TYPES: tuple[str, ...] = (META_ANALYSIS, EMPIRICAL_STUDY, REVIEW_CHAPTER)
# The site's cat_1 ids for them, inferred from the entries listed under each.
SITE_TYPE_IDS: dict[str, str] = {"24": EMPIRICAL_STUDY, "25": META_ANALYSIS, "26": REVIEW_CHAPTER}

NOT_A_TOPIC = "ALL Topics (clear)"
