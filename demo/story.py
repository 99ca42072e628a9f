"""The demo's story, as data: who sits where, and what happened at which meeting.

Drawn from the two news items the product comes from: the launch of the Migration
Working Group of the Coordination Framework at the Ministry of Planning in Tripoli on
21 November 2017, and the AU–EU–UN Taskforce meeting in New York in the margins of
the 74th UN General Assembly. The later meetings are invented and dated from the day
the demo is loaded, so the portal always has a recent past and a near future.

Nothing here touches the database: demo/loader.py turns it into rows through the
services. People, organisations and groups are referred to by name (organisations
also by acronym), and statuses and kinds are the models' stored values. The tables
are kept one row a line (`fmt: off`) so that they read, and diff, as tables.

Every meeting is true to its dates: a meeting in the past is held or cancelled, and
the story says when its invitations went out, when each invitee answered, who came,
when the minutes were approved and published, and when its action points were closed.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass

TRIPOLI = zoneinfo.ZoneInfo("Africa/Tripoli")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
FRAMEWORK_DAY = dt.date(2017, 7, 18)
LAUNCH_DAY = dt.date(2017, 11, 21)


@dataclass(frozen=True)
class FromToday:
    """A day counted from the day the demo is loaded (negative: before it), and for a
    meeting's start the time of day, in the meeting's time zone."""

    days: int
    time: dt.time = dt.time(10, 0)


Day = dt.date | FromToday


@dataclass(frozen=True)
class Organisation:
    name: str
    name_ar: str
    acronym: str
    kind: str
    country: str = ""


@dataclass(frozen=True)
class Person:
    full_name: str
    position: str
    organisation: str
    language: str
    full_name_ar: str = ""
    username: str | None = None


@dataclass(frozen=True)
class Group:
    name: str
    kind: str
    parent: str | None = None
    name_ar: str = ""
    name_fr: str = ""
    short_name: str = ""
    established_on: dt.date | None = None
    endorsed_by: str = ""
    description: str = ""
    # The terms of reference (a sub-group inherits what it leaves empty).
    reference_code: str = ""
    mandate: str = ""
    mandate_ar: str = ""
    mandate_fr: str = ""
    endorsed_on: dt.date | None = None
    notice_period_days: int | None = None
    quorum_rule: str = ""
    quorum_value: int | None = None
    usual_duration_minutes: int | None = None
    usual_venue: str = ""
    rhythm: str = ""


@dataclass(frozen=True)
class Seat:
    """An organisation's membership of a group, its seat holder and representatives
    (full name, "principal" or "alternate")."""

    group: str
    organisation: str
    role: str
    seat_holder: str | None = None
    representatives: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AgendaItem:
    """`confidentiality` empty: the meeting's label; `restricted_to` names organisations
    by acronym or name."""

    title: str
    presenter: str | None
    duration_minutes: int
    confidentiality: str = ""
    restricted_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """An invitee's answer, given `days_before` the meeting's start (None: when the
    demo is loaded, for a meeting whose invitations go out then)."""

    person: str
    response: str
    days_before: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Cancellation:
    reason: str
    days_before: int


@dataclass(frozen=True)
class Comment:
    """A member's comment on the draft minutes, on the section of the agenda item titled
    `item` ("" for the minutes as a whole), made `days_after` the meeting, and the
    secretariat's answer; `applied` when the text was changed for it."""

    person: str
    item: str
    body: str
    answer: str
    applied: bool = False
    days_after: int = 4


@dataclass(frozen=True)
class Minutes:
    """Approved, and published unless `published_days_after` is None, that many days
    after the meeting. A "## <agenda item title>" line in `body` heads that item's
    section (the loader numbers it as the agenda does). With `comments`, the draft went
    to the invitees' organisations `circulated_days_after` the meeting, for
    `comment_days`, and `body_after_comments` is its text once the applied comments are
    in. `signed_by` names the chair or co-chair who approved them; "" when the
    secretariat approved them on the chair's behalf."""

    body: str
    approved_days_after: int
    published_days_after: int | None = None
    comments: tuple[Comment, ...] = ()
    circulated_days_after: int = 2
    comment_days: int = 7
    body_after_comments: str = ""
    signed_by: str = ""


@dataclass(frozen=True)
class Adoption:
    """The meeting adopts the minutes of its group's previous meeting, through the item
    the portal put first on its agenda; `corrections` is their corrected text, if any."""

    corrections: str = ""


@dataclass(frozen=True)
class ActionPoint:
    title: str
    owner_organisation: str
    due_on: Day
    owner_person: str | None = None
    status: str = "open"
    progress: str = ""
    closed_on: Day | None = None


@dataclass(frozen=True)
class Meeting:
    """A meeting and what became of it.

    `status` is what it is today: "held" or "cancelled" for a meeting in the past,
    "scheduled" or "draft" for one to come. Unless it is a draft, the whole group was
    invited `invited_days_before` the start, or is invited when the demo is loaded
    when that is None (those invitations are the mail a fresh demo sends).
    """

    group: str
    title: str
    start: dt.datetime | FromToday
    hours: float
    status: str
    kind: str = "regular"
    venue: str = ""
    online_url: str = ""
    description: str = ""
    time_zone: str = "Africa/Tripoli"
    agenda: tuple[AgendaItem, ...] = ()
    invited_days_before: int | None = 14
    answers: tuple[Answer, ...] = ()
    cancellation: Cancellation | None = None
    attendees: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    minutes: Minutes | None = None
    action_points: tuple[ActionPoint, ...] = ()
    # Why the meeting was called inside its group's notice period, when the story's
    # call (`invited_days_before`) came that late.
    short_notice_reason: str = ""
    adoption: Adoption | None = None
    # A meeting to come: the sub-groups' reports the portal proposed for its agenda are
    # accepted by the secretariat.
    reports_accepted: bool = False


