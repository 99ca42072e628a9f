"""Recreate the story of the seeds: the framework, the Migration Working Group and its
launch, later meetings, and the AU–EU–UN Taskforce. Run it twice and nothing changes.

Every row is found by its natural key first and made through the services only when
missing, so a second run writes nothing, and the demo's history is the real history.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from groups.models import CoordinationGroup, Membership, Representative
from groups.services import group_create, membership_create, person_link_user, representative_add
from meetings.models import ActionPoint, Decision, Invitation, Meeting, Minutes
from meetings.services import (
    action_point_create,
    action_point_report,
    agenda_item_add,
    attendance_record,
    decision_add,
    invitation_respond,
    invitations_create_for_group,
    meeting_cancel,
    meeting_create,
    meeting_mark_held,
    meeting_schedule,
    minutes_approve,
    minutes_publish,
    minutes_save,
)
from members.models import Organisation, Person
from members.services import (
    organisation_create,
    person_create,
    secretariat_role_ensure,
    user_create,
)

User = get_user_model()
TRIPOLI = zoneinfo.ZoneInfo("Africa/Tripoli")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LAUNCH_DAY = dt.date(2017, 11, 21)
DEFAULT_DEMO_PASSWORD = "tansiq-demo"  # noqa: S105 - documented demo password, refused in production

FRAMEWORK = "Coordination Framework for International Technical Cooperation with the State of Libya"
MWG = "Migration Working Group"
TASKFORCE = "AU–EU–UN Taskforce on the Situation of Stranded Migrants and Refugees in Libya"
OTHER_WORKING_GROUPS = [
    ("Governance and Rule of Law Working Group", "مجموعة عمل الحوكمة وسيادة القانون"),
    ("Economic Recovery Working Group", "مجموعة عمل التعافي الاقتصادي"),
    ("Public Finance Working Group", "مجموعة عمل المالية العامة"),
    ("Health Working Group", "مجموعة عمل الصحة"),
    ("Education Working Group", "مجموعة عمل التعليم"),
]
SUB_GROUPS = [
    (
        "Labour Policies Sub-group",
        "المجموعة الفرعية لسياسات العمل",
        "Sous-groupe des politiques du travail",
    ),
    (
        "Border Management Sub-group",
        "المجموعة الفرعية لإدارة الحدود",
        "Sous-groupe de la gestion des frontières",
    ),
    ("Health Sub-group", "المجموعة الفرعية للصحة", "Sous-groupe de la santé"),
]
# name, Arabic name, acronym, kind, country
ORGANISATIONS = [
    ("Ministry of Foreign Affairs", "وزارة الخارجية", "MoFA", "ministry", "LY"),
    ("Ministry of Planning", "وزارة التخطيط", "MoP", "ministry", "LY"),
    ("Ministry of Interior", "وزارة الداخلية", "MoI", "ministry", "LY"),
    ("Ministry of Labour and Rehabilitation", "وزارة العمل والتأهيل", "MoL", "ministry", "LY"),
    ("Ministry of Health", "وزارة الصحة", "MoH", "ministry", "LY"),
    ("International Organization for Migration", "المنظمة الدولية للهجرة", "IOM", "un_agency", ""),
    (
        "United Nations High Commissioner for Refugees",
        "المفوضية السامية للأمم المتحدة لشؤون اللاجئين",
        "UNHCR",
        "un_agency",
        "",
    ),
    (
        "United Nations Support Mission in Libya",
        "بعثة الأمم المتحدة للدعم في ليبيا",
        "UNSMIL",
        "un_agency",
        "",
    ),
    ("World Health Organization", "منظمة الصحة العالمية", "WHO", "un_agency", ""),
    ("International Labour Organization", "منظمة العمل الدولية", "ILO", "un_agency", ""),
    ("Embassy of Italy", "سفارة إيطاليا", "", "embassy", "IT"),
    ("Embassy of Germany", "سفارة ألمانيا", "", "embassy", "DE"),
    ("Embassy of the Netherlands", "سفارة هولندا", "", "embassy", "NL"),
    (
        "Delegation of the European Union to Libya",
        "بعثة الاتحاد الأوروبي إلى ليبيا",
        "EU",
        "international",
        "",
    ),
    ("African Union Commission", "مفوضية الاتحاد الأفريقي", "AUC", "international", ""),
    (
        "European External Action Service",
        "دائرة العمل الخارجي الأوروبي",
        "EEAS",
        "international",
        "",
    ),
    ("Libyan Red Crescent", "الهلال الأحمر الليبي", "LRC", "ngo", "LY"),
    ("Libyan Chamber of Commerce", "غرفة التجارة الليبية", "", "other", "LY"),
]
# username (or None), full name, position, organisation acronym or name, language
PEOPLE = [
    ("chair", "Jaalal Alashi", "Head of the European Affairs Department", "MoFA", "ar"),
    ("cochair", "Othman Belbeisi", "IOM Chief of Mission in Libya", "IOM", "en"),
    ("secretariat", "Salma Bensaud", "Working group secretariat officer", "MoFA", "ar"),
    ("member", "Huda Elmaghrabi", "Director of Primary Health Care", "MoH", "ar"),
    ("observer", "Giulia Romano", "First Secretary", "Embassy of Italy", "en"),
    ("outsider", "Tarek Zawi", "Trade adviser", "Libyan Chamber of Commerce", "ar"),
    (None, "Khaled Shibani", "Director of Public Health", "MoH", "ar"),
    (None, "Nuri Fellah", "Director, Department for Combating Illegal Migration", "MoI", "ar"),
    (None, "Faiza Gweiri", "Director of Labour Migration", "MoL", "ar"),
    (None, "Mabrouk Dali", "Director of International Cooperation", "MoP", "ar"),
    (None, "Roberto Mignone", "UNHCR Representative", "UNHCR", "en"),
    (None, "Elisabeth Roesch", "Health Officer", "WHO", "en"),
    (None, "Samir Haddad", "Labour Migration Specialist", "ILO", "fr"),
    (None, "Marc Leblanc", "Political Affairs Officer", "UNSMIL", "fr"),
    (None, "Katrin Weber", "Deputy Head of Mission", "Embassy of Germany", "en"),
    (None, "Pieter de Vries", "Second Secretary", "Embassy of the Netherlands", "en"),
    (None, "Anne Dubois", "Programme Manager, Migration", "EU", "fr"),
    (None, "Amal Tarhuni", "Head of Programmes", "LRC", "ar"),
    (None, "Moussa Faki Mahamat", "Chairperson of the African Union Commission", "AUC", "fr"),
    (None, "Amira El Fadil", "Commissioner for Social Affairs", "AUC", "en"),
    (None, "Federica Mogherini", "High Representative / Vice-President", "EEAS", "en"),
    (None, "Filippo Grandi", "UN High Commissioner for Refugees", "UNHCR", "en"),
    (None, "António Vitorino", "IOM Director General", "IOM", "fr"),
    (None, "Laurence Hart", "IOM HQ delegation, Senior Regional Adviser", "IOM", "en"),
]
# group, organisation, role, seat holder; representatives as (person, kind)
MEMBERSHIPS = [
    (MWG, "MoFA", "chair", "Jaalal Alashi", [("Salma Bensaud", "principal")]),
    (MWG, "IOM", "co_chair", "Othman Belbeisi", []),
    (
        MWG,
        "MoH",
        "member",
        None,
        [("Huda Elmaghrabi", "principal"), ("Khaled Shibani", "alternate")],
    ),
    (MWG, "MoI", "member", None, [("Nuri Fellah", "principal")]),
    (MWG, "MoL", "member", None, [("Faiza Gweiri", "principal")]),
    (MWG, "MoP", "member", None, [("Mabrouk Dali", "principal")]),
    (MWG, "UNHCR", "member", None, [("Roberto Mignone", "principal")]),
    (MWG, "WHO", "member", None, [("Elisabeth Roesch", "principal")]),
    (MWG, "ILO", "member", None, [("Samir Haddad", "principal")]),
    (MWG, "EU", "member", None, [("Anne Dubois", "principal")]),
    (MWG, "Embassy of Germany", "member", None, [("Katrin Weber", "principal")]),
    (MWG, "Embassy of Italy", "observer", None, [("Giulia Romano", "principal")]),
    (MWG, "Embassy of the Netherlands", "observer", None, [("Pieter de Vries", "principal")]),
    (MWG, "UNSMIL", "observer", None, [("Marc Leblanc", "principal")]),
    ("Health Sub-group", "MoH", "chair", "Khaled Shibani", [("Huda Elmaghrabi", "principal")]),
    (
        "Health Sub-group",
        "WHO",
        "co_chair",
        "Elisabeth Roesch",
        [("Elisabeth Roesch", "principal")],
    ),
    ("Health Sub-group", "IOM", "member", None, []),
    ("Health Sub-group", "LRC", "member", None, [("Amal Tarhuni", "principal")]),
    ("Labour Policies Sub-group", "MoL", "chair", "Faiza Gweiri", [("Faiza Gweiri", "principal")]),
    (
        "Labour Policies Sub-group",
        "ILO",
        "co_chair",
        "Samir Haddad",
        [("Samir Haddad", "principal")],
    ),
    ("Border Management Sub-group", "MoI", "chair", "Nuri Fellah", [("Nuri Fellah", "principal")]),
    ("Border Management Sub-group", "EU", "member", None, [("Anne Dubois", "principal")]),
    (
        TASKFORCE,
        "AUC",
        "member",
        None,
        [("Moussa Faki Mahamat", "principal"), ("Amira El Fadil", "alternate")],
    ),
    (TASKFORCE, "EEAS", "member", None, [("Federica Mogherini", "principal")]),
    (TASKFORCE, "UNHCR", "member", None, [("Filippo Grandi", "principal")]),
    (TASKFORCE, "IOM", "member", None, [("António Vitorino", "principal")]),
]


class Command(BaseCommand):
    help = "Load the demo story of the seeds (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        password = settings.DEMO_PASSWORD
        if not settings.DEBUG and not password:
            raise CommandError(
                "Demo data is refused when DEBUG is off; set DEMO_PASSWORD to load it anyway.",
                returncode=2,
            )
        self.password = password or DEFAULT_DEMO_PASSWORD
        self.now = timezone.now()
        with transaction.atomic():
            secretariat_role_ensure()
            self.created = 0
            self.load()
        if self.created:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded ({self.created} records created).")
            )
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
        self.stdout.write(
            "Logins (password: DEMO_PASSWORD, default tansiq-demo): "
            "admin, secretariat, chair, cochair, member, observer, outsider"
        )

    # --- finding or making ----------------------------------------------------------

    def ensure(self, model, lookup: dict, make):
        found = model.objects.filter(**lookup).first()
        if found is not None:
            return found, False
        self.created += 1
        return make(), True

    def login(self, username: str, **flags) -> User:
        user, _ = self.ensure(
            User,
            {"username": username},
            lambda: user_create(
                username=username,
                password=self.password,
                email=f"{username}@tansiq.local",
                **flags,
            ),
        )
        return user

    # --- the story --------------------------------------------------------------------

    def load(self) -> None:
        self.admin = self.login("admin", is_superuser=True)
        self.login("secretariat", is_secretariat=True)
        self.load_structure()
        self.load_people()
        self.load_memberships()
        self.load_launch()
        self.load_later_meetings()
        self.load_taskforce()

    def load_structure(self) -> None:
        by = self.admin
        framework, _ = self.ensure(
            CoordinationGroup,
            {"name": FRAMEWORK, "parent": None},
            lambda: group_create(
                name=FRAMEWORK,
                name_ar="إطار التنسيق للتعاون الفني الدولي مع دولة ليبيا",
                name_fr="Cadre de coordination de la coopération technique internationale avec l'État de Libye",
                short_name="Coordination Framework",
                kind=CoordinationGroup.Kind.FRAMEWORK,
                established_on=dt.date(2017, 7, 18),
                endorsed_by="Senior Policy Committee, Tripoli",
                description="Six working groups coordinating international technical cooperation with Libya.",
                by=by,
            ),
        )
        self.groups = {FRAMEWORK: framework}
        mwg, _ = self.ensure(
            CoordinationGroup,
            {"name": MWG, "parent": framework},
            lambda: group_create(
                name=MWG,
                name_ar="مجموعة عمل الهجرة",
                name_fr="Groupe de travail sur la migration",
                short_name="MWG",
                kind=CoordinationGroup.Kind.WORKING_GROUP,
                parent=framework,
                established_on=LAUNCH_DAY,
                terms_of_reference=(
                    "To coordinate respective strategy and policies on migration and to serve as a "
                    "platform for constructive dialogue on migration, aiming to provide actionable "
                    "tools and practical solutions to govern migration effectively with respect of "
                    "human rights, and to reduce the impact of irregular migration."
                ),
                by=by,
            ),
        )
        self.groups[MWG] = mwg
        for name, name_ar in OTHER_WORKING_GROUPS:
            self.groups[name], _ = self.ensure(
                CoordinationGroup,
                {"name": name, "parent": framework},
                lambda name=name, name_ar=name_ar: group_create(
                    name=name,
                    name_ar=name_ar,
                    kind=CoordinationGroup.Kind.WORKING_GROUP,
                    parent=framework,
                    established_on=dt.date(2017, 7, 18),
                    by=by,
                ),
            )
        for name, name_ar, name_fr in SUB_GROUPS:
            self.groups[name], _ = self.ensure(
                CoordinationGroup,
                {"name": name, "parent": mwg},
                lambda name=name, name_ar=name_ar, name_fr=name_fr: group_create(
                    name=name,
                    name_ar=name_ar,
                    name_fr=name_fr,
                    kind=CoordinationGroup.Kind.SUB_GROUP,
                    parent=mwg,
                    by=by,
                ),
            )
        self.groups[TASKFORCE], _ = self.ensure(
            CoordinationGroup,
            {"name": TASKFORCE, "parent": None},
            lambda: group_create(
                name=TASKFORCE,
                name_ar="فريق العمل الثلاثي للاتحاد الأفريقي والاتحاد الأوروبي والأمم المتحدة",
                name_fr="Task force UA–UE–ONU sur la situation des migrants et réfugiés en Libye",
                short_name="AU–EU–UN Taskforce",
                kind=CoordinationGroup.Kind.TASKFORCE,
                established_on=dt.date(2017, 11, 29),
                endorsed_by="5th AU–EU Summit, Abidjan",
                terms_of_reference=(
                    "To save and protect the lives of migrants and refugees along the migratory "
                    "routes, and in particular inside Libya."
                ),
                by=by,
            ),
        )

    def load_people(self) -> None:
        by = self.admin
        self.organisations: dict[str, Organisation] = {}
        for name, name_ar, acronym, kind, country in ORGANISATIONS:
            organisation, _ = self.ensure(
                Organisation,
                {"name": name},
                lambda name=name, name_ar=name_ar, acronym=acronym, kind=kind, country=country: (
                    organisation_create(
                        name=name,
                        name_ar=name_ar,
                        acronym=acronym,
                        kind=kind,
                        country=country,
                        by=by,
                    )
                ),
            )
            self.organisations[name] = organisation
            if acronym:
                self.organisations[acronym] = organisation
        self.people: dict[str, Person] = {}
        for username, full_name, position, organisation_key, language in PEOPLE:
            organisation = self.organisations[organisation_key]
            slug = full_name.lower().replace(" ", ".").replace("é", "e").replace("ó", "o")
            person, _ = self.ensure(
                Person,
                {"full_name": full_name},
                lambda full_name=full_name, organisation=organisation, position=position, language=language, slug=slug: (
                    person_create(
                        full_name=full_name,
                        organisation=organisation,
                        position=position,
                        email=f"{slug}@example.org",
                        preferred_language=language,
                        since=LAUNCH_DAY,
                        by=by,
                    )
                ),
            )
            self.people[full_name] = person
            if username and person.user_id is None:
                user = self.login(username)
                person_link_user(person=person, user=user, by=by)

    def load_memberships(self) -> None:
        by = self.admin
        for group_name, organisation_key, role, holder, representatives in MEMBERSHIPS:
            group = self.groups[group_name]
            organisation = self.organisations[organisation_key]
            start = group.established_on or LAUNCH_DAY
            membership, _ = self.ensure(
                Membership,
                {"group": group, "organisation": organisation, "end_on": None},
                lambda group=group, organisation=organisation, role=role, holder=holder, start=start: (
                    membership_create(
                        group=group,
                        organisation=organisation,
                        role=role,
                        seat_holder=self.people[holder] if holder else None,
                        start_on=start,
                        by=by,
                    )
                ),
            )
            for full_name, kind in representatives:
                person = self.people[full_name]
                self.ensure(
                    Representative,
                    {"membership": membership, "person": person, "end_on": None},
                    lambda membership=membership, person=person, kind=kind, start=start: (
                        representative_add(
                            membership=membership,
                            person=person,
                            kind=kind,
                            start_on=start,
                            by=by,
                        )
                    ),
                )

    def meeting(self, group_name: str, title: str, start: dt.datetime, hours: float, **fields):
        group = self.groups[group_name]
        return self.ensure(
            Meeting,
            {"group": group, "title": title},
            lambda: meeting_create(
                group=group,
                title=title,
                start_at=start,
                end_at=start + dt.timedelta(hours=hours),
                by=self.admin,
                **fields,
            ),
        )

    def hold(
        self,
        meeting: Meeting,
        agenda: list[tuple[str, str | None, int]],
        attendees: list[str],
        minutes: str | None,
        decisions: list[str],
        publish: bool = True,
    ) -> None:
        by = self.admin
        for title, presenter, minutes_long in agenda:
            agenda_item_add(
                meeting=meeting,
                title=title,
                duration_minutes=minutes_long,
                presenter=self.people[presenter] if presenter else None,
                by=by,
            )
        invitations_create_for_group(meeting=meeting, by=by)
        meeting_mark_held(meeting=meeting, by=by)
        for full_name in attendees:
            attendance_record(meeting=meeting, person=self.people[full_name], by=by)
        for text in decisions:
            decision_add(meeting=meeting, text=text, by=by)
        if minutes:
            record = minutes_save(meeting=meeting, body=minutes, by=by)
            record = minutes_approve(minutes=record, by=by)
            if publish:
                minutes_publish(minutes=record, by=by)

    def load_launch(self) -> None:
        launch, made = self.meeting(
            MWG,
            "Launch of the Migration Working Group",
            dt.datetime(2017, 11, 21, 10, 0, tzinfo=TRIPOLI),
            3,
            kind=Meeting.Kind.LAUNCH,
            venue="Ministry of Planning, Tripoli",
            description=(
                "Launch of the Migration Working Group of the Coordination Framework for "
                "International Technical Cooperation with the State of Libya."
            ),
        )
        if not made:
            return
        self.hold(
            launch,
            agenda=[
                ("Opening remarks by the Chair", "Jaalal Alashi", 15),
                ("Remarks by the IOM Chief of Mission", "Othman Belbeisi", 15),
                ("Purpose and terms of reference of the working group", "Salma Bensaud", 45),
                ("Priority areas and the sub-groups to come", None, 60),
                ("Any other business", None, 15),
            ],
            attendees=[
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
            ],
            minutes=(
                "The Migration Working Group was launched at the Ministry of Planning in Tripoli, "
                "chaired by the Head of the European Affairs Department of the Ministry of Foreign "
                "Affairs and co-chaired by the IOM Chief of Mission, with representatives of the "
                "relevant Libyan ministries, ambassadors and embassy representatives, UN agencies "
                "and a high-level delegation from IOM HQ.\n\n"
                "The Chair reaffirmed the importance of the working group and the wish to work "
                "closely with the international community, and IOM in particular, to overcome "
                "outstanding issues. The Co-chair hoped the launch would be the first step towards "
                "managing migration for the benefit of all."
            ),
            decisions=[
                "The Migration Working Group is established as one of the six working groups of "
                "the Coordination Framework.",
                "Sub-groups will be launched on labour policies, border management and health.",
            ],
        )
        by = self.admin
        draft_tor = action_point_create(
            meeting=launch,
            title="Draft terms of reference for the three sub-groups",
            owner_organisation=self.organisations["IOM"],
            owner_person=self.people["Othman Belbeisi"],
            due_on=dt.date(2017, 12, 15),
            by=by,
        )
        action_point_report(
            action_point=draft_tor,
            status="done",
            progress="Circulated to members on 12 December 2017.",
            by=by,
        )
        focal_points = action_point_create(
            meeting=launch,
            title="Nominate ministry focal points for each sub-group",
            owner_organisation=self.organisations["MoFA"],
            owner_person=self.people["Jaalal Alashi"],
            due_on=dt.date(2018, 1, 15),
            by=by,
        )
        action_point_report(action_point=focal_points, status="done", by=by)

    def load_later_meetings(self) -> None:
        by = self.admin
        today = timezone.localdate()
        at = lambda days, hour=10: dt.datetime.combine(  # noqa: E731 - a local shorthand
            today + dt.timedelta(days=days), dt.time(hour, 0), tzinfo=TRIPOLI
        )
        review, made = self.meeting(
            MWG,
            "Quarterly meeting: returns and alternatives to detention",
            at(-45),
            3,
            kind=Meeting.Kind.REGULAR,
            venue="Ministry of Foreign Affairs, Tripoli",
            online_url="https://meet.example.org/mwg-quarterly",
        )
        if made:
            self.hold(
                review,
                agenda=[
                    ("Adoption of the agenda", "Jaalal Alashi", 5),
                    ("Update on assisted voluntary humanitarian returns", "Othman Belbeisi", 30),
                    ("Alternatives to detention: options paper", "Roberto Mignone", 45),
                    ("Reports of the sub-groups", None, 40),
                ],
                attendees=[
                    "Jaalal Alashi",
                    "Othman Belbeisi",
                    "Salma Bensaud",
                    "Huda Elmaghrabi",
                    "Nuri Fellah",
                    "Roberto Mignone",
                    "Anne Dubois",
                ],
                minutes=(
                    "Members reviewed the returns programme and the options paper on alternatives "
                    "to detention. The sub-groups reported on their first months of work."
                ),
                decisions=[
                    "The options paper on alternatives to detention is endorsed for consultation.",
                    "The health sub-group will map health services available to migrants.",
                ],
            )
            action_point_create(
                meeting=review,
                title="Share the mapping of detention centres with members",
                owner_organisation=self.organisations["MoI"],
                owner_person=self.people["Nuri Fellah"],
                due_on=today - dt.timedelta(days=10),
                by=by,
            )
            action_point_create(
                meeting=review,
                title="Map primary health services available to migrants",
                owner_organisation=self.organisations["MoH"],
                owner_person=self.people["Huda Elmaghrabi"],
                due_on=today + dt.timedelta(days=3),
                by=by,
            )
            action_point_create(
                meeting=review,
                title="Comment on the alternatives-to-detention options paper",
                owner_organisation=self.organisations["EU"],
                due_on=today + dt.timedelta(days=20),
                by=by,
            )
        health_review, made = self.meeting(
            "Health Sub-group",
            "Health sub-group: migrant health services",
            at(-20),
            2,
            venue="Ministry of Health, Tripoli",
        )
        if made:
            self.hold(
                health_review,
                agenda=[
                    ("Screening at disembarkation points", "Elisabeth Roesch", 40),
                    ("Referral pathways", "Huda Elmaghrabi", 40),
                ],
                attendees=["Huda Elmaghrabi", "Khaled Shibani", "Elisabeth Roesch", "Amal Tarhuni"],
                minutes="Draft minutes: members discussed screening and referral pathways.",
                decisions=["A referral pathway for migrants is drafted by WHO and the Ministry."],
                publish=False,
            )
            action_point_create(
                meeting=health_review,
                title="Draft the migrant referral pathway",
                owner_organisation=self.organisations["MoH"],
                owner_person=self.people["Khaled Shibani"],
                due_on=today - dt.timedelta(days=2),
                by=by,
            )
        upcoming, made = self.meeting(
            MWG,
            "Quarterly meeting: labour migration and border management",
            at(14),
            3,
            venue="Ministry of Planning, Tripoli",
            online_url="https://meet.example.org/mwg-q2",
        )
        if made:
            for title, presenter, minutes_long in [
                ("Adoption of the agenda and of the previous minutes", "Jaalal Alashi", 10),
                ("Labour migration governance: ILO assessment", "Samir Haddad", 40),
                ("Border management: capacity needs", "Nuri Fellah", 40),
                ("Review of open action points", "Salma Bensaud", 20),
            ]:
                agenda_item_add(
                    meeting=upcoming,
                    title=title,
                    duration_minutes=minutes_long,
                    presenter=self.people[presenter],
                    by=by,
                )
            invitations_create_for_group(meeting=upcoming, by=by)
            meeting_schedule(meeting=upcoming, by=by)
            for full_name, response in [
                ("Othman Belbeisi", "accepted"),
                ("Nuri Fellah", "accepted"),
                ("Roberto Mignone", "tentative"),
                ("Katrin Weber", "declined"),
            ]:
                invitation = Invitation.objects.get(meeting=upcoming, person=self.people[full_name])
                invitation_respond(invitation=invitation, response=response, by=by)
        health_next, made = self.meeting(
            "Health Sub-group",
            "Health sub-group: referral pathway validation",
            at(21, 11),
            2,
            venue="World Health Organization office, Tripoli",
        )
        if made:
            agenda_item_add(
                meeting=health_next,
                title="Validation of the referral pathway",
                presenter=self.people["Khaled Shibani"],
                duration_minutes=60,
                by=by,
            )
            invitations_create_for_group(meeting=health_next, by=by)
            meeting_schedule(meeting=health_next, by=by)
        self.meeting(
            "Border Management Sub-group",
            "Border management sub-group: first meeting",
            at(35),
            2,
            venue="Ministry of Interior, Tripoli",
        )
        labour, made = self.meeting(
            "Labour Policies Sub-group",
            "Labour policies sub-group: kick-off",
            at(7),
            2,
            venue="Ministry of Labour and Rehabilitation, Tripoli",
        )
        if made:
            meeting_cancel(
                meeting=labour, reason="Postponed until the ILO assessment is ready.", by=by
            )

    def load_taskforce(self) -> None:
        taskforce_meeting, made = self.meeting(
            TASKFORCE,
            "Taskforce meeting in the margins of the 74th UN General Assembly",
            dt.datetime(2019, 9, 25, 9, 0, tzinfo=NEW_YORK),
            2,
            kind=Meeting.Kind.REGULAR,
            venue="United Nations Headquarters, New York",
            time_zone="America/New_York",
        )
        if not made:
            return
        self.hold(
            taskforce_meeting,
            agenda=[
                ("Next steps and priorities of the Taskforce", "Moussa Faki Mahamat", 30),
                ("Support in Libya: returns and evacuations", "António Vitorino", 30),
                ("Emergency Transit Mechanism in Rwanda", "Filippo Grandi", 30),
            ],
            attendees=[
                "Moussa Faki Mahamat",
                "Amira El Fadil",
                "Federica Mogherini",
                "Filippo Grandi",
                "António Vitorino",
            ],
            minutes=(
                "The Taskforce discussed its next steps and priorities, noting over 48,000 voluntary "
                "humanitarian returns facilitated by IOM and AU Member States and over 4,000 "
                "evacuations of refugees by UNHCR from Libya."
            ),
            decisions=[
                "Consolidate cooperation with the Libyan authorities to scale up assisted voluntary "
                "returns and evacuations.",
                "Work to dismantle arbitrary detention of migrants and create alternatives to "
                "detention.",
                "Explore possibilities to increase AU–EU–UN cooperation.",
            ],
        )
        action_point_create(
            meeting=taskforce_meeting,
            title="Support the Emergency Transit Mechanism in Rwanda",
            owner_organisation=self.organisations["UNHCR"],
            owner_person=self.people["Filippo Grandi"],
            due_on=dt.date(2019, 12, 31),
            by=self.admin,
        )


__all__ = ["ActionPoint", "Command", "Decision", "Minutes"]
