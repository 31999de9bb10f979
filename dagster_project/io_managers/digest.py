"""A SHA-256 digest stored with the value it covers, so a damaged file is refused, never loaded.

A few bytes overwritten inside a pickle or a JSON record can still decode, as a different value.
The pickle tier and the JSON records (reference documents, the size router's routes) therefore
end with one line, ``\\nsha256:<64 hex digits>\\n``, the digest of every byte before it. It is
appended to the same temporary file as the value, so the atomic write publishes both at once and
they cannot drift apart (as a second file could). Parquet files keep their own format, readable
by other tools, and carry Parquet's page checksums instead (``medium.py``).
"""

import hashlib
import hmac

PREFIX = b"\nsha256:"
HEX_DIGITS = 64
FOOTER_BYTES = len(PREFIX) + HEX_DIGITS + 1
CHUNK_BYTES = 2**20


class DamagedFileError(ValueError):
    """A stored file's content does not match its digest, or it has none."""


def append_digest(path: str) -> None:
    """Append the digest line of the file's current content to the file."""
    digest = hashlib.sha256()
    with open(path, "rb+") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
        file.write(PREFIX + digest.hexdigest().encode("ascii") + b"\n")


def with_digest(payload: bytes) -> bytes:
    """``payload`` followed by its digest line, for a store written in one request."""
    return payload + PREFIX + hashlib.sha256(payload).hexdigest().encode("ascii") + b"\n"


def verified_payload(data: bytes) -> memoryview:
    """The bytes before the digest line, once they are shown to match it."""
    footer = data[-FOOTER_BYTES:]
    if len(data) < FOOTER_BYTES or not footer.startswith(PREFIX) or not footer.endswith(b"\n"):
        raise DamagedFileError("no sha256 digest line at its end: truncated or overwritten")
    payload = memoryview(data)[:-FOOTER_BYTES]
    stored = footer[len(PREFIX) : -1]
    computed = hashlib.sha256(payload).hexdigest().encode("ascii")
    if not hmac.compare_digest(stored, computed):
        shown = stored[:12].decode("ascii", errors="replace")
        raise DamagedFileError(
            f"content does not match its sha256 digest (stored {shown}..., computed "
            f"{computed[:12].decode()}...): damaged since it was written"
        )
    return payload