# --- Logins -------------------------------------------------------------------------
# The personas the tests and the README use. admin and secretariat come first; the
# others are made with their person below.

ADMIN_LOGIN = "admin"
SECRETARIAT_LOGIN = "secretariat"

# --- Organisations ------------------------------------------------------------------

# fmt: off
ORGANISATIONS = (
    Organisation("Ministry of Foreign Affairs", "وزارة الخارجية", "MoFA", "ministry", "LY"),
    Organisation("Ministry of Planning", "وزارة التخطيط", "MoP", "ministry", "LY"),
    Organisation("Ministry of Interior", "وزارة الداخلية", "MoI", "ministry", "LY"),
    Organisation("Ministry of Labour and Rehabilitation", "وزارة العمل والتأهيل", "MoL", "ministry", "LY"),
    Organisation("Ministry of Health", "وزارة الصحة", "MoH", "ministry", "LY"),
    Organisation("International Organization for Migration", "المنظمة الدولية للهجرة", "IOM", "un_agency"),
    Organisation("United Nations High Commissioner for Refugees", "المفوضية السامية للأمم المتحدة لشؤون اللاجئين", "UNHCR", "un_agency"),
    Organisation("United Nations Support Mission in Libya", "بعثة الأمم المتحدة للدعم في ليبيا", "UNSMIL", "un_agency"),
    Organisation("World Health Organization", "منظمة الصحة العالمية", "WHO", "un_agency"),
    Organisation("International Labour Organization", "منظمة العمل الدولية", "ILO", "un_agency"),
    Organisation("Embassy of Italy", "سفارة إيطاليا", "", "embassy", "IT"),
    Organisation("Embassy of Germany", "سفارة ألمانيا", "", "embassy", "DE"),
    Organisation("Embassy of the Netherlands", "سفارة هولندا", "", "embassy", "NL"),
    Organisation("Delegation of the European Union to Libya", "بعثة الاتحاد الأوروبي إلى ليبيا", "EU", "international"),
    Organisation("African Union Commission", "مفوضية الاتحاد الأفريقي", "AUC", "international"),
    Organisation("European External Action Service", "دائرة العمل الخارجي الأوروبي", "EEAS", "international"),
    Organisation("Libyan Red Crescent", "الهلال الأحمر الليبي", "LRC", "ngo", "LY"),
    Organisation("Libyan Chamber of Commerce", "غرفة التجارة الليبية", "", "other", "LY"),
)
# fmt: on

# --- People -------------------------------------------------------------------------
# Libyan officials (and the other Arab names) carry their names in Arabic as well.

# fmt: off
PEOPLE = (
    Person("Jaalal Alashi", "Head of the European Affairs Department", "MoFA", "ar", "جلال العشي", "chair"),
    Person("Othman Belbeisi", "IOM Chief of Mission in Libya", "IOM", "en", "عثمان البلبيسي", "cochair"),
    Person("Salma Bensaud", "Working group secretariat officer", "MoFA", "ar", "سلمى بن سعود", "secretariat"),
    Person("Huda Elmaghrabi", "Director of Primary Health Care", "MoH", "ar", "هدى المغربي", "member"),
    Person("Giulia Romano", "First Secretary", "Embassy of Italy", "en", username="observer"),
    Person("Tarek Zawi", "Trade adviser", "Libyan Chamber of Commerce", "ar", "طارق الزاوي", "outsider"),
    Person("Khaled Shibani", "Director of Public Health", "MoH", "ar", "خالد الشيباني"),
    Person("Nuri Fellah", "Director, Department for Combating Illegal Migration", "MoI", "ar", "نوري فلاح"),
    Person("Faiza Gweiri", "Director of Labour Migration", "MoL", "ar", "فائزة القويري"),
    Person("Mabrouk Dali", "Director of International Cooperation", "MoP", "ar", "مبروك الدالي"),
    Person("Roberto Mignone", "UNHCR Representative", "UNHCR", "en"),
    Person("Elisabeth Roesch", "Health Officer", "WHO", "en"),
    Person("Samir Haddad", "Labour Migration Specialist", "ILO", "fr", "سمير حداد"),
    Person("Marc Leblanc", "Political Affairs Officer", "UNSMIL", "fr"),
    Person("Katrin Weber", "Deputy Head of Mission", "Embassy of Germany", "en"),
    Person("Pieter de Vries", "Second Secretary", "Embassy of the Netherlands", "en"),
    Person("Anne Dubois", "Programme Manager, Migration", "EU", "fr"),
    Person("Amal Tarhuni", "Head of Programmes", "LRC", "ar", "أمل الترهوني"),
    Person("Moussa Faki Mahamat", "Chairperson of the African Union Commission", "AUC", "fr", "موسى فكي محمد"),
    Person("Amira El Fadil", "Commissioner for Social Affairs", "AUC", "en", "أميرة الفاضل"),
    Person("Federica Mogherini", "High Representative / Vice-President", "EEAS", "en"),
    Person("Filippo Grandi", "UN High Commissioner for Refugees", "UNHCR", "en"),
    Person("António Vitorino", "IOM Director General", "IOM", "fr"),
    Person("Laurence Hart", "IOM HQ delegation, Senior Regional Adviser", "IOM", "en"),
)
# fmt: on

