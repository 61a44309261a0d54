"""The one exception type that services raise for a refused request."""


class DomainError(Exception):
    """A rule of the domain refused the request.

    ``code`` is a stable machine word (``already_checked_in``, ``event_closed``)
    that the API returns as is; ``message`` is a sentence for a person, already
    translated where the caller has a locale; ``status`` is the HTTP status the
    web layers use.
    """

    def __init__(self, code: str, message: str, status: int = 400, **details):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details

    def as_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, **self.details}}
