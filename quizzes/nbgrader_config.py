"""nbgrader configuration of the kamcourse quizzes: this folder is the course root.

Layout: ``bank/`` the public item bank (no keys), ``kit/`` the keys and explanations
encrypted for the instructor (``kamcourse kit ...``), ``source/<quiz>/`` the notebooks
generated from the bank (``kamcourse quiz build``). nbgrader creates ``release/``,
``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` here, kamcourse
``reports/`` and ``backups/``; git ignores them. Run nbgrader from this folder (or the
formgrader), or use ``kamcourse quiz release|grade|stats`` from anywhere.

Grading never runs a trainee's code: nbgrader's Execute step is replaced by kamcourse's,
which reads each answer cell's text as data and scores it in the grading process with the
keys from the instructor kit (``KAMCOURSE_KIT=<folder>`` or ``KAMCOURSE_KIT_PASSPHRASE``).
The formgrader's autograde button therefore grades exactly like ``kamcourse quiz grade``.
"""

import os

from kamcourse.quiz.nbsteps import configure

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "kamcourse"

# kamcourse's autograde steps (no kernel; kamcourse.quiz.nbsteps) and the Chinese feedback page.
configure(c, c.CourseDirectory.root)

# A trainee who deletes a test cell still gets the item graded (and flagged): kamcourse's
# integrity step puts every missing cell back; nbgrader's own repair stays on as well.
c.OverwriteCells.add_missing_cells = True

# Answer cells are ``answer_qN = ""`` followed by an empty BEGIN/END SOLUTION region; an
# empty stub keeps the blank answer line in the release instead of nbgrader's
# ``raise NotImplementedError()`` (see kamcourse/quiz/notebook.py).
c.ClearSolutions.code_stub = {"python": ""}
