"""PostgreSQL COPY's text format, for the bulk paths that write preformatted lines (delivery records,
tracking events): one f-string per line is several times cheaper than psycopg's per-value dumper.

    COPY_NULL         the NULL marker (\\N)
    copy_escape(s)    a text value with backslash, tab and line breaks escaped
"""

COPY_NULL = "\\N"


def copy_escape(text: str) -> str:
    """A text value in COPY's text format (backslash, tab and line breaks escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
