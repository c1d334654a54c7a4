"""The floor of `manage.py rate` (issue #20, item 4): a bare JSON load and dump.

    python bench/bare_json.py INPUT OUTPUT DOCUMENT

Reads DOCUMENT (the command's output, which the dump needs in memory; the command
streams it), then times `json.load` of INPUT and `json.dump` of that document to OUTPUT.
Prints the seconds and CPU seconds spent reading DOCUMENT, which `bench_rate.py`
subtracts; the peak RSS keeps both documents.
"""

import json
import sys
import time

started, cpu = time.perf_counter(), time.process_time()
with open(sys.argv[3], "rb") as f:
    output = json.load(f)
prepared, prepared_cpu = time.perf_counter() - started, time.process_time() - cpu
with open(sys.argv[1], "rb") as f:
    json.load(f)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(output, f, ensure_ascii=False)
print(prepared, prepared_cpu)