# --- Groups -------------------------------------------------------------------------

FRAMEWORK = "Coordination Framework for International Technical Cooperation with the State of Libya"
MWG = "Migration Working Group"
TASKFORCE = "AU–EU–UN Taskforce on the Situation of Stranded Migrants and Refugees in Libya"
HEALTH = "Health Sub-group"
LABOUR = "Labour Policies Sub-group"
BORDER = "Border Management Sub-group"

# In creation order: a parent before its children.
# fmt: off
GROUPS = (
    Group(
        FRAMEWORK,
        "framework",
        name_ar="إطار التنسيق للتعاون الفني الدولي مع دولة ليبيا",
        name_fr="Cadre de coordination de la coopération technique internationale avec l'État de Libye",
        short_name="Coordination Framework",
        reference_code="CF",
        established_on=FRAMEWORK_DAY,
        endorsed_by="Senior Policy Committee, Tripoli",
        description="Six working groups coordinating international technical cooperation with Libya.",
    ),
    Group(
        MWG,
        "working_group",
        parent=FRAMEWORK,
        name_ar="مجموعة عمل الهجرة",
        name_fr="Groupe de travail sur la migration",
        short_name="MWG",
        established_on=LAUNCH_DAY,
        # The terms of reference, from the launch's news item: the framework's working
        # groups were endorsed by the Senior Policy Committee on 18 July 2017.
        reference_code="MWG",
        mandate=(
            "The Migration Working Group coordinates the strategies and policies of the "
            "Libyan authorities and their international partners on migration, and serves "
            "as a platform for constructive dialogue on migration. It aims to provide "
            "actionable tools and practical solutions to govern migration effectively with "
            "respect for human rights, and to reduce the impact of irregular migration. "
            "Chaired by the Ministry of Foreign Affairs and co-chaired by IOM, it covers "
            "labour migration, border management and migrants' health through its sub-groups."
        ),
        mandate_ar=(
            "تنسّق مجموعة عمل الهجرة استراتيجيات وسياسات السلطات الليبية وشركائها الدوليين "
            "في مجال الهجرة، وتشكّل منصة للحوار البنّاء بشأنها. وتهدف إلى توفير أدوات عملية "
            "وحلول ملموسة لإدارة الهجرة بفعالية مع احترام حقوق الإنسان، والحدّ من آثار الهجرة "
            "غير النظامية. وتترأسها وزارة الخارجية وتشاركها في الرئاسة المنظمة الدولية للهجرة، "
            "وتغطي عبر مجموعاتها الفرعية هجرة اليد العاملة وإدارة الحدود وصحة المهاجرين."
        ),
        mandate_fr=(
            "Le Groupe de travail sur la migration coordonne les stratégies et les politiques "
            "des autorités libyennes et de leurs partenaires internationaux en matière de "
            "migration, et offre un cadre de dialogue constructif sur la migration. Il vise à "
            "fournir des outils concrets et des solutions pratiques pour gouverner efficacement "
            "la migration dans le respect des droits humains, et à réduire l'impact de la "
            "migration irrégulière. Présidé par le ministère des Affaires étrangères et coprésidé "
            "par l'OIM, il couvre, à travers ses sous-groupes, la migration de main-d'œuvre, la "
            "gestion des frontières et la santé des migrants."
        ),
        endorsed_by="Senior Policy Committee",
        endorsed_on=FRAMEWORK_DAY,
        notice_period_days=14,
        quorum_rule="share",
        quorum_value=50,
        usual_duration_minutes=120,
        usual_venue="Ministry of Planning, Tripoli",
        rhythm="monthly",
    ),
    Group("Governance and Rule of Law Working Group", "working_group", FRAMEWORK, "مجموعة عمل الحوكمة وسيادة القانون", established_on=FRAMEWORK_DAY, reference_code="GRLWG"),
    Group("Economic Recovery Working Group", "working_group", FRAMEWORK, "مجموعة عمل التعافي الاقتصادي", established_on=FRAMEWORK_DAY, reference_code="ERWG"),
    Group("Public Finance Working Group", "working_group", FRAMEWORK, "مجموعة عمل المالية العامة", established_on=FRAMEWORK_DAY, reference_code="PFWG"),
    Group("Health Working Group", "working_group", FRAMEWORK, "مجموعة عمل الصحة", established_on=FRAMEWORK_DAY, reference_code="HWG"),
    Group("Education Working Group", "working_group", FRAMEWORK, "مجموعة عمل التعليم", established_on=FRAMEWORK_DAY, reference_code="EWG"),
    # The sub-groups follow the Migration Working Group's terms in all but their codes.
    Group(LABOUR, "sub_group", MWG, "المجموعة الفرعية لسياسات العمل", "Sous-groupe des politiques du travail", reference_code="MWG-LAB"),
    Group(BORDER, "sub_group", MWG, "المجموعة الفرعية لإدارة الحدود", "Sous-groupe de la gestion des frontières", reference_code="MWG-BRD"),
    Group(HEALTH, "sub_group", MWG, "المجموعة الفرعية للصحة", "Sous-groupe de la santé", reference_code="MWG-HLT"),
    Group(
        TASKFORCE,
        "taskforce",
        name_ar="فريق العمل الثلاثي للاتحاد الأفريقي والاتحاد الأوروبي والأمم المتحدة",
        name_fr="Task force UA–UE–ONU sur la situation des migrants et réfugiés en Libye",
        short_name="AU–EU–UN Taskforce",
        reference_code="AU-EU-UN-TF",
        established_on=dt.date(2017, 11, 29),
        endorsed_by="5th AU–EU Summit, Abidjan",
        mandate=(
            "To save and protect the lives of migrants and refugees along the migratory "
            "routes, and in particular inside Libya."
        ),
    ),
)
# fmt: on

