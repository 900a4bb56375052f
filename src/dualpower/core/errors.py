"""The one error tree of dualpower, mapped once per interface.

::

    DomainError                 anything a person can cause by asking for the wrong thing
    ├── NotFound                no such object, or one you may not see (never tell which)
    ├── NotAllowed              you may see it, but you may not do this
    ├── Invalid                 the input breaks a rule (form, schema, charter)
    ├── Conflict                the state forbids it now (already a member, vote closed,
    │                           idempotency key reused with other content)
    └── Gone                    it existed and is no longer usable (expired or used invitation)

``api/errors.py`` maps these to problem JSON (404, 403, 422, 409, 410), ``web/`` to a
message on the page with the same status, and ``cli.py`` to exit code 2 and one line.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error caused by a request rather than by a bug."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status = 404
    title = "Not found"


class NotAllowed(DomainError):
    status = 403
    title = "Not allowed"


class Invalid(DomainError):
    status = 422
    title = "Invalid"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Gone(DomainError):
    status = 410
    title = "Gone"
