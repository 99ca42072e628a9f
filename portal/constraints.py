"""Model validation that skips the database's round trips while they cannot fail."""

from typing import Any, ClassVar


class ConstraintsPassAtRest:
    """`full_clean` asks the database once per constraint (uniqueness, conditions across
    rows). Some constraints pass by construction while their fields hold the values a
    row starts with; `constraints_pass_at_rest` names those fields and values, and the
    check is left out while all of them hold, so saving ordinary rows stays cheap. The
    database still enforces every constraint."""

    constraints_pass_at_rest: ClassVar[dict[str, Any]] = {}

    def validate_constraints(self, exclude=None):
        opts = self._meta  # type: ignore[attr-defined]
        at_rest = all(
            getattr(self, opts.get_field(name).attname) == value
            for name, value in self.constraints_pass_at_rest.items()
        )
        if self.constraints_pass_at_rest and at_rest:
            exclude = set(exclude or ()) | set(self.constraints_pass_at_rest)
        super().validate_constraints(exclude=exclude)  # type: ignore[misc]
