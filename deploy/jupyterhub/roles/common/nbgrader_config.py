"""nbgrader settings every server of the class shares (on JUPYTER_CONFIG_PATH for all roles).

The hub's spawner sets the environment variables (deploy/jupyterhub/jupyterhub_config.py,
or hub.extraConfig in deploy/z2jh/values.yaml).
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when the file is loaded

c.CourseDirectory.course_id = os.environ.get("KAMCOURSE_COURSE_ID", "kamcourse")
# The exchange: one folder that every trainee can write to (inbound) and read from
# (outbound, feedback); nbgrader's own default exchange, on a shared path or volume.
c.Exchange.root = os.environ.get("KAMCOURSE_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = False