# --- Seats --------------------------------------------------------------------------
# Each seat starts when its group was established (the launch day when not recorded).

# fmt: off
SEATS = (
    Seat(MWG, "MoFA", "chair", "Jaalal Alashi", (("Salma Bensaud", "principal"),)),
    Seat(MWG, "IOM", "co_chair", "Othman Belbeisi"),
    Seat(MWG, "MoH", "member", None, (("Huda Elmaghrabi", "principal"), ("Khaled Shibani", "alternate"))),
    Seat(MWG, "MoI", "member", None, (("Nuri Fellah", "principal"),)),
    Seat(MWG, "MoL", "member", None, (("Faiza Gweiri", "principal"),)),
    Seat(MWG, "MoP", "member", None, (("Mabrouk Dali", "principal"),)),
    Seat(MWG, "UNHCR", "member", None, (("Roberto Mignone", "principal"),)),
    Seat(MWG, "WHO", "member", None, (("Elisabeth Roesch", "principal"),)),
    Seat(MWG, "ILO", "member", None, (("Samir Haddad", "principal"),)),
    Seat(MWG, "EU", "member", None, (("Anne Dubois", "principal"),)),
    Seat(MWG, "Embassy of Germany", "member", None, (("Katrin Weber", "principal"),)),
    Seat(MWG, "Embassy of Italy", "observer", None, (("Giulia Romano", "principal"),)),
    Seat(MWG, "Embassy of the Netherlands", "observer", None, (("Pieter de Vries", "principal"),)),
    Seat(MWG, "UNSMIL", "observer", None, (("Marc Leblanc", "principal"),)),
    Seat(HEALTH, "MoH", "chair", "Khaled Shibani", (("Huda Elmaghrabi", "principal"),)),
    Seat(HEALTH, "WHO", "co_chair", "Elisabeth Roesch", (("Elisabeth Roesch", "principal"),)),
    Seat(HEALTH, "IOM", "member"),
    Seat(HEALTH, "LRC", "member", None, (("Amal Tarhuni", "principal"),)),
    Seat(LABOUR, "MoL", "chair", "Faiza Gweiri", (("Faiza Gweiri", "principal"),)),
    Seat(LABOUR, "ILO", "co_chair", "Samir Haddad", (("Samir Haddad", "principal"),)),
    Seat(BORDER, "MoI", "chair", "Nuri Fellah", (("Nuri Fellah", "principal"),)),
    Seat(BORDER, "EU", "member", None, (("Anne Dubois", "principal"),)),
    Seat(TASKFORCE, "AUC", "member", None, (("Moussa Faki Mahamat", "principal"), ("Amira El Fadil", "alternate"))),
    Seat(TASKFORCE, "EEAS", "member", None, (("Federica Mogherini", "principal"),)),
    Seat(TASKFORCE, "UNHCR", "member", None, (("Filippo Grandi", "principal"),)),
    Seat(TASKFORCE, "IOM", "member", None, (("António Vitorino", "principal"),)),
)
# fmt: on

# --- Meetings -----------------------------------------------------------------------
# In creation order, which the README's API examples rely on for their ids: meeting 4
# is the next quarterly meeting, invitations 41 and 55 are the member persona's
# unanswered ones, action point 4 is the Ministry of Health's mapping.

# The launch's minutes: as drafted, then with the members' comments applied.
LAUNCH_MINUTES_DRAFT = (
    "## Opening remarks by the Chair\n\n"
    "The Migration Working Group was launched at the Ministry of Planning in Tripoli, "
    "chaired by the Head of the European Affairs Department of the Ministry of Foreign "
    "Affairs and co-chaired by the IOM Chief of Mission, with representatives of the "
    "relevant Libyan ministries, ambassadors and embassy representatives, UN agencies "
    "and a high-level delegation from IOM HQ. The Chair reaffirmed the importance of the "
    "working group and the wish to work closely with the international community, and "
    "IOM in particular, to overcome outstanding issues.\n\n"
    "## Remarks by the IOM Chief of Mission\n\n"
    "The Co-chair hoped the launch would be the first step towards managing migration "
    "for the benefit of all.\n\n"
    "## Priority areas and the sub-groups to come\n\n"
    "Members agreed that sub-groups would follow on the key priority areas: labour "
    "policies, border management and health.\n"
)
LAUNCH_MINUTES_AFTER_COMMENTS = (
    "## Opening remarks by the Chair\n\n"
    "The Migration Working Group was launched at the Ministry of Planning in Tripoli, "
    "chaired by the Head of the European Affairs Department of the Ministry of Foreign "
    "Affairs and co-chaired by the IOM Chief of Mission, with representatives of the "
    "relevant Libyan ministries, ambassadors and embassy representatives, UN agencies "
    "and a high-level delegation from IOM HQ. The Chair reaffirmed the importance of the "
    "working group and the wish to work closely with the international community, and "
    "IOM in particular, to overcome outstanding issues.\n\n"
    "## Remarks by the IOM Chief of Mission\n\n"
    "The Co-chair hoped the launch would be the first step towards managing migration "
    "for the benefit of all, in line with the country's own priorities.\n\n"
    "## Priority areas and the sub-groups to come\n\n"
    "Members agreed that sub-groups would follow on the key priority areas: labour "
    "policies, border management and health. The Ministry of Health will chair the "
    "health sub-group.\n"
)
# The next meeting adopted them with one correction: who led the delegation from IOM HQ.
LAUNCH_MINUTES_CORRECTED = LAUNCH_MINUTES_AFTER_COMMENTS.replace(
    "a high-level delegation from IOM HQ.",
    "a high-level delegation from IOM HQ led by its Senior Regional Adviser.",
)

