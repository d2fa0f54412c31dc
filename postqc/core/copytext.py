"""PostgreSQL COPY's text format, for the bulk paths that write preformatted lines (delivery records,
tracking events and items): one f-string per line is several times cheaper than psycopg's per-value
dumper.

    COPY_NULL         the NULL marker (\\N)
    copy_escape(s)    a text value with backslash, tab and line breaks escaped
    copy_lines(rows)  rows of Python values (None, bool, str, int, Decimal, date, datetime) as lines
"""
import datetime as dt
from collections.abc import Iterable, Iterator

COPY_NULL = "\\N"


def copy_escape(text: str) -> str:
    """A text value in COPY's text format (backslash, tab and line breaks escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """Each row in COPY's text format, as one line ending in a line break. Dates and times are
    formatted once each (a bulk path repeats them: an import's own time, a day's scans). For a
    table whose column types are known a hand-written f-string is faster still (see
    tracking.ingest.event_copy_text)."""
    stamps: dict[dt.date, str] = {}

    def value(v) -> str:
        if v is None:
            return COPY_NULL
        if v is True:
            return "t"
        if v is False:
            return "f"
        if v.__class__ is str:
            return copy_escape(v)
        if isinstance(v, dt.date):  # datetime too: ISO 8601 with its offset, which PostgreSQL reads
            text = stamps.get(v)
            if text is None:
                text = stamps[v] = v.isoformat()
            return text
        return str(v)  # int, Decimal

    for row in rows:
        yield "\t".join(map(value, row)) + "\n"
