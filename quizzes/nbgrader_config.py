"""nbgrader configuration of the kamcourse quizzes: this folder is the course root.

Layout: ``bank/`` the item bank (instructor side, holds the keys), ``source/<quiz>/`` the
notebooks generated from it (``kamcourse quiz build``). nbgrader creates ``release/``,
``submitted/``, ``autograded/``, ``feedback/`` and ``gradebook.db`` here; git ignores them.
Run nbgrader from this folder, or use ``kamcourse quiz release|grade|stats`` from anywhere.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "kamcourse"

# Test cells call kamcourse.quiz.grading.grade_item, which reads the keys from bank/.
# A submission that loops forever is interrupted after this many seconds per cell; the
# rest of its notebook is still graded (kamcourse quiz grade --timeout overrides it).
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True

# A trainee who deletes a test cell still gets the item graded (and flagged by
# kamcourse quiz grade); without this, nbgrader would leave the item ungraded.
c.OverwriteCells.add_missing_cells = True

# Answer cells are ``answer_qN = ""`` followed by an empty BEGIN/END SOLUTION region; an
# empty stub keeps the blank answer line in the release instead of nbgrader's
# ``raise NotImplementedError()`` (see kamcourse/quiz/notebook.py).
c.ClearSolutions.code_stub = {"python": ""}
