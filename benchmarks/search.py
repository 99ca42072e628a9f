"""`make bench` (search): search_for_user over 20,000 papers' worth of text, against the
floor measured in the same run.

The papers (about 2 KB of English, French or Arabic each, under the three labels, in
ten working groups' libraries) and their search entries are written once with
bulk_create, their PostgreSQL vectors with one UPDATE, and reused after. Each figure
times search_for_user as the header's search box asks it (every kind's funnel, the
ranked page, the counts per kind, the snippets) for a member agency, who sits in three
of the groups, and for the secretariat.

The floor, for the same query and reader, is the least work that finds the same page:
one query on the same table and index (on PostgreSQL the same SearchQuery against the
GIN-indexed vector, ranked by SearchRank; on SQLite the same LIKE on the folded text,
ranked by the words in the titles), restricted to the papers the reader's funnel shows
(on SQLite its ids are read first, as search_for_user reads them there), returning the
page's ids. Each figure is the median of several runs.

The data go into the benchmarks' own database: BENCH_DATABASE_URL if set, else an
SQLite file under var/bench/.
"""

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAPERS = 20_000
WORKING_GROUPS = 10
ORGANISATIONS = 40
TEXT_CHARS = 2_000
RUNS = 5
PAGE = 20
FRAMEWORK = "Search benchmark framework"
PASSWORD = "bench-password"  # noqa: S105 - a throwaway database

ENGLISH = [
    "The working group reviewed the referral pathways for migrants arriving by sea.",
    "Participants agreed to share data on returns and reintegration every quarter.",
    "The secretariat will circulate the draft terms of reference before the next meeting.",
    "Health screening at the harbour needs interpreters and a clear referral protocol.",
    "Members asked for a mapping of shelters, legal aid and psychosocial services.",
    "The coordination meeting discussed labour migration and recruitment fees.",
    "Border management partners presented the training plan for frontline officers.",
    "A joint assessment of detention alternatives will be presented in the spring.",
]
FRENCH = [
    "La réunion de coordination a examiné les parcours d'orientation des migrants.",
    "Les participants ont convenu de partager les données sur les retours chaque trimestre.",
    "Le secrétariat diffusera le projet de termes de référence avant la prochaine réunion.",
    "Le dépistage sanitaire au port exige des interprètes et un protocole clair.",
    "Les membres ont demandé une cartographie des foyers et de l'aide juridique.",
    "La migration de main-d'œuvre et les frais de recrutement ont été débattus.",
]
ARABIC = [
    "ناقش الاجتماع مسارات الإحالة للمهاجرين الواصلين عن طريق البحر.",
    "اتفق المشاركون على تبادل البيانات حول العودة وإعادة الإدماج كل ثلاثة أشهر.",
    "ستعمم الأمانة مسودة الاختصاصات قبل الإجتماع القادم.",
    "يتطلب الفحص الصحي في الميناء مترجمين وبروتوكول إحالة واضحاً.",
    "طلب الأعضاء خريطة للملاجئ والمساعدة القانونية والدعم النفسي.",
    "عُقِدَ المُؤْتَمَرُ لمناقشة هجرة اليد العاملة ورسوم التوظيف.",
]
TITLES = {
    "en": ["Country report", "Concept note", "Draft terms of reference", "Assessment"],
    "fr": ["Rapport national", "Note conceptuelle", "Projet de termes de référence"],
    "ar": ["تقرير قطري", "مذكرة مفاهيمية", "مسودة الاختصاصات"],
}
SENTENCES = {"en": ENGLISH, "fr": FRENCH, "ar": ARABIC}
QUERIES = [("referral pathways", "English words"), ("اجتماع", "an Arabic word")]


def _setup() -> None:
    bench_dir = ROOT / "var" / "bench"
    bench_dir.mkdir(parents=True, exist_ok=True)
    default = f"sqlite:///{bench_dir / 'search.sqlite3'}"
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or default
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _median_ms(function) -> float:
    function()  # warm up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _text(rng: random.Random, language: str) -> str:
    pool = SENTENCES[language]
    # Papers quote the other languages too (titles, names of bodies).
    other = SENTENCES[rng.choice([key for key in SENTENCES if key != language])]
    parts: list[str] = []
    while sum(len(part) + 1 for part in parts) < TEXT_CHARS:
        parts.append(rng.choice(other if rng.random() < 0.1 else pool))
    return " ".join(parts)


def _is_seeded() -> bool:
    from documents.models import Document

    return Document.objects.filter(group__parent__name=FRAMEWORK).count() >= PAPERS


