"""Quizzes: an item bank, nbgrader notebooks generated from it, and grading that never runs
a trainee's code.

Trainee side (no keys): ``answers`` (lenient reading, format check), ``variants`` (per-trainee
papers), ``notebook`` (notebooks from the public bank).

Instructor side: ``bank`` (public and secret parts), ``kit`` (the encrypted instructor kit),
``scoring`` (the rules), ``grading`` (answers read as data, scored with the keys),
``nbsteps`` (kamcourse's steps in nbgrader's autograde), ``engine`` (the autograde runner),
``course`` (layout, nbgrader setup, release), ``gradebook`` (checks, backups, restore),
``intake`` (finding submissions), ``feedback`` (Chinese feedback pages), ``reports`` and
``stats`` (exports, Moodle's statistics), ``lms`` (Moodle XML and QTI), ``roster``
(per-trainee release), ``gain`` (pre/post), ``pipeline`` (the grading run), ``cli``.
"""
