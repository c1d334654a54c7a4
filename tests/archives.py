"""Zip archives for the upload tests, written by hand so that a real zip bomb (a small
file that unpacks to a gibibyte) costs a second to make, not a minute of compressing."""

import struct
import zlib

MiB = 1024 * 1024


def _zeros_crc(size: int) -> int:
    crc, chunk = 0, b"\0" * MiB
    for _ in range(size // MiB):
        crc = zlib.crc32(chunk, crc)
    return zlib.crc32(b"\0" * (size % MiB), crc)


def _deflated_zeros(size: int) -> bytes:
    """Raw deflate of `size` zero bytes: one compressed MiB repeated (a full flush resets
    the compressor, so every MiB compresses to the same bytes)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * MiB) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(b"\0" * (size % MiB)) + compressor.flush()
    return block * (size // MiB) + tail


def build_zip(members: list[tuple[str, bytes]], *, bomb: tuple[str, int] | None = None) -> bytes:
    """A zip of `members` (name, content; stored), and optionally one member `bomb`
    (name, size) of that many zero bytes, deflated: the member really unpacks to it."""
    entries = [(name, 0, content, zlib.crc32(content), len(content)) for name, content in members]
    if bomb is not None:
        name, size = bomb
        entries.append((name, 8, _deflated_zeros(size), _zeros_crc(size), size))
    out, central = bytearray(), bytearray()
    for name, method, data, crc, size in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size,
            len(encoded), 0,
        )  # fmt: skip
        out += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data),
            size, len(encoded), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += encoded
    directory = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), directory, 0
    )
    return bytes(out)


def rebuild_with_bomb(data: bytes, name: str, size: int) -> bytes:
    """The zip `data` (e.g. a real workbook) with one more member that unpacks to `size`."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    return build_zip(members, bomb=(name, size))


def rebuild_with_parts(data: bytes, count: int) -> bytes:
    """The zip `data` with `count` more tiny members."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    extra = [(f"customXml/item{n}.xml", b"<x/>") for n in range(count)]
    return build_zip(members + extra)
