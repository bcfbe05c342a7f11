"""Running reports: kernels, jobs, execution, renderers, the edition's pages and website.

Start-up time matters here (workers, reruns): jsonschema, imported through nbformat, loads the
optional IRI-format checker ``rfc3987_syntax``, which builds a parser grammar at import time
(~1.6 s per process on our machines). Report notebooks never validate IRI formats, so the
module is marked absent before anything imports nbformat; jsonschema then skips that checker.
"""

import sys

sys.modules.setdefault("rfc3987_syntax", None)
