"""The one way services write an audited row: validated, attributed, race-safe."""

from typing import TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from portal.indexing import note_saved
from portal.text import text_fields_clean

# Who does a write (a service's `by`), and whom a permission funnel answers for (its
# `user`): a signed-in account (the default auth.User, which is what request.user is),
# an anonymous visitor (the funnels show them nothing), or None for the portal itself:
# a task, the beat, a management command. Services record None as no author.
Actor: TypeAlias = User | AnonymousUser | None

ModelT = TypeVar("ModelT", bound=models.Model)

# simple-history records the author of a change made outside a request from this
# attribute of the instance; it is simple-history's name, not a field of ours.
HISTORY_USER_ATTRIBUTE = "_history_user"


def author_of(by: Actor) -> User | None:
    """The account a change is recorded against (`created_by`, the history's author):
    none for the portal itself or for an anonymous visitor."""
    return by if isinstance(by, User) else None


def _attribute(instance: models.Model, by: Actor) -> None:
    author = author_of(by)
    if author is not None:
        setattr(instance, HISTORY_USER_ATTRIBUTE, author)


def audited_save(
    instance: ModelT,
    *,
    by: Actor,
    update_fields: list[str] | None = None,
    validate: bool = True,
) -> ModelT:
    """Validate `instance` (fields and database constraints), then save it as `by`.

    Validation turns broken invariants into field errors; the savepoint catches the
    race where two writers pass validation together and the database refuses one.
    """
    if validate:
        text_fields_clean(instance)
        instance.full_clean()
    _attribute(instance, by)
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError as error:
        raise ValidationError(
            _("The change conflicts with data saved at the same time; reload and try again.")
        ) from error
    # The search index follows every audited write, after it commits (portal.indexing).
    note_saved(instance)
    return instance


def audited_delete(instance: models.Model, *, by: Actor) -> None:
    _attribute(instance, by)
    # Noted before the row goes, while it still has its id; indexed after commit, when
    # the entry of a record that no longer exists is removed.
    note_saved(instance)
    instance.delete()
