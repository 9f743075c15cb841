"""One module of exercise checks per lesson: `from utils.exercises import lesson01 as check`.

Importing it installs the short display of failed checks in IPython, so a student who skipped
`utils.setup()` still sees the check's message, not a traceback into utils.
"""

from ..checks import install_notebook_display

install_notebook_display()
