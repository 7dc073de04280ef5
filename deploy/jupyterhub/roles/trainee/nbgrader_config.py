"""nbgrader settings for trainees: submit under the JupyterHub user name.

nbgrader takes the operating-system user name as the student id (or JUPYTERHUB_USER for
the ``jovyan`` user of container images); naming it explicitly keeps both deployments
(local users, containers) and the test hub (one system user for everybody) the same.
"""

import os

c = get_config()  # noqa: F821

if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
