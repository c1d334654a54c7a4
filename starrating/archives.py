"""The one check of an uploaded zip container (.docx, .xlsx) before anything reads it.

Stored uploads (`starrating.uploads`) and the roster workbook (`branches.importers`) both
arrive as zip archives; a small upload may unpack to gigabytes (a "zip bomb") or hold
so many members that listing them is the attack. The limits are checked on the
archive's central directory, before any member is decompressed. The sizes there are
what the archive declares; Python's zipfile (which openpyxl uses as well) stops a
member at its declared size, so a member that lies about its size cannot unpack to
more than it declared.
"""

import zipfile

from django.utils.translation import gettext_lazy as _

#: Decided (docs/decisions.md): far above any real document or roster workbook
#: (a 10 MB Word file full of photographs unpacks to little more than 10 MB).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_MEMBERS = 1000


class ArchiveError(ValueError):
    """The upload cannot be accepted as a zip container; `message` says why."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


class NotAnArchive(ArchiveError):
    pass


class ArchiveTooLarge(ArchiveError):
    pass


def check_archive(fileobj) -> set[str]:
    """The member names of the zip archive `fileobj`, once its size and member count
    are within the limits; raises NotAnArchive or ArchiveTooLarge. The file's position
    is left at its start."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise NotAnArchive(_("The file is not a valid Word or Excel file.")) from None
    finally:
        fileobj.seek(0)
    if len(members) > MAX_MEMBERS:
        raise ArchiveTooLarge(
            _("The file holds too many parts (%(count)s; at most %(most)s).")
            % {"count": len(members), "most": MAX_MEMBERS}
        )
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ArchiveTooLarge(_("The file is too large once unpacked."))
    return {member.filename for member in members}