LAUNCH = Meeting(
    MWG,
    "Launch of the Migration Working Group",
    dt.datetime(2017, 11, 21, 10, 0, tzinfo=TRIPOLI),
    3,
    "held",
    kind="launch",
    venue="Ministry of Planning, Tripoli",
    description=(
        "Launch of the Migration Working Group of the Coordination Framework for "
        "International Technical Cooperation with the State of Libya."
    ),
    agenda=(
        AgendaItem("Opening remarks by the Chair", "Jaalal Alashi", 15),
        AgendaItem("Remarks by the IOM Chief of Mission", "Othman Belbeisi", 15),
        AgendaItem("Purpose and terms of reference of the working group", "Salma Bensaud", 45),
        AgendaItem("Priority areas and the sub-groups to come", None, 60),
        AgendaItem("Any other business", None, 15),
    ),
    invited_days_before=14,
    answers=(
        Answer("Jaalal Alashi", "accepted", 13),
        Answer("Salma Bensaud", "accepted", 13),
        Answer("Othman Belbeisi", "accepted", 12),
        Answer("Mabrouk Dali", "accepted", 10, "The Ministry of Planning hosts the launch."),
        Answer("Huda Elmaghrabi", "accepted", 9),
        Answer("Khaled Shibani", "declined", 9, "Dr Elmaghrabi represents the Ministry of Health."),
        Answer("Nuri Fellah", "accepted", 8),
        Answer("Faiza Gweiri", "accepted", 7),
        Answer("Giulia Romano", "accepted", 7),
        Answer("Roberto Mignone", "accepted", 6),
        Answer("Anne Dubois", "accepted", 6),
        Answer("Katrin Weber", "accepted", 5),
        Answer("Elisabeth Roesch", "declined", 5, "On mission in Geneva that week."),
        Answer("Samir Haddad", "tentative", 4),
        Answer("Pieter de Vries", "accepted", 3),
        Answer("Marc Leblanc", "tentative", 2),
    ),
    # Laurence Hart came with the IOM HQ delegation, uninvited by the working group.
    attendees=(
        "Jaalal Alashi",
        "Othman Belbeisi",
        "Salma Bensaud",
        "Huda Elmaghrabi",
        "Nuri Fellah",
        "Faiza Gweiri",
        "Mabrouk Dali",
        "Roberto Mignone",
        "Katrin Weber",
        "Giulia Romano",
        "Pieter de Vries",
        "Anne Dubois",
        "Laurence Hart",
    ),
    decisions=(
        "The Migration Working Group is established as one of the six working groups of the Coordination Framework.",
        "Sub-groups will be launched on labour policies, border management and health.",
    ),
    minutes=Minutes(
        LAUNCH_MINUTES_DRAFT,
        approved_days_after=14,
        published_days_after=16,
        comments=(
            Comment(
                "Huda Elmaghrabi",
                "Priority areas and the sub-groups to come",
                "Please record that the Ministry of Health offered to chair the health sub-group.",
                "Added to the section.",
                applied=True,
                days_after=4,
            ),
            Comment(
                "Othman Belbeisi",
                "Remarks by the IOM Chief of Mission",
                "The Co-chair also stressed that the work follows the country's own priorities.",
                "Added, in the Co-chair's words.",
                applied=True,
                days_after=6,
            ),
        ),
        circulated_days_after=2,
        comment_days=7,
        body_after_comments=LAUNCH_MINUTES_AFTER_COMMENTS,
        signed_by="Jaalal Alashi",
    ),
    action_points=(
        ActionPoint(
            "Draft terms of reference for the three sub-groups",
            "IOM",
            dt.date(2017, 12, 15),
            owner_person="Othman Belbeisi",
            status="done",
            progress="Circulated to members on 12 December 2017.",
            closed_on=dt.date(2017, 12, 12),
        ),
        ActionPoint(
            "Nominate ministry focal points for each sub-group",
            "MoFA",
            dt.date(2018, 1, 15),
            owner_person="Jaalal Alashi",
            status="done",
            progress="The ministries of Health, Interior and Labour named their focal points.",
            closed_on=dt.date(2018, 1, 11),
        ),
    ),
)