def _seed() -> None:
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from documents.models import Document
    from groups.models import CoordinationGroup, Membership, Representative
    from groups.services import access_sync_for_users
    from members.models import Organisation, Person
    from members.services import user_create
    from search.models import SearchEntry
    from search.normalize import normalize
    from search.services import entries_vectorize

    rng = random.Random(20171121)  # reproducible data, not secrets
    today = timezone.localdate()
    with transaction.atomic():
        framework = CoordinationGroup.objects.create(name=FRAMEWORK, kind="framework")
        groups = CoordinationGroup.objects.bulk_create(
            CoordinationGroup(name=f"Search WG {n}", kind="working_group", parent=framework)
            for n in range(WORKING_GROUPS)
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Search organisation {n}", kind="ministry")
            for n in range(ORGANISATIONS)
        )
        person = Person.objects.create(
            full_name="Search member", organisation=organisations[7], email="sm@bench.example.org"
        )
        member = user_create(username="search-member", password=PASSWORD)
        person.user = member
        person.save(update_fields=["user"])
        for group in groups[:3]:
            membership = Membership.objects.create(
                group=group,
                organisation=organisations[7],
                role="member",
                start_on=today - dt.timedelta(days=900),
            )
            Representative.objects.create(
                membership=membership, person=person, kind="principal", start_on=membership.start_on
            )
        access_sync_for_users([member.pk])
        user_create(username="search-secretariat", password=PASSWORD, is_secretariat=True)

    now = timezone.now()
    for start in range(0, PAPERS, 2_000):
        with transaction.atomic():
            specs = []
            for _ in range(min(2_000, PAPERS - start)):
                language = rng.choice(["en", "en", "fr", "ar"])
                label = rng.choices(["members", "public", "restricted"], [70, 15, 15])[0]
                specs.append((language, label, _text(rng, language)))
            papers = Document.objects.bulk_create(
                Document(
                    group=rng.choice(groups),
                    title=f"{rng.choice(TITLES[language])} {start + index}",
                    language=language,
                    confidentiality=label,
                )
                for index, (language, label, _text_) in enumerate(specs)
            )
            through = Document.restricted_to.through
            through.objects.bulk_create(
                through(document_id=paper.pk, organisation_id=rng.choice(organisations).pk)
                for paper, (_language, label, _text_) in zip(papers, specs, strict=True)
                if label == "restricted"
            )
            SearchEntry.objects.bulk_create(
                SearchEntry(
                    kind="document",
                    object_id=paper.pk,
                    group_id=paper.group_id,
                    title=paper.title,
                    text=text,
                    normalized=f"{normalize(paper.title)}\n{normalize(text)}",
                    date=now - dt.timedelta(hours=rng.randint(0, 24 * 700)),
                )
                for paper, (_language, _label, text) in zip(papers, specs, strict=True)
            )
    entries_vectorize(SearchEntry.objects.filter(kind="document"))


def _floor(user, query: str) -> list[int]:
    """The page of ids in one query, as described in the module's docstring."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from django.db import connection
    from django.db.models import Case, F, Value, When
    from django.db.models.expressions import RawSQL

    from documents.permissions import documents_visible_to
    from search.models import SearchEntry
    from search.normalize import normalize
    from search.services import FirstLine

    papers = documents_visible_to(user).filter(is_withdrawn=False).order_by()
    newest = F("date").desc(nulls_last=True)
    folded = normalize(query)
    if connection.vendor == "postgresql":
        search = (
            SearchQuery(folded, config="simple", search_type="websearch")
            | SearchQuery(folded, config="english", search_type="websearch")
            | SearchQuery(folded, config="french", search_type="websearch")
            | SearchQuery(folded, config="arabic", search_type="websearch")
        )
        entries = (
            SearchEntry.objects.filter(
                kind="document", object_id__in=papers.values("pk"), vector=search
            )
            .annotate(rank=SearchRank(F("vector"), search))
            .order_by("-rank", newest, "-id")
        )
    else:
        visible = (
            papers.values("pk")
            if not papers.query.where
            else RawSQL(
                "SELECT value FROM json_each(%s)",
                [json.dumps(list(papers.values_list("pk", flat=True)))],
            )
        )
        entries = SearchEntry.objects.filter(kind="document", object_id__in=visible)
        words = folded.split()
        for word in words:
            entries = entries.filter(normalized__contains=word)
        total = Value(0)
        for word in words:
            total = total + Case(When(titles__contains=word, then=Value(1)), default=Value(0))
        entries = (
            entries.annotate(titles=FirstLine("normalized"))
            .annotate(title_hits=total)
            .order_by("-title_hits", newest, "-id")
        )
    return list(entries.values_list("object_id", flat=True)[:PAGE])


def main() -> None:
    _setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from search.selectors import search_for_user

    call_command("migrate", verbosity=0)
    if not _is_seeded():
        started = time.perf_counter()
        print(f"Seeding {PAPERS:,} papers for the search benchmark (once)…", flush=True)
        _seed()
        print(f"Seeded in {time.perf_counter() - started:.0f} s.", flush=True)

    users = get_user_model().objects
    personas = {
        "member agency": users.get(username="search-member"),
        "secretariat": users.get(username="search-secretariat"),
    }
    for query, described in QUERIES:
        for persona, user in personas.items():

            def search(user=user, query=query):
                # As the header's box asks: every kind (all the matches are papers).
                results = search_for_user(user=user, query=query, limit=PAGE)
                return [item.object_id for item in results.items]

            def floor(user=user, query=query):
                return _floor(user, query)

            found = search()
            assert len(found) == PAGE, (persona, query, len(found))
            assert found == floor(), (persona, query)
            search_ms, floor_ms = _median_ms(search), _median_ms(floor)
            print(
                f"search of {PAPERS:,} papers ({connection.vendor}), {described}, page "
                f"{PAGE}, as {persona}: {search_ms:.1f} ms, floor {floor_ms:.1f} ms: "
                f"{search_ms / floor_ms:.2f}x floor",
                flush=True,
            )


if __name__ == "__main__":
    main()
