"""The slip sheet's QR codes, as PNG images, in this process or in a pool of processes
(docs/decisions.md D-7sd).

No Django here, nor in the packages above (`scoring`, `scoring.services`): a pool's
processes are started afresh ('spawn') and import only this module, segno and Pillow,
so they inherit no database connection and never touch one. The links (which carry the codes)
go to them and the images come back through the pool's pipes only, never a file (A13).
"""

import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import segno
from PIL import Image

#: Links a task of the pool: the sheet's first images come back soon, the tasks are few.
CHUNK = 50
#: Processes of the pool: the worker's machine has two cores (docs/nonfunctional.md §7).
PROCESSES = 2


def qr_png(link: str) -> bytes:
    """The QR code of `link` (error correction M, segno's choice of mask, D-7sa): one
    pixel a module, a border of two modules, in 8-bit grey, which WeasyPrint embeds as
    it is (segno's 1-bit PNG it would turn into RGB and encode again, in the sheet's
    process)."""
    made = io.BytesIO()
    segno.make(link, error="m").save(made, kind="png", scale=1, border=2)
    out = io.BytesIO()
    Image.open(made).convert("L").save(out, format="PNG")
    return out.getvalue()


def qr_pngs(links: list[str]) -> list[bytes]:
    """A pool's task: the images of `links`, in their order."""
    return [qr_png(link) for link in links]


class QrImages:
    """The images of `links` by index, made in a pool of `PROCESSES` processes when
    `pooled`, else one by one as they are asked for, in this process; the same bytes
    either way. Use as a context manager: the pool is shut down on leaving."""

    def __init__(self, links: list[str], *, pooled: bool):
        self.links = links
        self.pool = None
        self.tasks = []
        if pooled:
            self.pool = ProcessPoolExecutor(
                max_workers=PROCESSES, mp_context=multiprocessing.get_context("spawn")
            )
            self.tasks = [
                self.pool.submit(qr_pngs, links[start : start + CHUNK])
                for start in range(0, len(links), CHUNK)
            ]

    def __getitem__(self, index: int) -> bytes:
        if self.pool is None:
            return qr_png(self.links[index])
        return self.tasks[index // CHUNK].result()[index % CHUNK]

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