QUARTERLY_RETURNS = Meeting(
    MWG,
    "Quarterly meeting: returns and alternatives to detention",
    FromToday(-45),
    3,
    "held",
    venue="Ministry of Foreign Affairs, Tripoli",
    online_url="https://meet.example.org/mwg-quarterly",
    agenda=(
        AgendaItem("Adoption of the agenda", "Jaalal Alashi", 5),
        AgendaItem("Update on assisted voluntary humanitarian returns", "Othman Belbeisi", 30),
        AgendaItem("Alternatives to detention: options paper", "Roberto Mignone", 45),
        AgendaItem("Reports of the sub-groups", None, 40),
    ),
    invited_days_before=21,
    answers=(
        Answer("Jaalal Alashi", "accepted", 20),
        Answer("Salma Bensaud", "accepted", 20),
        Answer("Othman Belbeisi", "accepted", 18),
        Answer("Anne Dubois", "accepted", 15),
        Answer("Roberto Mignone", "accepted", 14),
        Answer("Huda Elmaghrabi", "accepted", 12),
        Answer("Khaled Shibani", "declined", 12, "Dr Elmaghrabi attends for the Ministry."),
        Answer("Nuri Fellah", "accepted", 10),
        Answer("Mabrouk Dali", "accepted", 9),
        Answer("Samir Haddad", "declined", 8, "The ILO assessment team is in Sabha."),
        Answer("Katrin Weber", "accepted", 7),
        Answer("Faiza Gweiri", "declined", 6, "On mission in Misrata."),
        Answer("Elisabeth Roesch", "tentative", 5),
        Answer("Giulia Romano", "declined", 4),
        Answer("Marc Leblanc", "accepted", 3),
        Answer("Pieter de Vries", "tentative", 2),
    ),
    attendees=(
        "Jaalal Alashi",
        "Othman Belbeisi",
        "Salma Bensaud",
        "Huda Elmaghrabi",
        "Nuri Fellah",
        "Mabrouk Dali",
        "Roberto Mignone",
        "Anne Dubois",
        "Katrin Weber",
        "Pieter de Vries",
    ),
    decisions=(
        "The options paper on alternatives to detention is endorsed for consultation.",
        "The health sub-group will map health services available to migrants.",
    ),
    adoption=Adoption(corrections=LAUNCH_MINUTES_CORRECTED),
    minutes=Minutes(
        (
            "## Adoption of the agenda\n\n"
            "The Chair opened the meeting and the agenda was adopted.\n\n"
            "## Update on assisted voluntary humanitarian returns\n\n"
            "IOM reported on the assisted voluntary humanitarian returns since the "
            "last meeting and on the reintegration support offered in countries of origin. "
            "Members asked for the figures by country of origin at the next meeting.\n\n"
            "## Alternatives to detention: options paper\n\n"
            "UNHCR presented the options paper. The Ministry of "
            "Interior welcomed a first step for women and children and asked for the cost of "
            "each option. The paper was endorsed for consultation with members.\n\n"
            "## Reports of the sub-groups\n\n"
            "The health sub-group reported on its first months of work; the labour "
            "policies sub-group awaits the ILO assessment; the border management sub-group has "
            "yet to meet.\n\n"
            "The Chair closed the meeting at 13:00.\n"
        ),
        approved_days_after=12,
        published_days_after=14,
        comments=(
            Comment(
                "Huda Elmaghrabi",
                "Reports of the sub-groups",
                "The health sub-group met twice; please say so.",
                "The sub-group's own minutes record both meetings; the text stays as it is.",
                days_after=5,
            ),
        ),
        circulated_days_after=3,
        comment_days=6,
    ),
    action_points=(
        ActionPoint(
            "Share the mapping of detention centres with members",
            "MoI",
            FromToday(-10),
            owner_person="Nuri Fellah",
            progress="Centres in the west mapped; the south is still to be visited.",
        ),
        ActionPoint(
            "Map primary health services available to migrants",
            "MoH",
            FromToday(3),
            owner_person="Huda Elmaghrabi",
        ),
        ActionPoint(
            "Comment on the alternatives-to-detention options paper",
            "EU",
            FromToday(20),
        ),
    ),
)

HEALTH_SERVICES = Meeting(
    HEALTH,
    "Health sub-group: migrant health services",
    FromToday(-20),
    2,
    "held",
    venue="Ministry of Health, Tripoli",
    agenda=(
        AgendaItem("Screening at disembarkation points", "Elisabeth Roesch", 40),
        AgendaItem("Referral pathways", "Huda Elmaghrabi", 40),
    ),
    invited_days_before=14,
    answers=(
        Answer("Khaled Shibani", "accepted", 13),
        Answer("Huda Elmaghrabi", "accepted", 10),
        Answer("Elisabeth Roesch", "accepted", 9),
        Answer("Amal Tarhuni", "accepted", 5),
    ),
    attendees=("Huda Elmaghrabi", "Khaled Shibani", "Elisabeth Roesch", "Amal Tarhuni"),
    decisions=("A referral pathway for migrants is drafted by WHO and the Ministry.",),
    # Approved by the sub-group, awaiting publication by the secretariat.
    minutes=Minutes(
        (
            "Present: the Ministry of Health (chair), WHO (co-chair) and the Libyan Red "
            "Crescent.\n\n"
            "Screening at disembarkation points. WHO presented the screening protocol used at "
            "disembarkation points, and the Libyan Red Crescent the first-aid posts it runs "
            "there. Members agreed that screening results should travel with the patient.\n\n"
            "Referral pathways. The Ministry presented the referral from primary health care "
            "centres to hospitals. WHO and the Ministry will draft a single referral pathway "
            "for migrants, to be validated at the next meeting."
        ),
        approved_days_after=12,
        # Published: the Migration Working Group's next meeting hears the sub-group's report.
        published_days_after=14,
        signed_by="Khaled Shibani",
    ),
    action_points=(
        ActionPoint(
            "Draft the migrant referral pathway",
            "MoH",
            FromToday(-2),
            owner_person="Khaled Shibani",
            progress="First draft shared with WHO for comments.",
        ),
    ),
)

