"""nbgrader settings for instructors: the course folder and the gradebook on PostgreSQL."""

import os

c = get_config()  # noqa: F821

# A writable copy of the repository's quizzes/ (the hub copies it on first start); it
# must lie inside the server's root folder for the formgrader.
course_root = os.environ.get("KAMCOURSE_COURSE_ROOT", os.path.expanduser("~/kamcourse-quizzes"))
# The course's own settings (timeouts, stubs ...), also when nbgrader runs from elsewhere
# (the formgrader runs from the home folder).
if os.path.isfile(os.path.join(course_root, "nbgrader_config.py")):
    load_subconfig(os.path.join(course_root, "nbgrader_config.py"))  # noqa: F821
c.CourseDirectory.root = course_root
# nbgrader's database URL: the gradebook lives on the PostgreSQL server, not in a
# gradebook.db file in the course folder, so that graders and backups share it.
if os.environ.get("KAMCOURSE_GRADEBOOK_URL"):
    c.CourseDirectory.db_url = os.environ["KAMCOURSE_GRADEBOOK_URL"]
