"""Uploaded case archives (.zip), unpacked only after every entry passes the checks.

Refused: more than MAX_ENTRIES entries, an archive over MAX_UPLOAD_BYTES, absolute paths, `..`,
backslashes or drive letters, symlinks and other special files, a decompressed size over
MAX_UNPACKED_BYTES (counted while unpacking, not taken from the headers, which a zip bomb lies
in), and files that are not part of a case. Accepted files are then read by the CLI's reader.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from planner.inputs.read import SCENARIO_FILE
from planner.inputs.schema import TABLES
from planner.web.store import UploadError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ENTRIES = 200
_IGNORED = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$)")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def allowed(path: PurePosixPath) -> bool:
    """The files a case folder may hold: scenario.yaml, the tables, sources.csv, hourly profiles, notes."""
    parts = path.parts
    if len(parts) == 1:
        name = parts[0]
        return (
            name == SCENARIO_FILE
            or name.removesuffix(".csv") in TABLES
            or name in {"sources.csv"}
            or name.endswith(".md")
        )
    return len(parts) == 2 and parts[0] == "profiles" and (parts[1] == "hourly.csv.gz" or parts[1].endswith(".md"))


def unpack_zip(data: bytes, dest: Path) -> list[str]:
    """Check and unpack a case archive into `dest`; returns the files written. Raises UploadError."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError([f"the upload is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        raise UploadError([f"not a readable .zip archive ({err})"]) from None
    if len(infos) > MAX_ENTRIES:
        raise UploadError([f"the archive has {len(infos)} entries; the limit is {MAX_ENTRIES}"])
    files = _check_entries(infos)
    written: list[str] = []
    total = 0
    for info, rel in files:
        target = dest.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, target.open("wb") as out:
            while chunk := source.read(1 << 16):
                total += len(chunk)
                if total > MAX_UNPACKED_BYTES:
                    raise UploadError(
                        [f"the archive unpacks to more than {MAX_UNPACKED_BYTES / 1e6:.0f} MB (a zip bomb?); refused"]
                    )
                out.write(chunk)
        written.append(str(rel))
    return written


def _check_entries(infos: list[zipfile.ZipInfo]) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    reasons: list[str] = []
    kept: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    declared = 0
    for info in infos:
        name = info.filename
        mode = info.external_attr >> 16
        if name.startswith("/") or "\\" in name or re.match(r"^[A-Za-z]:", name):
            reasons.append(f"'{name}': absolute or Windows path; refused")
            continue
        parts = PurePosixPath(name).parts
        if ".." in parts:
            reasons.append(f"'{name}': a path with '..' leaves the case folder; refused")
            continue
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: the archiver stored no file type
            reasons.append(f"'{name}': a symlink or special file; refused")
            continue
        if info.is_dir() or _IGNORED.search(name):
            continue
        if not all(_NAME.match(p) for p in parts):
            reasons.append(f"'{name}': file names may hold letters, digits, '_', '-' and '.' only")
            continue
        declared += info.file_size
        kept.append((info, PurePosixPath(*parts)))
    if declared > MAX_UNPACKED_BYTES:
        reasons.append(
            f"the archive declares {declared / 1e6:.0f} MB unpacked; the limit is {MAX_UNPACKED_BYTES / 1e6:.0f} MB"
        )
    kept = _strip_top_folder(kept)
    for _, rel in kept:
        if not allowed(rel):
            expected = ", ".join(
                ["scenario.yaml", *(f"{t}.csv" for t in TABLES), "sources.csv", "profiles/hourly.csv.gz", "*.md"]
            )
            reasons.append(f"'{rel}': not part of a case (expected {expected})")
    if not any(str(rel) == SCENARIO_FILE for _, rel in kept) and not reasons:
        reasons.append("no scenario.yaml at the top of the archive (or of its one folder)")
    if reasons:
        raise UploadError(reasons)
    return kept


def _strip_top_folder(kept: list[tuple[zipfile.ZipInfo, PurePosixPath]]) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """A zip of the folder itself (`default/scenario.yaml`, ...) unpacks as the folder's contents."""
    tops = {rel.parts[0] for _, rel in kept}
    if len(tops) == 1 and all(len(rel.parts) > 1 for _, rel in kept):
        return [(info, PurePosixPath(*rel.parts[1:])) for info, rel in kept]
    return kept


def pack_zip(folder: Path, top: str) -> bytes:
    """A case or plan folder as a .zip whose entries sit under `top/` (regular files only)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and not path.is_symlink()
                and not any(p.startswith(".") for p in path.relative_to(folder).parts)
            ):
                archive.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
    return buffer.getvalue()