QUARTERLY_LABOUR_BORDERS = Meeting(
    MWG,
    "Quarterly meeting: labour migration and border management",
    FromToday(14),
    3,
    "scheduled",
    venue="Ministry of Planning, Tripoli",
    online_url="https://meet.example.org/mwg-q2",
    agenda=(
        AgendaItem("Adoption of the agenda", "Jaalal Alashi", 10),
        AgendaItem("Labour migration governance: ILO assessment", "Samir Haddad", 40),
        AgendaItem("Border management: capacity needs", "Nuri Fellah", 40),
        # The chairs' own item: the other members see its time on the agenda, not its title.
        AgendaItem(
            "Chair and co-chair: funding of the returns programme",
            "Othman Belbeisi",
            15,
            confidentiality="restricted",
            restricted_to=("MoFA", "IOM"),
        ),
    ),
    invited_days_before=21,
    answers=(
        Answer("Othman Belbeisi", "accepted", 20),
        Answer("Nuri Fellah", "accepted", 18),
        Answer("Roberto Mignone", "tentative", 17),
        Answer("Katrin Weber", "declined", 16, "Home leave."),
    ),
    reports_accepted=True,
)

REFERRAL_VALIDATION = Meeting(
    HEALTH,
    "Health sub-group: referral pathway validation",
    FromToday(21, dt.time(11, 0)),
    2,
    "scheduled",
    venue="World Health Organization office, Tripoli",
    agenda=(AgendaItem("Validation of the referral pathway", "Khaled Shibani", 60),),
    invited_days_before=None,
)

BORDER_FIRST = Meeting(
    BORDER,
    "Border management sub-group: first meeting",
    FromToday(35),
    2,
    "draft",
    venue="Ministry of Interior, Tripoli",
)

LABOUR_KICK_OFF = Meeting(
    LABOUR,
    "Labour policies sub-group: kick-off",
    FromToday(-5),
    2,
    "cancelled",
    venue="Ministry of Labour and Rehabilitation, Tripoli",
    invited_days_before=28,
    answers=(Answer("Faiza Gweiri", "accepted", 27), Answer("Samir Haddad", "tentative", 20)),
    cancellation=Cancellation("Postponed until the ILO assessment is ready.", 9),
)

TASKFORCE_UNGA74 = Meeting(
    TASKFORCE,
    "Taskforce meeting in the margins of the 74th UN General Assembly",
    dt.datetime(2019, 9, 25, 9, 0, tzinfo=NEW_YORK),
    2,
    "held",
    venue="United Nations Headquarters, New York",
    time_zone="America/New_York",
    agenda=(
        AgendaItem("Next steps and priorities of the Taskforce", "Moussa Faki Mahamat", 30),
        AgendaItem("Support in Libya: returns and evacuations", "António Vitorino", 30),
        AgendaItem("Emergency Transit Mechanism in Rwanda", "Filippo Grandi", 30),
    ),
    invited_days_before=10,
    answers=(
        Answer("Moussa Faki Mahamat", "accepted", 9),
        Answer("António Vitorino", "accepted", 9),
        Answer("Filippo Grandi", "accepted", 8),
        Answer("Federica Mogherini", "accepted", 7),
        Answer("Amira El Fadil", "accepted", 6),
    ),
    attendees=(
        "Moussa Faki Mahamat",
        "Amira El Fadil",
        "Federica Mogherini",
        "Filippo Grandi",
        "António Vitorino",
    ),
    decisions=(
        "Consolidate cooperation with the Libyan authorities to scale up assisted voluntary returns and evacuations.",
        "Work to dismantle arbitrary detention of migrants and create alternatives to detention.",
        "Explore possibilities to increase AU–EU–UN cooperation.",
    ),
    minutes=Minutes(
        (
            "The Taskforce met in New York in the margins of the high-level General Debate of "
            "the 74th session of the UN General Assembly and discussed its next steps and "
            "priorities, its support in Libya and further joint work.\n\n"
            "Members noted over 48,000 voluntary humanitarian returns of migrants from Libya "
            "facilitated by IOM and AU Member States, and over 4,000 evacuations of refugees "
            "by UNHCR. They welcomed the initiative of Rwanda, the African Union and UNHCR to "
            "establish an Emergency Transit Mechanism in Rwanda as an important gesture of "
            "African solidarity."
        ),
        approved_days_after=7,
        published_days_after=9,
    ),
    action_points=(
        ActionPoint(
            "Support the Emergency Transit Mechanism in Rwanda",
            "UNHCR",
            dt.date(2019, 12, 31),
            owner_person="Filippo Grandi",
            status="done",
            progress="Evacuations from Libya to the Emergency Transit Mechanism in Rwanda began in September 2019.",
            closed_on=dt.date(2019, 12, 18),
        ),
    ),
)


@dataclass(frozen=True)
class Series:
    """A group's regular meetings: monthly on the nth weekday, from a day counted from
    the demo's loading, scheduled (the group invited once to the whole series); the
    meeting at `moved_index` (0 = the first) moved by `moved_by_days`."""

    group: str
    title: str
    weekday: int
    week_of_month: int
    starts: FromToday
    count: int
    duration_minutes: int
    venue: str
    moved_index: int | None = None
    moved_by_days: int = 0


# The Working Group meets monthly under its terms of reference: the second Tuesday of
# the month, starting after the notice period; one meeting moved a day (a holiday).
MONTHLY_MWG = Series(
    MWG,
    "Monthly meeting of the Migration Working Group",
    weekday=1,
    week_of_month=2,
    starts=FromToday(15),
    count=12,
    duration_minutes=120,
    venue="Ministry of Planning, Tripoli",
    moved_index=1,
    moved_by_days=1,
)
SERIES = (MONTHLY_MWG,)

MEETINGS = (
    LAUNCH,
    QUARTERLY_RETURNS,
    HEALTH_SERVICES,
    QUARTERLY_LABOUR_BORDERS,
    REFERRAL_VALIDATION,
    BORDER_FIRST,
    LABOUR_KICK_OFF,
    TASKFORCE_UNGA74,
)


