"""kamcourse: helper package behind the key-account sales and CRM course.

Calculations live in topic modules (``kamcourse.dso``, ``kamcourse.funnel``, ...) as small
pure functions; widgets live in ``kamcourse.views`` and only collect input, call the core
and draw.
"""

from kamcourse.errors import KamcourseError

__all__ = ["KamcourseError", "__version__"]
__version__ = "0.1.0"
