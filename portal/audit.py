"""The one way services write an audited row: validated, attributed, race-safe."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _


def audited_save(
    instance: models.Model,
    *,
    by,
    update_fields: list[str] | None = None,
    validate: bool = True,
) -> models.Model:
    """Validate `instance` (fields and database constraints), then save it as `by`.

    Validation turns broken invariants into field errors; the savepoint catches the
    race where two writers pass validation together and the database refuses one.
    """
    if validate:
        instance.full_clean()
    if by is not None and getattr(by, "is_authenticated", False):
        # simple-history reads this to record who made the change outside a request.
        instance._history_user = by
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as error:
        raise ValidationError(
            _("The change conflicts with data saved at the same time; reload and try again.")
        ) from error
    return instance


def audited_delete(instance: models.Model, *, by) -> None:
    if by is not None and getattr(by, "is_authenticated", False):
        instance._history_user = by
    instance.delete()
