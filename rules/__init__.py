"""The audit rules of spec §4, one module per family, one function per code.

Importing this package registers every rule with ``audit.engine``.
"""

from rules import fees, format, history, publication, sections, tables, text  # noqa: F401
