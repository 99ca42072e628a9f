"""Shared steps for the written-procedure tests: a draft, circulated, made due."""

import datetime as dt

from django.utils import timezone

from decisions.models import WrittenProcedure
from decisions.services import procedure_circulate, procedure_create


def draft(cast, *, by=None, **extra) -> WrittenProcedure:
    values = {
        "title": "Referral pathways",
        "text": "The group endorses the referral pathways.",
        "text_ar": "تعتمد المجموعة مسارات الإحالة.",
        "text_fr": "Le groupe approuve les parcours d'orientation.",
        "deadline": timezone.now() + dt.timedelta(days=3),
        **extra,
    }
    return procedure_create(group=cast.mwg, by=by or cast.secretariat, **values)


def circulated(cast, **extra) -> WrittenProcedure:
    return procedure_circulate(procedure=draft(cast, **extra), by=cast.secretariat)


def make_due(procedure: WrittenProcedure) -> WrittenProcedure:
    """The deadline passes (moved back in the row: the services refuse a past one)."""
    WrittenProcedure.objects.filter(pk=procedure.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    procedure.refresh_from_db()
    return procedure
