"""The one exception ingest raises for a dump it cannot use."""


class Rejected(Exception):
    """A dump that yields no article; the message is the reason shown in the report."""

    @property
    def reason(self) -> str:
        return str(self)