# --- Papers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """A paper of a group: in its library, or on a meeting of the story (by title) and
    one of its agenda items (by title), added before the meeting is called so that its
    invitation names it. Its file is a PDF drawn from `text` when the demo is loaded.
    `confidentiality` empty: the group's usual label; `restricted_to` names organisations
    by acronym or name."""

    group: str
    title: str
    file_name: str
    text: str
    language: str = "en"
    title_ar: str = ""
    title_fr: str = ""
    description: str = ""
    meeting: str = ""
    agenda_item: str = ""
    confidentiality: str = ""
    restricted_to: tuple[str, ...] = ()


PAPERS = (
    Paper(
        MWG,
        "Concept note: labour migration governance assessment",
        "concept-note-labour-migration-assessment.pdf",
        (
            "The Ministry of Labour and Rehabilitation and the ILO propose an assessment of how labour migration to Libya is governed: "
            "the legal framework, recruitment practices, work permits and the protection of migrant workers.\n\n"
            "The Working Group is invited to endorse the scope of the assessment and to name a focal point in each ministry concerned."
        ),
        title_ar="مذكرة مفاهيمية: تقييم حوكمة هجرة اليد العاملة",
        title_fr="Note conceptuelle : évaluation de la gouvernance des migrations de main-d'œuvre",
        meeting=QUARTERLY_LABOUR_BORDERS.title,
        agenda_item="Labour migration governance: ILO assessment",
    ),
    Paper(
        MWG,
        "Border management: capacity needs assessment",
        "border-capacity-needs-assessment.pdf",
        (
            "An assessment of the equipment, training and staffing needs of the border posts on the southern border, "
            "shared with the Ministry of Foreign Affairs and IOM only while the Ministry of Interior reviews it."
        ),
        title_ar="إدارة الحدود: تقييم الاحتياجات من القدرات",
        meeting=QUARTERLY_LABOUR_BORDERS.title,
        agenda_item="Border management: capacity needs",
        confidentiality="restricted",
        restricted_to=("IOM", "MoFA"),
    ),
    Paper(
        MWG,
        "Draft terms of reference of the Migration Working Group",
        "draft-terms-of-reference-mwg.pdf",
        (
            "The Migration Working Group coordinates the technical cooperation of the Libyan authorities and their international partners on migration. "
            "It is chaired by the Ministry of Foreign Affairs and co-chaired by IOM, meets every month and reports to the Senior Policy Committee."
        ),
        title_ar="مسودة اختصاصات مجموعة عمل الهجرة",
        title_fr="Projet de mandat du Groupe de travail sur la migration",
        description="For comment by the member organisations before the next meeting.",
    ),
    Paper(
        MWG,
        "Country report: migration in Libya",
        "country-report-migration-libya.pdf",
        (
            "يقدم هذا التقرير لمحة عن أوضاع الهجرة في ليبيا: أعداد المهاجرين وبلدان المنشأ، وعمليات العودة الطوعية الإنسانية، "
            "والخدمات الصحية المقدمة عند نقاط الإنزال، وأولويات التعاون الفني للعام المقبل."
        ),
        language="ar",
        title_ar="التقرير القطري: الهجرة في ليبيا",
        title_fr="Rapport de pays : la migration en Libye",
    ),
)


# --- Written procedures ---------------------------------------------------------------


@dataclass(frozen=True)
class ProcedureAnswer:
    """`person` answered for their organisation, `days_after` the circulation."""

    person: str
    answer: str
    reason: str = ""
    days_after: int = 1


@dataclass(frozen=True)
class WrittenProcedure:
    """A draft decision of `group` circulated to its member organisations on
    `circulated`, answers due by `deadline` (at noon in Tripoli). One whose deadline has
    passed is closed as the beat closes it: adopted when no one objected."""

    group: str
    title: str
    text: str
    circulated: Day
    deadline: Day
    text_ar: str = ""
    text_fr: str = ""
    answers: tuple[ProcedureAnswer, ...] = ()


PROCEDURES = (
    WrittenProcedure(
        MWG,
        "Terms of reference of the health sub-group",
        "The Migration Working Group approves the terms of reference of the health sub-group "
        "as circulated: the sub-group coordinates health services for migrants, meets every "
        "two months and reports to each regular meeting of the working group.",
        circulated=FromToday(-12),
        deadline=FromToday(-2),
        text_ar=(
            "يوافق فريق عمل الهجرة على اختصاصات الفريق الفرعي للصحة كما عُمّمت: ينسّق الفريق "
            "الفرعي الخدمات الصحية للمهاجرين، ويجتمع كل شهرين، ويرفع تقريره إلى كل اجتماع عادي "
            "لفريق العمل."
        ),
        text_fr=(
            "Le Groupe de travail sur les migrations approuve le mandat du sous-groupe santé tel "
            "que diffusé : le sous-groupe coordonne les services de santé destinés aux migrants, "
            "se réunit tous les deux mois et rend compte à chaque réunion ordinaire du groupe."
        ),
        answers=(
            ProcedureAnswer("Othman Belbeisi", "agree", days_after=1),
            ProcedureAnswer("Huda Elmaghrabi", "agree", days_after=3),
        ),
    ),
    WrittenProcedure(
        MWG,
        "Joint statement for International Migrants Day",
        "The Migration Working Group issues the joint statement for International Migrants "
        "Day (18 December) as circulated, in Arabic and English.",
        circulated=FromToday(-1),
        deadline=FromToday(9),
        answers=(ProcedureAnswer("Othman Belbeisi", "agree", days_after=0),),
    ),
)
