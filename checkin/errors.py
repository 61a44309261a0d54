"""The one exception type that services raise for a refused request."""


class DomainError(Exception):
    """A rule of the domain refused the request.

    ``code`` is a stable machine word (``already_checked_in``, ``event_closed``)
    that the API returns as is; the message is a sentence for a person, given
    lazily translated (``lazy_gettext``) so that each edge says it in its own
    language when it reads ``message``: the page and the JSON in the request's,
    the CLI in the default one. ``field`` names the input the refusal is about,
    so a form can show it beside that field; ``status`` is the HTTP status the
    web layers use.
    """

    def __init__(self, code: str, message, status: int = 400, **details):
        super().__init__(code)
        self.code = code
        self._message = message
        self.status = status
        self.details = details

    @property
    def message(self) -> str:
        """The message, translated into the language of this moment."""
        return str(self._message)

    @property
    def field(self) -> str | None:
        return self.details.get("field")

    def __str__(self) -> str:
        return self.message

    def as_json(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, **self.details}}
